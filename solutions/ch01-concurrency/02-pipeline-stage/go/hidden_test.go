package main_test

import (
	"context"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// stageLeak says what to do when the stage's goroutine outlives the test.
const stageLeak = "every send and receive in the stage's goroutine must also watch <-ctx.Done()"

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
	out := stageStart(t, ctx, in, buffer, func(v int) int { calls.Add(1); return v + 100 })
	time.Sleep(300 * time.Millisecond) // nobody reads out: the stage must fill its buffer and stop
	if n := sent.Load(); n > buffer+1 {
		t.Fatalf("the stage took %d values while nobody read its output, want at most buffer+1 = %d: it must block on the full output channel instead of reading on (no extra goroutines or slices)", n, buffer+1)
	}
	if n := calls.Load(); n > buffer+1 {
		t.Fatalf("fn ran %d times while nobody read the output, want at most buffer+1 = %d", n, buffer+1)
	}
	got := stageDrain(t, out, 3*time.Second)
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
	out := stageStart(t, ctx, in, 0, func(v int) int { return -v })
	if cap(out) != 0 {
		t.Fatalf("buffer 0 must give an unbuffered output channel, got cap %d", cap(out))
	}
	got := stageDrain(t, out, 2*time.Second)
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
	out := stageStart(t, ctx, in, 0, func(v int) int { return v })
	select {
	case <-out:
	case <-time.After(2 * time.Second):
		t.Fatalf("no value came out within 2s")
	}
	time.Sleep(50 * time.Millisecond) // the stage is now blocked sending the next value
	cancel()
	// Do not read out: a stage blocked on `out <- v` must notice ctx and quit.
	settleGoroutines(t, before, "cancelled while blocked sending to a stalled consumer", stageLeak)
	stageDrain(t, out, time.Second) // and the output must be closed
}

func TestHiddenStageCancelWhileWaitingForInput(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan int) // never sent on, never closed
	out := stageStart(t, ctx, in, 4, func(v int) int { return v })
	time.Sleep(20 * time.Millisecond)
	cancel()
	stageDrain(t, out, 2*time.Second)
	settleGoroutines(t, before, "cancelled while waiting for input", stageLeak)
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
	out := stageStart(t, ctx, in, 1, func(v int) int { return v * 2 })
	if got, want := stageDrain(t, out, 2*time.Second), []int{2, 4, 6}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	settleGoroutines(t, before, "after the input closed and the output was drained", stageLeak)
}
