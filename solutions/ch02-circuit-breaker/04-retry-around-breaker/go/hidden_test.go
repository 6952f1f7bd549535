// Hidden tests for retry around a circuit breaker (instructors only). They use the
// helpers of visible_test.go.
//
// The last tests wrap Retry around a real breaker (the spec's count-window breaker
// with a one-call half-open, on a fake clock that Sleep advances) and check the whole
// story.
package main_test

import (
	. "answer"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// hrBreaker: window 2, minimum 2, threshold 50%, wait 1000 ms, one trial call in half_open.
type hrBreaker struct {
	now      *int64
	state    string
	window   []bool
	openedAt int64
}

func (b *hrBreaker) Call(fn func() error) error {
	if b.state == "open" && *b.now >= b.openedAt+1000 {
		b.state = "half_open"
	}
	if b.state == "open" {
		return &OpenError{RetryAfterMs: b.openedAt + 1000 - *b.now}
	}
	err := fn()
	failed := err != nil
	if b.state == "half_open" {
		b.state, b.window = "closed", nil
		if failed {
			b.state = "open"
		}
	} else {
		b.window = append(b.window, failed)
		if len(b.window) > 2 {
			b.window = b.window[1:]
		}
		if len(b.window) == 2 && (b.window[0] || b.window[1]) {
			b.state, b.window = "open", nil
		}
	}
	if b.state == "open" {
		b.openedAt = *b.now
	}
	return err
}

func hrRetry(t *testing.T, b Caller, cfg RetryConfig, fn func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Retry panicked: %v", r)
		}
	}()
	return Retry(context.Background(), b, cfg, fn)
}

func TestHiddenSuccessAtOnceNeverSleeps(t *testing.T) {
	f := &rtFlaky{}
	if err, sleeps := rtRun(t, &rtScript{}, f.call, 5, nil); err != nil || len(sleeps) != 0 {
		t.Fatalf("first call succeeded: got %v, slept %v", err, sleeps)
	}
}

func TestHiddenRejectedLastAttemptReturnsOpenError(t *testing.T) {
	f := &rtFlaky{}
	err, sleeps := rtRun(t, &rtScript{rejected: map[int]int64{1: 10, 2: 10}}, f.call, 2, nil)
	var open *OpenError
	if !errors.As(err, &open) {
		t.Fatalf("the last attempt was rejected: want the *OpenError, got %v", err)
	}
	if !slices.Equal(sleeps, []int64{50}) {
		t.Fatalf("slept %v, want [50]", sleeps)
	}
}

func TestHiddenWrappedOpenErrorIsRecognised(t *testing.T) {
	calls := 0
	b := callerFunc(func(fn func() error) error {
		calls++
		if calls == 1 {
			return fmt.Errorf("payments: %w", &OpenError{RetryAfterMs: 800})
		}
		return fn()
	})
	f := &rtFlaky{}
	err, sleeps := rtRun(t, b, f.call, 3, func(error) bool { return false })
	if err != nil || !slices.Equal(sleeps, []int64{800}) {
		t.Fatalf("a wrapped *OpenError (errors.As) is a rejection, waited out whatever Retryable says: got %v, slept %v", err, sleeps)
	}
}

// callerFunc adapts a function to Caller.
type callerFunc func(fn func() error) error

func (f callerFunc) Call(fn func() error) error { return f(fn) }

func TestHiddenAttemptsBelowOneIsAnError(t *testing.T) {
	for _, attempts := range []int{0, -3} {
		f := &rtFlaky{}
		if err, _ := rtRun(t, &rtScript{}, f.call, attempts, nil); err == nil || f.calls != 0 {
			t.Fatalf("Attempts %d: got %v after %d calls, want an error and no call", attempts, err, f.calls)
		}
	}
}

func TestHiddenBackoffStaysAtTheCapForManyFailures(t *testing.T) {
	if got := rtBackoff(t, 500, 100, 30_000, 0.5); got != 15_000 {
		t.Fatalf("BackoffMs(500, 100, 30000, rand 0.5) = %d, want 15000: the cap holds however many failures (mind overflow)", got)
	}
}

func TestHiddenOneAttemptMeansNoRetry(t *testing.T) {
	boom := errors.New("x")
	f := &rtFlaky{errs: []error{boom}}
	if err, sleeps := rtRun(t, &rtScript{}, f.call, 1, nil); err != boom || f.calls != 1 || len(sleeps) != 0 {
		t.Fatalf("Attempts 1: got %v, %d calls, slept %v", err, f.calls, sleeps)
	}
}

