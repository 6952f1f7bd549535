// Visible tests for retry around a circuit breaker: run them with the check cell.
package main_test

import (
	. "answer"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// rtScript is a stand-in breaker: it rejects the calls whose numbers (1, 2, ...)
// are keys of rejected, with that RetryAfterMs, and runs fn for the others.
type rtScript struct {
	rejected map[int]int64
	calls    int
}

func (s *rtScript) Call(fn func() error) error {
	s.calls++
	if ms, ok := s.rejected[s.calls]; ok {
		return &OpenError{RetryAfterMs: ms}
	}
	return fn()
}

// rtFlaky returns errs[i] on its i-th call while there are some, then nil.
type rtFlaky struct {
	errs  []error
	calls int
}

func (f *rtFlaky) call() error {
	f.calls++
	if f.calls <= len(f.errs) {
		return f.errs[f.calls-1]
	}
	return nil
}

// rtRun runs Retry with a recording Sleep and Rand fixed at rand, turning a panic into
// a test failure; it returns Retry's error and the sleeps.
func rtRun(t *testing.T, b Caller, fn func() error, attempts int, retryable func(error) bool) (err error, sleeps []int64) {
	t.Helper()
	return rtRunCtx(t, context.Background(), b, fn, attempts, retryable, nil)
}

// rtRunCtx is rtRun with the caller's ctx, and onSleep(n) called at the n-th wait (if not nil).
func rtRunCtx(t *testing.T, ctx context.Context, b Caller, fn func() error, attempts int, retryable func(error) bool, onSleep func(n int)) (err error, sleeps []int64) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Retry panicked: %v", r)
		}
	}()
	cfg := RetryConfig{Attempts: attempts, BaseDelayMs: 100, MaxDelayMs: 10_000,
		Sleep: func(ms int64) {
			sleeps = append(sleeps, ms)
			if onSleep != nil {
				onSleep(len(sleeps))
			}
		},
		Rand: func() float64 { return 0.5 }, Retryable: retryable}
	err = Retry(ctx, b, cfg, fn)
	return err, sleeps
}

// rtIs reports whether err is target or wraps it (Unwrap() error or Unwrap() []error),
// comparing by identity: the answer's errors' own Is methods are not asked.
func rtIs(err, target error) bool {
	if err == nil {
		return false
	}
	if err == target {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return rtIs(u.Unwrap(), target)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if rtIs(e, target) {
				return true
			}
		}
	}
	return false
}

func rtBackoff(t *testing.T, n int, base, max int64, r float64) (ms int64) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("BackoffMs panicked: %v", p)
		}
	}()
	return BackoffMs(n, base, max, func() float64 { return r })
}

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	var got []int64
	for n := 1; n <= 6; n++ {
		got = append(got, rtBackoff(t, n, 100, 1000, 0.5))
	}
	if want := []int64{50, 100, 200, 400, 500, 500}; !slices.Equal(got, want) {
		t.Fatalf("BackoffMs(n, base 100, cap 1000, rand 0.5) for n = 1..6: %v, want %v: int64(rand() * min(cap, base*2^(n-1)))", got, want)
	}
}

func TestFullJitterScalesByRand(t *testing.T) {
	for _, c := range []struct {
		r    float64
		want int64
	}{{0, 0}, {0.25, 100}, {0.999, 399}} {
		if got := rtBackoff(t, 3, 100, 10_000, c.r); got != c.want {
			t.Fatalf("BackoffMs(3, 100, 10000) with rand() = %v (cap 400 ms): %d, want %d", c.r, got, c.want)
		}
	}
}

func TestReturnsAtTheFirstSuccess(t *testing.T) {
	f := &rtFlaky{errs: []error{errors.New("a"), errors.New("b")}}
	err, sleeps := rtRun(t, &rtScript{}, f.call, 5, nil)
	if err != nil || f.calls != 3 {
		t.Fatalf("two failures then success: Retry returned %v after %d calls, want nil after 3", err, f.calls)
	}
	if !slices.Equal(sleeps, []int64{50, 100}) {
		t.Fatalf("slept %v, want [50 100] (backoff after failures 1 and 2)", sleeps)
	}
}

func TestGivesUpAfterAttemptsWithTheLastError(t *testing.T) {
	var errs []error
	for i := 1; i <= 4; i++ {
		errs = append(errs, fmt.Errorf("failure %d", i))
	}
	f := &rtFlaky{errs: errs}
	err, sleeps := rtRun(t, &rtScript{}, f.call, 3, nil)
	if err != errs[2] {
		t.Fatalf("3 attempts, all failed: Retry returned %v, want the 3rd attempt's error", err)
	}
	if f.calls != 3 || !slices.Equal(sleeps, []int64{50, 100}) {
		t.Fatalf("Attempts 3: %d calls, slept %v; want 3 calls and [50 100] (no sleep after the last attempt)", f.calls, sleeps)
	}
}

func TestWaitsOutAnOpenBreaker(t *testing.T) {
	f := &rtFlaky{}
	err, sleeps := rtRun(t, &rtScript{rejected: map[int]int64{1: 3000}}, f.call, 5, nil)
	if err != nil || f.calls != 1 {
		t.Fatalf("got %v after %d fn calls, want nil after 1", err, f.calls)
	}
	if !slices.Equal(sleeps, []int64{3000}) {
		t.Fatalf("slept %v after a rejection with RetryAfterMs 3000 (backoff 50): want [3000]: wait at least RetryAfterMs", sleeps)
	}
}

func TestANonRetryableErrorIsReturnedAtOnce(t *testing.T) {
	errNotFound := errors.New("not found")
	f := &rtFlaky{errs: []error{errNotFound}}
	err, sleeps := rtRun(t, &rtScript{}, f.call, 5, func(err error) bool { return !errors.Is(err, errNotFound) })
	if err != errNotFound || f.calls != 1 || len(sleeps) != 0 {
		t.Fatalf("a non-retryable error: got %v after %d calls, slept %v; want it at once, 1 call, no sleep", err, f.calls, sleeps)
	}
}

func TestStopsWhenTheCallerCancels(t *testing.T) {
	var errs []error
	for i := 1; i <= 5; i++ {
		errs = append(errs, fmt.Errorf("failure %d", i))
	}
	f := &rtFlaky{errs: errs}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// the caller gives up during the 2nd wait (the user closed the page, say)
	err, sleeps := rtRunCtx(t, ctx, &rtScript{}, f.call, 5, nil, func(n int) {
		if n == 2 {
			cancel()
		}
	})
	if f.calls != 2 {
		t.Fatalf("the caller canceled ctx during the 2nd wait: fn called %d times, want 2: check ctx before every attempt", f.calls)
	}
	if !rtIs(err, context.Canceled) || !rtIs(err, errs[1]) {
		t.Fatalf("the caller gave up: Retry returned %v, want an error matching both context.Canceled and the last attempt's error (errors.Join)", err)
	}
	if !slices.Equal(sleeps, []int64{50, 100}) {
		t.Fatalf("slept %v, want [50 100]: no wait after giving up", sleeps)
	}
}
