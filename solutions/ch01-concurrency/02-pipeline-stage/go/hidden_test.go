package main_test

import (
	"context"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
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
	// In a synctest bubble, synctest.Wait returns once every goroutine of the test is blocked:
	// no sleep decides when the stage is stuck on its send or when it has reacted to ctx.
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		in := make(chan int, 100) // plenty of input, closed only when the test is over
		for i := range 100 {
			in <- i
		}
		var out <-chan int
		defer func() { close(in); drainQuietly(out) }()
		out = stageStart(t, ctx, in, 0, func(v int) int { return v })
		select {
		case <-out:
		case <-time.After(2 * time.Second):
			t.Fatalf("no value came out within 2s")
		}
		synctest.Wait() // the stage is now blocked sending the next value
		cancel()
		synctest.Wait() // and has reacted to ctx, whatever it does
		// What is still in the output's buffer may come out; a value more was being sent after
		// ctx was done.
		late := 0
		for open := true; open; {
			select {
			case _, open = <-out:
				if open {
					late++
					synctest.Wait()
				}
			default:
				t.Fatalf("ctx was cancelled while the stage waited to send, and it neither sent nor closed the output")
			}
		}
		if late > cap(out) {
			t.Fatalf("after ctx was cancelled %d value(s) came out of an output with room for %d: the stage was still blocked sending to a consumer that had stopped reading: %s", late, cap(out), stageLeak)
		}
	})
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

func TestHiddenStageCancelStopsABusyStage(t *testing.T) {
	// The input never runs dry and the output has room for everything, so the stage never
	// waits: only a look at ctx before every value can stop it.
	const total = 10_000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan int, total)
	for i := range total {
		in <- i
	}
	var calls atomic.Int64
	out := stageStart(t, ctx, in, total, func(v int) int {
		calls.Add(1)
		if v == 3 {
			cancel()
		}
		return v
	})
	stageDrain(t, out, 3*time.Second)
	// select picks at random among ready cases, so a correct stage may take a few more
	if after := calls.Load() - 4; after > 32 {
		t.Fatalf("fn ran %d more times after ctx was cancelled (while handling value 3), want only a few: watch <-ctx.Done() in the same select as every receive, not only when the input is empty", after)
	}
}
