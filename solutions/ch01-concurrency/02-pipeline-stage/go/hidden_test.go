package main

import (
	"context"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// hiddenStageStart calls Stage and fails if the call does not return promptly.
func hiddenStageStart(t *testing.T, ctx context.Context, in <-chan int, buffer int, fn func(int) int) <-chan int {
	t.Helper()
	done := make(chan (<-chan int), 1)
	panicked := make(chan any, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				panicked <- r
			}
		}()
		done <- Stage(ctx, in, buffer, fn)
	}()
	select {
	case r := <-panicked:
		t.Fatalf("Stage panicked: %v", r)
		return nil
	case out := <-done:
		if out == nil {
			t.Fatalf("Stage returned a nil channel")
		}
		return out
	case <-time.After(2 * time.Second):
		t.Fatalf("Stage did not return within 2s: start a goroutine and return the channel right away")
		return nil
	}
}

// hiddenStageDrain reads out until it is closed, failing after timeout.
func hiddenStageDrain(t *testing.T, out <-chan int, timeout time.Duration) []int {
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
			t.Fatalf("output not closed within %v (received %v so far)", timeout, got)
			return nil
		}
	}
}

// hiddenSettle waits until the number of goroutines is back to at most
// before, and fails the test if that does not happen within 2 seconds.
func hiddenSettle(t *testing.T, before int, what string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d goroutine(s) still running 2s later (before: %d, now: %d): every send and receive in the stage's goroutine must also watch <-ctx.Done()",
				what, runtime.NumGoroutine()-before, before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHiddenStageBackpressure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const buffer, total = 2, 20
	in := make(chan int) // unbuffered: a send completes only when the stage takes the value
	var sent, calls atomic.Int64
	go func() {
		defer close(in)
		for i := range total {
			select {
			case in <- i:
				sent.Add(1)
			case <-ctx.Done():
				return
			}
		}
	}()
	out := hiddenStageStart(t, ctx, in, buffer, func(v int) int { calls.Add(1); return v + 100 })
	time.Sleep(300 * time.Millisecond) // nobody reads out: the stage must fill its buffer and stop
	if n := sent.Load(); n > buffer+1 {
		t.Fatalf("the stage took %d values while nobody read its output, want at most buffer+1 = %d: it must block on the full output channel instead of reading on (no extra goroutines or slices)", n, buffer+1)
	}
	if n := calls.Load(); n > buffer+1 {
		t.Fatalf("fn ran %d times while nobody read the output, want at most buffer+1 = %d", n, buffer+1)
	}
	got := hiddenStageDrain(t, out, 3*time.Second)
	want := make([]int, total)
	for i := range want {
		want[i] = i + 100
	}
	if !slices.Equal(got, want) {
		t.Fatalf("after the consumer caught up: got %v, want %v", got, want)
	}
}

func TestHiddenStageUnbuffered(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan int, 5)
	for _, v := range []int{5, 4, 3, 2, 1} {
		in <- v
	}
	close(in)
	out := hiddenStageStart(t, ctx, in, 0, func(v int) int { return -v })
	if cap(out) != 0 {
		t.Fatalf("buffer 0 must give an unbuffered output channel, got cap %d", cap(out))
	}
	got := hiddenStageDrain(t, out, 2*time.Second)
	if want := []int{-5, -4, -3, -2, -1}; !slices.Equal(got, want) {
		t.Fatalf("buffer 0: got %v, want %v", got, want)
	}
}

func TestHiddenStageCancelWhileConsumerStalled(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan int, 100) // plenty of input, never closed
	for i := range 100 {
		in <- i
	}
	out := hiddenStageStart(t, ctx, in, 0, func(v int) int { return v })
	select {
	case <-out:
	case <-time.After(2 * time.Second):
		t.Fatalf("no value came out within 2s")
	}
	time.Sleep(50 * time.Millisecond) // the stage is now blocked sending the next value
	cancel()
	// Do not read out: a stage blocked on `out <- v` must notice ctx and quit.
	hiddenSettle(t, before, "cancelled while blocked sending to a stalled consumer")
	hiddenStageDrain(t, out, time.Second) // and the output must be closed
}

func TestHiddenStageCancelWhileWaitingForInput(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan int) // never sent on, never closed
	out := hiddenStageStart(t, ctx, in, 4, func(v int) int { return v })
	time.Sleep(20 * time.Millisecond)
	cancel()
	hiddenStageDrain(t, out, 2*time.Second)
	hiddenSettle(t, before, "cancelled while waiting for input")
}

func TestHiddenStageNoLeakAfterInputCloses(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan int, 3)
	in <- 1
	in <- 2
	in <- 3
	close(in)
	out := hiddenStageStart(t, ctx, in, 1, func(v int) int { return v * 2 })
	if got, want := hiddenStageDrain(t, out, 2*time.Second), []int{2, 4, 6}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	hiddenSettle(t, before, "after the input closed and the output was drained")
}
