// wrong: returns ctx's error alone when the caller gives up: the last attempt's error is lost
package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// OpenError is what a breaker returns when it rejects a call.
type OpenError struct {
	RetryAfterMs int64 // how long until the breaker may let calls through again
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("circuit breaker open: retry after %d ms", e.RetryAfterMs)
}

// Caller runs fn through a circuit breaker: it returns fn's error, or an
// *OpenError without calling fn when the breaker rejects the call.
type Caller interface {
	Call(fn func() error) error
}

// RetryConfig configures Retry.
type RetryConfig struct {
	Attempts    int                  // how many attempts in all, >= 1
	BaseDelayMs int64                // the backoff after the first failed attempt (before jitter)
	MaxDelayMs  int64                // the backoff never exceeds this (before jitter)
	Sleep       func(ms int64)       // waits; tests pass a fake
	Rand        func() float64       // a number in [0, 1); tests pass a fake
	Retryable   func(err error) bool // nil: every error of fn is retryable
}

// BackoffMs is how long to wait after the failures-th failed attempt (1, 2, ...):
// "full jitter", a random share of an exponential cap:
// int64(rand() * min(maxMs, baseMs * 2^(failures-1))).
func BackoffMs(failures int, baseMs, maxMs int64, rand func() float64) int64 {
	limit := baseMs
	for i := 1; i < failures && limit < maxMs; i++ { // doubling stops at the cap: no overflow
		limit *= 2
	}
	limit = min(limit, maxMs)
	return int64(rand() * float64(limit))
}

// Retry calls b.Call(fn) up to cfg.Attempts times and returns nil at the first
// success. After the n-th failed attempt it sleeps BackoffMs(n, ...) before the
// next one. A rejection (an *OpenError, errors.As) is an attempt too, and the wait
// after it is at least its RetryAfterMs. An error for which cfg.Retryable reports
// false is returned at once; after the last attempt its error is returned.
// Attempts < 1 is an error. ctx is the caller's: once it is done, Retry makes no further
// attempt and returns an error matching both ctx.Err() and the last attempt's error; a
// wait that would end after ctx's deadline is not started (the error then matches
// context.DeadlineExceeded and the last attempt's error).
func Retry(ctx context.Context, b Caller, cfg RetryConfig, fn func() error) error {
	if cfg.Attempts < 1 {
		return fmt.Errorf("retry: attempts must be >= 1, got %d", cfg.Attempts)
	}
	var err error // the last attempt's
	for attempt := 1; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil { // the caller gave up: no more attempts
			return cerr
		}
		err = b.Call(fn)
		if err == nil {
			return nil
		}
		if attempt == cfg.Attempts {
			return err
		}
		delay := BackoffMs(attempt, cfg.BaseDelayMs, cfg.MaxDelayMs, cfg.Rand)
		var open *OpenError
		if errors.As(err, &open) {
			delay = max(delay, open.RetryAfterMs)
		} else if cfg.Retryable != nil && !cfg.Retryable(err) {
			return err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < time.Duration(delay)*time.Millisecond {
			return errors.Join(err, context.DeadlineExceeded) // the wait would outlast the caller
		}
		cfg.Sleep(delay)
	}
}

func main() {}
