package main_test

import (
	. "answer"
	"context"
	"slices"
	"testing"
	"time"
)

// stageStart calls Stage, failing the test if the call itself does not return
// promptly: Stage must start its goroutine and return the channel at once.
func stageStart(t *testing.T, ctx context.Context, in <-chan int, buffer int, fn func(int) int) <-chan int {
	t.Helper()
	return callForChan(t, "Stage", func() <-chan int { return Stage(ctx, in, buffer, fn) },
		"make one with make(chan int, buffer) and return it",
		"do the work in a goroutine (go func() { ... }()) and return the channel right away")
}

// stageDrain reads out until it is closed, failing the test after timeout.
func stageDrain(t *testing.T, out <-chan int, timeout time.Duration) []int {
	t.Helper()
	return drainChan(t, out, timeout, "close the output channel when the input is closed or ctx is done (defer close(out) in the goroutine)")
}

func TestStageAppliesFnInOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := chanOf(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
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
	out := stageStart(t, ctx, chanOf(), 1, func(v int) int { return v })
	if got := stageDrain(t, out, 2*time.Second); len(got) != 0 {
		t.Fatalf("empty input produced %v, want nothing", got)
	}
}

func TestStageOutputHasRequestedBuffer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := stageStart(t, ctx, chanOf(), 3, func(v int) int { return v })
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
