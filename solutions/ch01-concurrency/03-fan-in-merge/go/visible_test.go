package main_test

import (
	. "answer"
	"context"
	"slices"
	"testing"
	"time"
)

// mergeStart calls Merge, failing the test if the call does not return
// promptly or panics: Merge must start goroutines and return at once.
func mergeStart(t *testing.T, ctx context.Context, sources ...<-chan int) <-chan int {
	t.Helper()
	return callForChan(t, "Merge", func() <-chan int { return Merge(ctx, sources...) },
		"make the output channel and return it",
		"start the forwarding goroutines and return the output channel right away")
}

// mergeDrain reads out until it is closed, failing the test after timeout.
func mergeDrain(t *testing.T, out <-chan int, timeout time.Duration) []int {
	t.Helper()
	return drainChan(t, out, timeout, "close it once every source is closed (a sync.WaitGroup and one more goroutine that waits and closes)")
}

func TestMergeNothingLostOrDuplicated(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var want []int
	var sources []<-chan int
	for s := range 3 {
		var vals []int
		for i := range 10 {
			vals = append(vals, s*10+i)
		}
		want = append(want, vals...)
		sources = append(sources, chanOf(vals...))
	}
	got := mergeDrain(t, mergeStart(t, ctx, sources...), 3*time.Second)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("sorted output %v, want %v: every value from every source exactly once", got, want)
	}
}

func TestMergeKeepsEachSourcesOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := chanOf(100, 101, 102, 103, 104)
	b := chanOf(200, 201, 202, 203, 204)
	got := mergeDrain(t, mergeStart(t, ctx, a, b), 3*time.Second)
	var fromA, fromB []int
	for _, v := range got {
		if v < 200 {
			fromA = append(fromA, v)
		} else {
			fromB = append(fromB, v)
		}
	}
	if !slices.IsSorted(fromA) || !slices.IsSorted(fromB) || len(fromA) != 5 || len(fromB) != 5 {
		t.Fatalf("output %v: values from one source must keep their order (one goroutine per source forwarding in a loop does that)", got)
	}
}

func TestMergeClosesOnlyAfterAllSourcesClose(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	early := chanOf(1)
	late := make(chan int)
	out := mergeStart(t, ctx, early, late)
	select {
	case v, ok := <-out:
		if !ok {
			t.Fatalf("output closed before any value arrived: wait for every source, not just the first one to close")
		}
		if v != 1 {
			t.Fatalf("first value %d, want 1", v)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("the value from the first source did not arrive within 2s")
	}
	select {
	case v, ok := <-out:
		if !ok {
			t.Fatalf("output closed while a source was still open: close it only after ALL sources are closed")
		}
		t.Fatalf("unexpected value %d", v)
	case <-time.After(200 * time.Millisecond):
	}
	go func() { late <- 2; close(late) }()
	if got := mergeDrain(t, out, 2*time.Second); !slices.Equal(got, []int{2}) {
		t.Fatalf("after the last source sent 2 and closed: got %v, want [2]", got)
	}
}

func TestMergeZeroSources(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if got := mergeDrain(t, mergeStart(t, ctx), 2*time.Second); len(got) != 0 {
		t.Fatalf("Merge with no sources produced %v, want a channel that is simply closed", got)
	}
}
