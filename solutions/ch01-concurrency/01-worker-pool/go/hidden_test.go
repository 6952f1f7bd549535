// Hidden tests for the worker pool (instructors only). They use the helpers of visible_test.go.
package main_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"
)

var errBoom = errors.New("boom")

func TestHiddenFirstErrorStopsNewCalls(t *testing.T) {
	// Item 0 is still running when item 1 fails; once its ctx is cancelled it keeps running
	// until MapLimited has returned (or 100ms have passed): a pool that does not wait for it
	// returns while it runs, and a pool that keeps starting calls gets through every other
	// (instant) item meanwhile.
	var g gauge
	sawCancel := make(chan bool, 1)
	returned := make(chan struct{})
	inside := make(chan struct{}) // item 0's call has begun
	work := func(ctx context.Context, x int) (int, error) {
		g.enter()
		defer g.leave()
		switch x {
		case 0:
			close(inside)
			select {
			case <-ctx.Done():
				sawCancel <- true
			case <-time.After(3 * time.Second):
				sawCancel <- false
			}
			select {
			case <-returned:
			case <-time.After(100 * time.Millisecond):
			}
			return 0, ctx.Err()
		case 1:
			select { // fail only once item 0 runs, so that it is still running then
			case <-inside:
			case <-time.After(2 * time.Second):
			}
			return 0, errBoom
		}
		return x, nil
	}
	items := make([]int, 20)
	for i := range items {
		items[i] = i
	}
	_, err := callMapLimited(t, context.Background(), 2, items, work)
	now, _, started := g.read()
	close(returned)
	if !isError(err, errBoom) {
		t.Fatalf("fn failed with boom for item 1: want that first error, got %v", err)
	}
	if now != 0 {
		t.Fatalf("MapLimited returned while %d call(s) were still running: wait for them (wg.Wait) before returning the first error", now)
	}
	if started > 2 {
		t.Fatalf("after the first error no new call may start: %d of 20 started with limit 2 (want only the 2 that were running): cancel before freeing the slot, and watch ctx.Done() while waiting for one", started)
	}
	if !<-sawCancel {
		t.Fatalf("the ctx given to the running calls was not cancelled after the first error")
	}
}

func TestHiddenCancelledContext(t *testing.T) {
	// The caller gives up while the calls of items 1 and 2 run. Whether fn looks at its ctx
	// or not, no new call may start and MapLimited reports the cancellation.
	tests := []struct {
		name  string
		honor bool // fn returns ctx.Err() once its ctx is done
	}{
		{"fn returns ctx.Err()", true},
		{"fn ignores its ctx", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var g gauge
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cancelled := make(chan struct{})
			work := func(ctx context.Context, x int) (int, error) {
				g.enter()
				defer g.leave()
				switch x {
				case 1: // still running when the caller gives up
					select {
					case <-cancelled:
					case <-time.After(2 * time.Second):
					}
				case 2:
					cancel()
					close(cancelled)
				}
				if tc.honor {
					<-ctx.Done()
					return 0, ctx.Err()
				}
				return x, nil
			}
			got, err := callMapLimited(t, ctx, 2, []int{1, 2, 3, 4, 5, 6, 7, 8}, work)
			if !isError(err, context.Canceled) {
				t.Fatalf("the caller cancelled ctx while the first two calls ran (%s): want an error wrapping context.Canceled, got %v, %v: check ctx.Err() after waiting for the calls", tc.name, got, err)
			}
			if _, _, started := g.read(); started > 2 {
				t.Fatalf("%d calls started, want 2: the caller cancelled while the first two ran, so start nothing new (%s)", started, tc.name)
			}
		})
	}
}

// callerContext is a caller's own Context type: the standard library cannot see through it,
// so a context derived from it and never cancelled keeps a goroutine watching it.
type callerContext struct{ context.Context }

func (callerContext) Value(any) any { return nil }

func TestHiddenNoGoroutineLeftBehind(t *testing.T) {
	parent, stop := context.WithCancel(context.Background())
	defer stop()
	ctx := callerContext{parent}
	before := runtime.NumGoroutine()
	items := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	given := make(chan context.Context, len(items))
	if _, err := callMapLimited(t, ctx, 3, items, func(ctx context.Context, x int) (int, error) {
		given <- ctx
		time.Sleep(time.Millisecond)
		return x, nil
	}); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	// A context the pool derived for its calls must be released when it returns: until its
	// cancel runs, a goroutine watches the caller's context (a count could miss it).
	select {
	case c := <-given:
		if c != context.Context(ctx) && c.Err() == nil {
			t.Fatalf("the context MapLimited gave its calls is still live after it returned: " +
				"a context from context.WithCancel is released only by its cancel (defer cancel())")
		}
	default: // fn never ran: the results tests say what is wrong
	}
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutine(s) still running after MapLimited returned "+
			"(a context from context.WithCancel is released only by its cancel: defer cancel())", n-before)
	}
}

func TestHiddenManyItemsStayWithinLimit(t *testing.T) {
	var g gauge
	items := make([]int, 500)
	for i := range items {
		items[i] = i
	}
	got, err := callMapLimited(t, context.Background(), 7, items, func(ctx context.Context, x int) (int, error) {
		g.enter()
		defer g.leave()
		time.Sleep(100 * time.Microsecond)
		return x, nil
	})
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if _, most, _ := g.read(); most > 7 || most < 1 {
		t.Fatalf("%d calls ran at once with limit=7", most)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("result %d is %d, want %d", i, v, i)
		}
	}
	if len(got) != len(items) {
		t.Fatalf("got %d results for %d items", len(got), len(items))
	}
	if got, err := callMapLimited(t, context.Background(), 50, []int{1, 2}, func(ctx context.Context, x int) (int, error) { return x, nil }); err != nil || len(got) != 2 {
		t.Fatalf("a limit above the number of items must work: got %v, %v", got, err)
	}
	var one gauge
	got, err = callMapLimited(t, context.Background(), 1, []int{3, 1, 2}, func(ctx context.Context, x int) (int, error) {
		one.enter()
		defer one.leave()
		return x * 10, nil
	})
	if err != nil {
		t.Fatalf("limit=1 is a valid limit (one call at a time), but MapLimited returned the error %v", err)
	}
	if want := []int{30, 10, 20}; !slices.Equal(got, want) {
		t.Fatalf("MapLimited(limit=1, [3 1 2], x*10) = %v, want %v", got, want)
	}
	if _, most, _ := one.read(); most != 1 {
		t.Fatalf("%d calls ran at once with limit=1", most)
	}
}
