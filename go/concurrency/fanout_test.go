package concurrency_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/concurrency"
	"twinbook/internal/testutil"
)

func TestMerge(t *testing.T) {
	tests := []struct {
		name    string
		sources [][]int
	}{
		{"no sources", nil},
		{"one source", [][]int{{1, 2, 3}}},
		{"an empty source", [][]int{{}}},
		{"three sources", [][]int{{10, 11, 12}, {}, {30, 31, 32, 33}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			var chans []<-chan int
			var want []int
			for _, src := range tt.sources {
				chans = append(chans, concurrency.Generate(ctx, src...))
				want = append(want, src...)
			}
			got := concurrency.Collect(ctx, concurrency.Merge(ctx, chans...))

			// Every value once, and each source's values in their order.
			if sorted := slices.Sorted(slices.Values(got)); !slices.Equal(sorted, want) {
				t.Errorf("merged values = %v, want %v in any order", got, want)
			}
			for _, src := range tt.sources {
				var fromSrc []int
				for _, v := range got {
					if slices.Contains(src, v) {
						fromSrc = append(fromSrc, v)
					}
				}
				if !slices.Equal(fromSrc, src) {
					t.Errorf("source %v came out as %v", src, fromSrc)
				}
			}
		})
	}
}

// TestMergeStopsOnCancel: the output closes on cancellation even though no
// source ever closes, and no forwarder is left blocked (synctest checks).
func TestMergeStopsOnCancel(t *testing.T) {
	tests := []struct {
		name     string
		readLast bool
	}{
		{"reader waiting", true},
		{"nobody reading", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				busy := make(chan int, 1)
				busy <- 7 // a forwarder will be stuck sending this while nobody reads
				out := concurrency.Merge(ctx, make(chan int), make(chan int), busy)
				synctest.Wait()
				cancel()
				if tt.readLast {
					for range out {
					}
				}
			})
		})
	}
}

func TestFanOut(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			ctx := t.Context()
			var items, want []int
			for i := range 50 {
				items = append(items, i)
				want = append(want, i*i)
			}
			outs := concurrency.FanOut(ctx, concurrency.Generate(ctx, items...), workers,
				func(_ context.Context, n int) int { return n * n })
			if len(outs) != workers {
				t.Fatalf("FanOut returned %d channels, want %d", len(outs), workers)
			}
			got := concurrency.Collect(ctx, concurrency.Merge(ctx, outs...))
			if sorted := slices.Sorted(slices.Values(got)); !slices.Equal(sorted, want) {
				t.Errorf("got %v, want %v in any order", sorted, want)
			}
		})
	}
}

// TestFanOutRunsInParallel checks that all the workers really work at once
// and that there are never more of them than asked for.
func TestFanOutRunsInParallel(t *testing.T) {
	for _, workers := range []int{1, 3, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				var g testutil.Gauge
				outs := concurrency.FanOut(ctx, concurrency.Generate(ctx, make([]int, 20)...), workers,
					func(_ context.Context, n int) int {
						g.Enter()
						defer g.Exit()
						time.Sleep(time.Millisecond)
						return n
					})
				if got := len(concurrency.Collect(ctx, concurrency.Merge(ctx, outs...))); got != 20 {
					t.Errorf("got %d values, want 20", got)
				}
				if got := g.Peak(); got != int64(workers) {
					t.Errorf("peak concurrency = %d, want %d", got, workers)
				}
			})
		})
	}
}

func TestFanOutStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		outs := concurrency.FanOut(ctx, make(chan int), 3, identity[int])
		cancel()
		for _, out := range outs {
			for range out {
			}
		}
	})
}

func TestFanOutRejectsNoWorkers(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("FanOut with 0 workers did not panic")
		}
	}()
	concurrency.FanOut(t.Context(), make(chan int), 0, identity[int])
}

func ExampleFanOut() {
	ctx := context.Background()
	words := concurrency.Generate(ctx, "fan", "out", "and", "in")
	outs := concurrency.FanOut(ctx, words, 3, func(_ context.Context, w string) int {
		return len(w)
	})
	lengths := concurrency.Collect(ctx, concurrency.Merge(ctx, outs...))
	slices.Sort(lengths) // the workers finish in any order
	fmt.Println(lengths)
	// Output: [2 3 3 3]
}

func ExampleMerge() {
	ctx := context.Background()
	evens := concurrency.Generate(ctx, 0, 2)
	odds := concurrency.Generate(ctx, 1, 3)
	for n := range concurrency.Merge(ctx, evens, odds) {
		fmt.Println(n)
	}
	// Unordered output:
	// 0
	// 1
	// 2
	// 3
}
