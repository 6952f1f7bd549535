package main

import (
	"context"
	"slices"
	"testing"
	"time"
)

// stageInput returns a channel that already holds vals and is closed, so
// reading it needs no goroutine.
func stageInput(vals ...int) <-chan int {
	ch := make(chan int, len(vals))
	for _, v := range vals {
		ch <- v
	}
	close(ch)
	return ch
}

// stageStart calls Stage, failing the test if the call itself does not return
// promptly: Stage must start its goroutine and return the channel at once.
func stageStart(t *testing.T, ctx context.Context, in <-chan int, buffer int, fn func(int) int) <-chan int {
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
			t.Fatalf("Stage returned a nil channel: make one with make(chan int, buffer) and return it")
		}
		return out
	case <-time.After(2 * time.Second):
		t.Fatalf("Stage did not return within 2s: do the work in a goroutine (go func() { ... }()) and return the channel right away")
		return nil
	}
}

// stageDrain reads out until it is closed, failing the test after timeout.
func stageDrain(t *testing.T, out <-chan int, timeout time.Duration) []int {
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
			t.Fatalf("output not closed within %v (received %v so far): close the output channel when the input is closed or ctx is done (defer close(out) in the goroutine)", timeout, got)
			return nil
		}
	}
}

func TestStageAppliesFnInOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := stageInput(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	out := stageStart(t, ctx, in, 2, func(v int) int { return v * v })
	got := stageDrain(t, out, 3*time.Second)
	want := []int{1, 4, 9, 16, 25, 36, 49, 64, 81, 100}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v: send fn(v) for every input value, one at a time, in the order they arrive", got, want)
	}
}

func TestStageClosesOutputWhenInputCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := stageStart(t, ctx, stageInput(), 1, func(v int) int { return v })
	if got := stageDrain(t, out, 2*time.Second); len(got) != 0 {
		t.Fatalf("empty input produced %v, want nothing", got)
	}
}

func TestStageOutputHasRequestedBuffer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := stageStart(t, ctx, stageInput(), 3, func(v int) int { return v })
	if cap(out) != 3 {
		t.Fatalf("cap(out) = %d, want 3: the buffer argument is the capacity of the output channel, make(chan int, buffer)", cap(out))
	}
	stageDrain(t, out, 2*time.Second)
}

func TestStageStopsWhenContextIsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan int) // never closed, never sent on: only ctx can end the stage
	out := stageStart(t, ctx, in, 1, func(v int) int { return v })
	cancel()
	stageDrain(t, out, 2*time.Second)
}
