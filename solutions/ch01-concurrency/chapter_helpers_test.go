// Helpers the tests of this chapter's exercises share: calling a function that returns a
// channel, draining a channel (failing or quietly), waiting for goroutines to end, and finding an error in a
// chain. The checker places this
// file beside an exercise's tests, in the same package, so the tests call these names directly.
package main_test

import (
	"runtime"
	"testing"
	"time"
)

// chanOf returns a channel that already holds vals and is closed, so reading it needs no
// goroutine.
func chanOf(vals ...int) <-chan int {
	ch := make(chan int, len(vals))
	for _, v := range vals {
		ch <- v
	}
	close(ch)
	return ch
}

// callForChan runs call (which calls the learner's name) in a goroutine and returns its
// channel, failing the test when it panics, returns nil (nilHint says what to do) or does
// not return within 2 seconds (slowHint says what to do).
func callForChan(t *testing.T, name string, call func() <-chan int, nilHint, slowHint string) <-chan int {
	t.Helper()
	done := make(chan (<-chan int), 1)
	panicked := make(chan any, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				panicked <- r
			}
		}()
		done <- call()
	}()
	select {
	case r := <-panicked:
		t.Fatalf("%s panicked: %v", name, r)
		return nil
	case out := <-done:
		if out == nil {
			t.Fatalf("%s returned a nil channel: %s", name, nilHint)
		}
		return out
	case <-time.After(2 * time.Second):
		t.Fatalf("%s did not return within 2s: %s", name, slowHint)
		return nil
	}
}

// drainChan reads out until it is closed, failing the test after timeout (hint says what
// to do).
func drainChan(t *testing.T, out <-chan int, timeout time.Duration, hint string) []int {
	t.Helper()
	var got []int
	deadline := time.After(timeout)
	for {
		select {
		case v, ok := <-out:
			if !ok {
				return got
			}
			got = append(got, v)
		case <-deadline:
			t.Fatalf("output not closed within %v (received %d value(s) so far): %s", timeout, len(got), hint)
			return nil
		}
	}
}

// drainQuietly reads out until it is closed, for at most a second (of a synctest bubble's
// time, in a bubble), so that a goroutine of the answer that still sends on out can end
// with its test: a test in a bubble must not leave a goroutine blocked behind it.
func drainQuietly(out <-chan int) {
	deadline := time.After(time.Second)
	for {
		select {
		case _, ok := <-out:
			if !ok {
				return
			}
		case <-deadline:
			return
		}
	}
}

// settleGoroutines waits until the number of goroutines is back to at most before, and
// fails the test naming what had just happened (what) and what to do (hint) if that does
// not happen within 2 seconds.
func settleGoroutines(t *testing.T, before int, what, hint string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			now := runtime.NumGoroutine()
			t.Fatalf("%s: %d goroutine(s) still running 2s later (before: %d, now: %d): %s",
				what, now-before, before, now, hint)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// isError reports whether target is err, or is in the chain that err's Unwrap methods give,
// compared by identity (at most 64 links deep). Unlike errors.Is it never asks an error's
// own Is method: an answer's error type could define one that claims to be every error.
func isError(err, target error) bool {
	for range 64 {
		if err == nil {
			return false
		}
		if err == target {
			return true
		}
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				if isError(inner, target) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		default:
			return false
		}
	}
	return false
}
