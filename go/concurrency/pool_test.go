package concurrency_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"twinbook/concurrency"
	"twinbook/internal/testutil"
)

var errOdd = errors.New("odd")

// square fails on odd numbers when failOdd is set, returning -1 with the error.
func square(failOdd bool) func(context.Context, int) (int, error) {
	return func(_ context.Context, n int) (int, error) {
		if failOdd && n%2 != 0 {
			return -1, errOdd
		}
		return n * n, nil
	}
}

func TestOrdered(t *testing.T) {
	tests := []struct {
		name    string
		limit   int
		items   []int
		failOdd bool
		want    []int
		wantErr string // "" for no error
	}{
		{name: "no items", limit: 3, items: nil, want: []int{}},
		{name: "one at a time", limit: 1, items: []int{1, 2, 3}, want: []int{1, 4, 9}},
		{name: "limit below items", limit: 2, items: []int{5, 4, 3, 2, 1}, want: []int{25, 16, 9, 4, 1}},
		{name: "limit above items", limit: 10, items: []int{3, 1, 2}, want: []int{9, 1, 4}},
		{
			name: "failures kept in item order", limit: 2, items: []int{1, 2, 3, 4}, failOdd: true,
			want: []int{-1, 4, -1, 16}, wantErr: "item 0: odd\nitem 2: odd",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := concurrency.Ordered(t.Context(), tt.limit, tt.items, square(tt.failOdd))
			if !slices.Equal(got, tt.want) {
				t.Errorf("values = %v, want %v", got, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("err = %q, want %q", err, tt.wantErr)
			case tt.wantErr != "" && !errors.Is(err, errOdd):
				t.Errorf("errors.Is(%v, errOdd) = false", err)
			}
		})
	}
}

func TestPoolRejectsBadLimit(t *testing.T) {
	for _, limit := range []int{0, -1, -100} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			fn := func(context.Context, int) (int, error) {
				t.Error("fn called despite a bad limit")
				return 0, nil
			}
			values, err := concurrency.Ordered(t.Context(), limit, []int{1}, fn)
			checkBadLimit(t, "Ordered", err, limit)
			if values != nil {
				t.Errorf("Ordered values = %v, want nil", values)
			}
			results, err := concurrency.AsCompleted(t.Context(), limit, []int{1}, fn)
			checkBadLimit(t, "AsCompleted", err, limit)
			if results != nil {
				t.Error("AsCompleted returned a channel with its error")
			}
		})
	}
}

func checkBadLimit(t *testing.T, name string, err error, limit int) {
	t.Helper()
	if !errors.Is(err, concurrency.ErrBadLimit) {
		t.Errorf("%s err = %v, want one wrapping ErrBadLimit", name, err)
	} else if !strings.Contains(err.Error(), strconv.Itoa(limit)) {
		t.Errorf("%s err = %q, want it to name the limit %d", name, err, limit)
	}
}

// TestPoolLimit checks that exactly limit calls run at once: never more, and
// no fewer while there is work waiting. Time is fake inside synctest, so the
// sleep costs nothing and every call overlaps the others deterministically.
func TestPoolLimit(t *testing.T) {
	pools := map[string]func(context.Context, int, []int, func(context.Context, int) (int, error)) error{
		"Ordered": func(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) error {
			_, err := concurrency.Ordered(ctx, limit, items, fn)
			return err
		},
		"AsCompleted": func(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) error {
			results, err := concurrency.AsCompleted(ctx, limit, items, fn)
			for range results {
			}
			return err
		},
	}
	tests := []struct{ limit, items int }{{1, 5}, {2, 5}, {3, 10}, {8, 5}}
	for name, pool := range pools {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/limit=%d/items=%d", name, tt.limit, tt.items), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					var g testutil.Gauge
					var calls atomic.Int64
					err := pool(t.Context(), tt.limit, make([]int, tt.items), func(context.Context, int) (int, error) {
						calls.Add(1)
						g.Enter()
						defer g.Exit()
						time.Sleep(time.Millisecond)
						return 0, nil
					})
					if err != nil {
						t.Fatal(err)
					}
					if got, want := g.Peak(), int64(min(tt.limit, tt.items)); got != want {
						t.Errorf("peak concurrency = %d, want %d", got, want)
					}
					if got := calls.Load(); got != int64(tt.items) {
						t.Errorf("calls = %d, want %d", got, tt.items)
					}
				})
			})
		}
	}
}

// TestOrderedCancel cancels while two calls run and four wait: the waiting
// four never start, and Ordered still waits for the running two.
func TestOrderedCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		release := make(chan struct{})
		var calls atomic.Int64
		type outcome struct {
			values []int
			err    error
		}
		done := make(chan outcome)
		go func() {
			values, err := concurrency.Ordered(ctx, 2, []int{1, 2, 3, 4, 5, 6}, func(_ context.Context, n int) (int, error) {
				calls.Add(1)
				<-release // ignores ctx, like a call that cannot be interrupted
				return n * 10, nil
			})
			done <- outcome{values, err}
		}()

		synctest.Wait() // both slots taken, the rest queued
		cancel()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("Ordered returned while calls were still running")
		default:
		}

		close(release)
		got := <-done
		if n := calls.Load(); n != 2 {
			t.Errorf("fn called %d times, want 2", n)
		}
		if want := []int{10, 20, 0, 0, 0, 0}; !slices.Equal(got.values, want) {
			t.Errorf("values = %v, want %v", got.values, want)
		}
		if !errors.Is(got.err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", got.err)
		}
		wantErr := "item 2: context canceled\nitem 3: context canceled\nitem 4: context canceled\nitem 5: context canceled"
		if got.err == nil || got.err.Error() != wantErr {
			t.Errorf("err = %q, want %q", got.err, wantErr)
		}
	})
}

func TestPoolCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	fn := func(context.Context, int) (int, error) {
		t.Error("fn called after cancellation")
		return 0, nil
	}
	results, err := concurrency.AsCompleted(ctx, 2, []int{1, 2, 3}, fn)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	for r := range results {
		seen = append(seen, r.Index)
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("result %d: err = %v, want context.Canceled", r.Index, r.Err)
		}
	}
	if !slices.Equal(seen, []int{0, 1, 2}) {
		t.Errorf("indexes reported = %v, want [0 1 2]", seen)
	}
}

// TestAsCompletedOrder gives each call a known duration (in fake time) and
// checks that results arrive in the order the calls finish.
func TestAsCompletedOrder(t *testing.T) {
	durations := []time.Duration{40, 10, 20, 5} // milliseconds
	tests := []struct {
		limit int
		want  []int // indexes in completion order
	}{
		{limit: 1, want: []int{0, 1, 2, 3}},
		// 0 and 1 start; 1 ends at 10, 2 starts and ends at 30, 3 ends at 35, 0 at 40.
		{limit: 2, want: []int{1, 2, 3, 0}},
		{limit: 4, want: []int{3, 1, 2, 0}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("limit=%d", tt.limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				results, err := concurrency.AsCompleted(t.Context(), tt.limit, durations,
					func(_ context.Context, d time.Duration) (time.Duration, error) {
						time.Sleep(d * time.Millisecond)
						return d, nil
					})
				if err != nil {
					t.Fatal(err)
				}
				var order []int
				for r := range results {
					order = append(order, r.Index)
					if r.Value != durations[r.Index] || r.Err != nil {
						t.Errorf("result %d = (%v, %v), want (%v, nil)", r.Index, r.Value, r.Err, durations[r.Index])
					}
				}
				if !slices.Equal(order, tt.want) {
					t.Errorf("completion order = %v, want %v", order, tt.want)
				}
			})
		})
	}
}

// TestAsCompletedCancel checks that every item is reported exactly once,
// running calls with what they returned and queued ones with ctx.Err().
func TestAsCompletedCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		results, err := concurrency.AsCompleted(ctx, 3, []int{0, 1, 2, 3, 4, 5, 6, 7}, func(ctx context.Context, n int) (int, error) {
			<-ctx.Done()
			return n, fmt.Errorf("call %d: %w", n, ctx.Err())
		})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		cancel()
		seen := make(map[int]bool)
		for r := range results {
			if seen[r.Index] {
				t.Errorf("item %d reported twice", r.Index)
			}
			seen[r.Index] = true
			if !errors.Is(r.Err, context.Canceled) {
				t.Errorf("item %d: err = %v, want context.Canceled", r.Index, r.Err)
			}
			ran := strings.HasPrefix(fmt.Sprint(r.Err), "call ")
			if wantRan := r.Index < 3; ran != wantRan {
				t.Errorf("item %d: ran = %v, want %v (err %v)", r.Index, ran, wantRan, r.Err)
			}
		}
		if len(seen) != 8 {
			t.Errorf("%d items reported, want 8", len(seen))
		}
	})
}

// TestAsCompletedAbandoned walks away after one result: the rest still
// complete into the channel's buffer, and no goroutine is left blocked.
func TestAsCompletedAbandoned(t *testing.T) {
	defer goleak.VerifyNone(t)
	results, err := concurrency.AsCompleted(t.Context(), 2, []int{1, 2, 3, 4, 5}, square(false))
	if err != nil {
		t.Fatal(err)
	}
	<-results
}

func ExampleOrdered() {
	lengths, err := concurrency.Ordered(context.Background(), 2, []string{"go", "python", "c"},
		func(_ context.Context, s string) (int, error) {
			return len(s), nil
		})
	fmt.Println(lengths, err)
	// Output: [2 6 1] <nil>
}

func ExampleAsCompleted() {
	results, err := concurrency.AsCompleted(context.Background(), 2, []string{"go", "python", "c"},
		func(_ context.Context, s string) (int, error) {
			return len(s), nil
		})
	if err != nil {
		panic(err)
	}
	for r := range results {
		fmt.Println(r.Index, r.Value, r.Err)
	}
	// Unordered output:
	// 0 2 <nil>
	// 1 6 <nil>
	// 2 1 <nil>
}

func BenchmarkOrdered(b *testing.B) {
	items := make([]int, 1000)
	for _, limit := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			for b.Loop() {
				if _, err := concurrency.Ordered(b.Context(), limit, items, square(false)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
