package main

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// hiddenMergeStart calls Merge and fails if it panics or does not return promptly.
func hiddenMergeStart(t *testing.T, ctx context.Context, sources ...<-chan int) <-chan int {
	t.Helper()
	done := make(chan (<-chan int), 1)
	panicked := make(chan any, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				panicked <- r
			}
		}()
		done <- Merge(ctx, sources...)
	}()
	select {
	case r := <-panicked:
		t.Fatalf("Merge panicked: %v", r)
		return nil
	case out := <-done:
		if out == nil {
			t.Fatalf("Merge returned a nil channel")
		}
		return out
	case <-time.After(2 * time.Second):
		t.Fatalf("Merge did not return within 2s")
		return nil
	}
}

// hiddenMergeDrain reads out until it is closed, failing after timeout.
func hiddenMergeDrain(t *testing.T, out <-chan int, timeout time.Duration) []int {
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
			t.Fatalf("output not closed within %v (received %d values so far)", timeout, len(got))
			return nil
		}
	}
}

// hiddenMergeSettle waits until the goroutine count is back to at most before.
func hiddenMergeSettle(t *testing.T, before int, what string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d goroutine(s) still running 2s later: each forwarding goroutine must select on <-ctx.Done() both when receiving and when sending",
				what, runtime.NumGoroutine()-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHiddenMergeDoesNotWaitForSlowSource(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow := make(chan int) // silent for now
	fast := make(chan int, 1)
	fast <- 7
	close(fast)
	out := hiddenMergeStart(t, ctx, slow, fast)
	select {
	case v := <-out:
		if v != 7 {
			t.Fatalf("got %d, want 7", v)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("the fast source's value did not arrive while the first source was silent: read all sources at the same time, one goroutine each")
	}
	close(slow)
	if rest := hiddenMergeDrain(t, out, 2*time.Second); len(rest) != 0 {
		t.Fatalf("unexpected extra values %v", rest)
	}
}

func TestHiddenMergeCancelClosesOutput(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	a, b := make(chan int), make(chan int) // never closed
	out := hiddenMergeStart(t, ctx, a, b)
	time.Sleep(20 * time.Millisecond)
	cancel()
	hiddenMergeDrain(t, out, 2*time.Second)
	hiddenMergeSettle(t, before, "cancelled while sources were open")
}

func TestHiddenMergeCancelWhileConsumerStalled(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	var sources []<-chan int
	for range 4 {
		ch := make(chan int, 10) // full of values, never closed
		for i := range 10 {
			ch <- i
		}
		sources = append(sources, ch)
	}
	out := hiddenMergeStart(t, ctx, sources...)
	select {
	case <-out:
	case <-time.After(2 * time.Second):
		t.Fatalf("no value arrived within 2s")
	}
	time.Sleep(50 * time.Millisecond) // every forwarder is now blocked sending
	cancel()
	// Do not read out: forwarders blocked on `out <- v` must notice ctx and quit.
	hiddenMergeSettle(t, before, "cancelled while the consumer was not reading")
	hiddenMergeDrain(t, out, time.Second)
}

func TestHiddenMergeManySources(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n, per = 50, 40
	var sources []<-chan int
	for s := range n {
		ch := make(chan int) // unbuffered, fed by its own goroutine
		go func() {
			defer close(ch)
			for i := range per {
				select {
				case ch <- s*per + i:
				case <-ctx.Done():
					return
				}
			}
		}()
		sources = append(sources, ch)
	}
	got := hiddenMergeDrain(t, hiddenMergeStart(t, ctx, sources...), 5*time.Second)
	seen := make(map[int]int, len(got))
	for _, v := range got {
		seen[v]++
	}
	for v := range n * per {
		if seen[v] != 1 {
			t.Fatalf("value %d arrived %d times, want exactly once (%d values in total, want %d)", v, seen[v], len(got), n*per)
		}
	}
	if len(got) != n*per {
		t.Fatalf("got %d values, want %d", len(got), n*per)
	}
}

func TestHiddenMergeNoLeakAfterSourcesClose(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := make(chan int, 2)
	a <- 1
	a <- 2
	close(a)
	b := make(chan int)
	close(b)
	if got := hiddenMergeDrain(t, hiddenMergeStart(t, ctx, a, b), 2*time.Second); len(got) != 2 {
		t.Fatalf("got %v, want the two values 1 and 2", got)
	}
	hiddenMergeSettle(t, before, "after every source closed and the output was drained")
}
