package concurrency_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"twinbook/concurrency"
)

func identity[T any](_ context.Context, v T) T { return v }

func TestPipeline(t *testing.T) {
	for _, buffer := range []int{0, 1, 16} {
		t.Run(fmt.Sprintf("buffer=%d", buffer), func(t *testing.T) {
			ctx := t.Context()
			nums := concurrency.Generate(ctx, 1, 2, 3, 4, 5)
			squares := concurrency.Stage(ctx, nums, buffer, func(_ context.Context, n int) int { return n * n })
			labels := concurrency.Stage(ctx, squares, buffer, func(_ context.Context, n int) string { return "#" + strconv.Itoa(n) })
			got := concurrency.Collect(ctx, labels)
			if want := []string{"#1", "#4", "#9", "#16", "#25"}; !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestStageBackpressure blocks the consumer of a chain of stages and checks
// how far the producer gets: each stage holds its buffer plus the one value
// it is trying to send, and not one value more. synctest.Wait returns once
// every goroutine is blocked, so the count it reads is final, not a guess.
func TestStageBackpressure(t *testing.T) {
	tests := []struct {
		name    string
		buffers []int // one stage per buffer, in order
	}{
		{"one unbuffered stage", []int{0}},
		{"one stage buffering 1", []int{1}},
		{"one stage buffering 5", []int{5}},
		{"three stages", []int{2, 0, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				var sent atomic.Int64
				src := make(chan int)
				go func() {
					defer close(src)
					for i := 0; ; i++ {
						select {
						case src <- i:
							sent.Add(1)
						case <-ctx.Done():
							return
						}
					}
				}()
				var out <-chan int = src
				ahead := int64(0)
				for _, b := range tt.buffers {
					out = concurrency.Stage(ctx, out, b, identity[int])
					ahead += int64(b) + 1
				}

				synctest.Wait()
				if got := sent.Load(); got != ahead {
					t.Errorf("with nobody reading, producer sent %d, want %d", got, ahead)
				}
				for i := range int64(3) {
					if v := <-out; int64(v) != i {
						t.Fatalf("read %d, want %d", v, i)
					}
					synctest.Wait()
					if got, want := sent.Load(), ahead+i+1; got != want {
						t.Errorf("after %d reads, producer sent %d, want %d", i+1, got, want)
					}
				}
			})
		})
	}
}

// TestPipelineStopsOnCancel cancels pipelines stuck at either end. synctest
// fails the test if any goroutine is still blocked when it ends, so each
// case is also a leak check.
func TestPipelineStopsOnCancel(t *testing.T) {
	tests := []struct {
		name string
		run  func(ctx context.Context, cancel func()) // must return, with every goroutine stopped
	}{
		{"input never closes", func(ctx context.Context, cancel func()) {
			out := concurrency.Stage(ctx, make(chan int), 0, identity[int])
			cancel()
			for range out {
			}
		}},
		{"output never read", func(ctx context.Context, cancel func()) {
			concurrency.Stage(ctx, concurrency.Generate(ctx, 1, 2, 3, 4), 1, identity[int])
			synctest.Wait()
			cancel()
		}},
		{"generate never read", func(ctx context.Context, cancel func()) {
			concurrency.Generate(ctx, 1, 2, 3)
			cancel()
		}},
		{"collect from an open channel", func(ctx context.Context, cancel func()) {
			src := make(chan int, 2)
			src <- 1
			src <- 2
			go func() {
				synctest.Wait() // once Collect has drained src and blocked
				cancel()
			}()
			if got := concurrency.Collect(ctx, src); !slices.Equal(got, []int{1, 2}) {
				panic(fmt.Sprintf("Collect = %v, want [1 2]", got))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				tt.run(ctx, cancel)
			})
		})
	}
}

func TestGenerateStopsEarly(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	nums := concurrency.Generate(ctx, 1, 2, 3, 4, 5)
	if v := <-nums; v != 1 {
		t.Fatalf("first value = %d, want 1", v)
	}
	cancel()
	// With a reader waiting, select may still pick a send over the
	// cancellation; what must hold is that the channel closes and nothing
	// comes out of order.
	rest := concurrency.Collect(context.Background(), nums)
	if want := []int{2, 3, 4, 5}[:len(rest)]; !slices.Equal(rest, want) {
		t.Errorf("after cancel got %v, want a prefix of [2 3 4 5]", rest)
	}
}

func TestStageRejectsNegativeBuffer(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Stage with buffer -1 did not panic")
		}
	}()
	concurrency.Stage(t.Context(), make(chan int), -1, identity[int])
}

func ExampleStage() {
	ctx := context.Background()
	nums := concurrency.Generate(ctx, 1, 2, 3, 4)
	squares := concurrency.Stage(ctx, nums, 2, func(_ context.Context, n int) int {
		return n * n
	})
	fmt.Println(concurrency.Collect(ctx, squares))
	// Output: [1 4 9 16]
}
