package concurrency

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"twinbook/clock"
)

// Limiter is a token bucket: it holds up to burst tokens, gains rate tokens
// per second, and every event spends one. A Limiter is safe for concurrent
// use.
//
// Its contract is book/appendix/spec-limiter.md (rules L1 to L8, and the
// conformance vectors in tests/vectors/limiter that Python's twin,
// twinbook.concurrency.ratelimit.Limiter, passes too). Time is whole
// nanoseconds and the tokens are float64, counted with the same operations in
// the same order as the twin, so that both agree to the last bit.
type Limiter struct {
	clock clock.Clock
	rate  float64 // tokens per second
	burst float64 // capacity of the bucket

	mu     sync.Mutex
	tokens float64   // negative while waiters have borrowed ahead
	last   time.Time // when tokens was last brought up to date
}

// NewLimiter returns a Limiter with a full bucket of burst tokens, refilled
// at rate tokens per second as measured by clk, or by [clock.System] if
// clock is nil. A rate that is not positive and finite, or a burst below 1,
// is an error wrapping [ErrBadLimit].
func NewLimiter(rate float64, burst int, clk clock.Clock) (*Limiter, error) {
	if !(rate > 0) || math.IsInf(rate, 1) {
		return nil, fmt.Errorf("%w: rate %v, want a positive finite number", ErrBadLimit, rate)
	}
	if burst < 1 {
		return nil, fmt.Errorf("%w: burst %d, want at least 1", ErrBadLimit, burst)
	}
	if clk == nil {
		clk = clock.System{}
	}
	return &Limiter{
		clock:  clk,
		rate:   rate,
		burst:  float64(burst),
		tokens: float64(burst),
		last:   clk.Now(),
	}, nil
}

// docs:start limiter-allow

// Allow spends a token and reports true if one is available now, or reports
// false and spends nothing.
func (l *Limiter) Allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill()
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// refill adds the tokens earned since the last call, up to the bucket's
// capacity. Computing them lazily means no goroutine has to tick. l.mu must
// be held.
func (l *Limiter) refill() {
	now := l.clock.Now()
	if elapsed := now.Sub(l.last); elapsed > 0 {
		// The conversion rounds the product on its own: without it Go may fuse
		// the multiply and the add (FMA) and differ from Python in the last bit.
		l.tokens = min(l.burst, l.tokens+float64(elapsed.Seconds()*l.rate))
		l.last = now
	}
}

// docs:end limiter-allow

// docs:start limiter-wait

// Wait spends a token, first waiting until one is due if none is available.
// If ctx is done first, Wait returns ctx.Err() and gives the token back.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Take the token now even if that leaves the bucket in debt, then sleep
	// the debt off: each waiter queues behind the ones before it.
	l.mu.Lock()
	l.refill()
	l.tokens--
	delay := secondsToDuration(-l.tokens / l.rate)
	l.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	select {
	case <-l.clock.After(delay):
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.refill()
		l.tokens = min(l.burst, l.tokens+1)
		l.mu.Unlock()
		return ctx.Err()
	}
}

// docs:end limiter-wait

// secondsToDuration rounds s seconds up to whole nanoseconds, so that a waiter
// never wakes a moment before its token is due, and saturates rather than
// overflowing for absurdly long waits.
func secondsToDuration(s float64) time.Duration {
	ns := math.Ceil(s * float64(time.Second))
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}