func TestHiddenAroundARealBreakerThatStaysBroken(t *testing.T) {
	var now int64
	b := &hrBreaker{now: &now, state: "closed"}
	var calls, sleeps []int64
	errDown := errors.New("down")
	err := hrRetry(t, b, RetryConfig{Attempts: 6, BaseDelayMs: 100, MaxDelayMs: 10_000,
		Sleep: func(ms int64) { sleeps = append(sleeps, ms); now += ms }, Rand: func() float64 { return 0.5 }},
		func() error { calls = append(calls, now); return errDown })
	// t=0 fail, t=50 fail (opens), t=150 rejected (900 ms left), t=1050 trial fails (reopens),
	// t=1450 rejected (600 ms left, backoff 800), t=2250 trial fails: the last attempt
	if want := []int64{50, 100, 900, 400, 800}; !slices.Equal(sleeps, want) {
		t.Fatalf("slept %v, want %v", sleeps, want)
	}
	if want := []int64{0, 50, 1050, 2250}; !slices.Equal(calls, want) {
		t.Fatalf("fn ran at %v ms, want %v: rejected attempts never reach fn", calls, want)
	}
	if err != errDown {
		t.Fatalf("the last attempt's error must be returned, got %v", err)
	}
}

func TestHiddenAroundARealBreakerThatRecovers(t *testing.T) {
	var now int64
	b := &hrBreaker{now: &now, state: "closed"}
	var sleeps []int64
	err := hrRetry(t, b, RetryConfig{Attempts: 6, BaseDelayMs: 100, MaxDelayMs: 10_000,
		Sleep: func(ms int64) { sleeps = append(sleeps, ms); now += ms }, Rand: func() float64 { return 0.5 }},
		func() error {
			if now < 1000 {
				return errors.New("down")
			}
			return nil
		})
	if err != nil || !slices.Equal(sleeps, []int64{50, 100, 900}) {
		t.Fatalf("got %v, slept %v: want nil after [50 100 900]", err, sleeps)
	}
	if b.state != "closed" {
		t.Fatalf("the successful trial call closed the breaker: state %q", b.state)
	}
}

func TestHiddenACanceledContextMakesNoCall(t *testing.T) {
	f := &rtFlaky{}
	b := &rtScript{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err, sleeps := rtRunCtx(t, ctx, b, f.call, 5, nil, nil)
	if b.calls != 0 || !rtIs(err, context.Canceled) || len(sleeps) != 0 {
		t.Fatalf("ctx canceled before Retry began: %d calls, error %v, slept %v; want no call, an error matching context.Canceled, no wait", b.calls, err, sleeps)
	}
}

func TestHiddenACallerThatGivesUpWhileTheBreakerIsOpen(t *testing.T) {
	f := &rtFlaky{}
	b := &rtScript{rejected: map[int]int64{1: 60_000, 2: 60_000}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err, sleeps := rtRunCtx(t, ctx, b, f.call, 5, nil, func(int) { cancel() })
	var open *OpenError
	if b.calls != 1 || !rtIs(err, context.Canceled) || !errors.As(err, &open) {
		t.Fatalf("the caller gave up while waiting out an open breaker: %d attempts, error %v; want 1 attempt and an error matching context.Canceled and the *OpenError", b.calls, err)
	}
	if !slices.Equal(sleeps, []int64{60_000}) {
		t.Fatalf("slept %v, want [60000]", sleeps)
	}
}

func TestHiddenAWaitPastTheDeadlineIsNotStarted(t *testing.T) {
	// the deadline is an hour away: a wait of two hours would outlast it, 50 ms would not
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	f := &rtFlaky{errs: []error{errors.New("a")}}
	if err, sleeps := rtRunCtx(t, ctx, &rtScript{}, f.call, 5, nil, nil); err != nil || !slices.Equal(sleeps, []int64{50}) {
		t.Fatalf("a 50 ms wait, an hour before the deadline: got %v, slept %v; want nil after [50]", err, sleeps)
	}
	b := &rtScript{rejected: map[int]int64{1: 2 * 3_600_000}}
	err, sleeps := rtRunCtx(t, ctx, b, (&rtFlaky{}).call, 5, nil, nil)
	var open *OpenError
	if len(sleeps) != 0 || b.calls != 1 {
		t.Fatalf("the breaker is open for 2 hours and the caller's deadline is in 1: slept %v after %d attempts; want no wait after 1 attempt: a wait that ends after the deadline is not started", sleeps, b.calls)
	}
	if !rtIs(err, context.DeadlineExceeded) || !errors.As(err, &open) {
		t.Fatalf("a wait past the deadline: Retry returned %v, want an error matching context.DeadlineExceeded and the *OpenError", err)
	}
}
