package main_test

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// mergeLeak says what to do when a forwarding goroutine outlives the test.
const mergeLeak = "each forwarding goroutine must select on <-ctx.Done() both when receiving and when sending"

func TestHiddenMergeDoesNotWaitForSlowSource(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow := make(chan int) // silent for now
	fast := make(chan int, 1)
	fast <- 7
	close(fast)
	out := mergeStart(t, ctx, slow, fast)
	select {
	case v := <-out:
		if v != 7 {
			t.Fatalf("got %d, want 7", v)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("the fast source's value did not arrive while the first source was silent: read all sources at the same time, one goroutine each")
	}
	close(slow)
	if rest := mergeDrain(t, out, 2*time.Second); len(rest) != 0 {
		t.Fatalf("unexpected extra values %v", rest)
	}
}

func TestHiddenMergeCancelClosesOutput(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	a, b := make(chan int), make(chan int) // never closed
	out := mergeStart(t, ctx, a, b)
	time.Sleep(20 * time.Millisecond)
	cancel()
	mergeDrain(t, out, 2*time.Second)
	settleGoroutines(t, before, "cancelled while sources were open", mergeLeak)
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
	out := mergeStart(t, ctx, sources...)
	select {
	case <-out:
	case <-time.After(2 * time.Second):
		t.Fatalf("no value arrived within 2s")
	}
	time.Sleep(50 * time.Millisecond) // every forwarder is now blocked sending
	cancel()
	// Do not read out: forwarders blocked on `out <- v` must notice ctx and quit.
	settleGoroutines(t, before, "cancelled while the consumer was not reading", mergeLeak)
	mergeDrain(t, out, time.Second)
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
	got := mergeDrain(t, mergeStart(t, ctx, sources...), 5*time.Second)
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
	if got := mergeDrain(t, mergeStart(t, ctx, a, b), 2*time.Second); len(got) != 2 {
		t.Fatalf("got %v, want the two values 1 and 2", got)
	}
	settleGoroutines(t, before, "after every source closed and the output was drained", mergeLeak)
}
