// Hidden tests for retry around a circuit breaker (instructors only). They use the
// helpers of visible_test.go.
//
// The last tests wrap Retry around a real breaker (the spec's count-window breaker
// with a one-call half-open, on a fake clock that Sleep advances) and check the whole
// story.
package main_test

import (
	. "answer"
	"errors"
	"fmt"
	"slices"
	"testing"
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
	return Retry(b, cfg, fn)
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
