// Visible tests for the worker pool: run them with the check cell or `twinbook check`.
package main_test

import (
	. "answer"
	"context"
	"sync"
	"testing"
	"time"
)

// callMapLimited runs MapLimited in a goroutine so that a panic or a hang fails the test
// instead of killing or freezing the whole run.
func callMapLimited(t *testing.T, ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {
	t.Helper()
	type outcome struct {
		got      []int
		err      error
		panicked any
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			o.panicked = recover()
			done <- o
		}()
		o.got, o.err = MapLimited(ctx, limit, items, fn)
	}()
	select {
	case o := <-done:
		if o.panicked != nil {
			t.Fatalf("MapLimited panicked: %v", o.panicked)
		}
		return o.got, o.err
	case <-time.After(5 * time.Second):
		t.Fatalf("MapLimited did not return within 5s (a deadlock?)")
		return nil, nil
	}
}

// gauge counts the calls in flight and remembers the most at once.
type gauge struct {
	mu                 sync.Mutex
	now, most, started int
}

func (g *gauge) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now++
	g.started++
	g.most = max(g.most, g.now)
}

func (g *gauge) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now--
}

func (g *gauge) read() (now, most, started int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now, g.most, g.started
}

func TestResultsInOrder(t *testing.T) {
	items := []int{0, 1, 2, 3, 4, 5, 6, 7}
	slowSquare := func(ctx context.Context, x int) (int, error) {
		time.Sleep(time.Duration(8-x) * 10 * time.Millisecond) // later items finish first
		return x * x, nil
	}
	got, err := callMapLimited(t, context.Background(), 4, items, slowSquare)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	want := []int{0, 1, 4, 9, 16, 25, 36, 49}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v (results in the order of items)", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v (results in the order of items)", got, want)
		}
	}
}

func TestRunsLimitCallsAtOnce(t *testing.T) {
	var g gauge
	waitForCompany := func(ctx context.Context, x int) (int, error) {
		g.enter()
		defer g.leave()
		deadline := time.Now().Add(2 * time.Second)
		for {
			if _, most, _ := g.read(); most >= 3 {
				return x, nil
			}
			if time.Now().After(deadline) {
				return 0, context.DeadlineExceeded
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	_, err := callMapLimited(t, context.Background(), 3, []int{0, 1, 2, 3, 4, 5}, waitForCompany)
	if _, most, _ := g.read(); most < 3 || err != nil {
		t.Fatalf("only %d call(s) ran at once with limit=3 (err: %v): run each call in its own goroutine", most, err)
	}
}

func TestNeverMoreThanLimit(t *testing.T) {
	var g gauge
	work := func(ctx context.Context, x int) (int, error) {
		g.enter()
		defer g.leave()
		time.Sleep(10 * time.Millisecond)
		return -x, nil
	}
	items := make([]int, 20)
	for i := range items {
		items[i] = i
	}
	got, err := callMapLimited(t, context.Background(), 4, items, work)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if _, most, _ := g.read(); most > 4 {
		t.Fatalf("%d calls ran at once with limit=4", most)
	}
	for i, v := range got {
		if v != -i {
			t.Fatalf("got %v: result %d should be %d", got, i, -i)
		}
	}
	if len(got) != len(items) {
		t.Fatalf("got %d results for %d items", len(got), len(items))
	}
}

func TestBadLimitIsAnError(t *testing.T) {
	for _, limit := range []int{0, -1} {
		called := false
		fn := func(ctx context.Context, x int) (int, error) { called = true; return x, nil }
		if _, err := callMapLimited(t, context.Background(), limit, []int{1, 2, 3}, fn); err == nil {
			t.Fatalf("limit=%d: want an error, got nil", limit)
		}
		if called {
			t.Fatalf("limit=%d: fn must not be called", limit)
		}
	}
}

func TestEmptyItems(t *testing.T) {
	var g gauge // fn only counts its calls: the check is below, in the test
	fn := func(ctx context.Context, x int) (int, error) { g.enter(); defer g.leave(); return x, nil }
	got, err := callMapLimited(t, context.Background(), 3, nil, fn)
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want an empty slice and no error", got, err)
	}
	if _, _, started := g.read(); started != 0 {
		t.Fatalf("fn called %d time(s) with no items", started)
	}
}
