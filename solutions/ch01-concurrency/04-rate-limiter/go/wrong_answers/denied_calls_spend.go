// wrong: spends the token before checking, so refused calls dig a hole in the bucket
package main

import (
	"sync"
	"time"
)

// Limiter is a token bucket: it holds up to burst tokens, gains rate tokens
// per second, and every allowed event spends one token. It is safe for use by
// many goroutines at once.
type Limiter struct {
	mu     sync.Mutex
	now    func() time.Time // the clock; tests pass a fake one
	rate   float64          // tokens added per second
	burst  float64          // capacity of the bucket
	tokens float64          // tokens in the bucket at time last
	last   time.Time        // when tokens was last brought up to date
}

// NewLimiter returns a Limiter that starts with a full bucket of burst tokens
// and refills at rate tokens per second, reading the time from now.
func NewLimiter(rate float64, burst int, now func() time.Time) *Limiter {
	return &Limiter{
		now:    now,
		rate:   rate,
		burst:  float64(burst),
		tokens: float64(burst),
		last:   now(),
	}
}

// Allow reports whether one event may happen now, and if so spends a token.
// It never waits.
func (l *Limiter) Allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.now()
	if elapsed := t.Sub(l.last); elapsed > 0 { // a clock that steps back adds nothing
		l.tokens = min(l.burst, l.tokens+elapsed.Seconds()*l.rate)
		l.last = t
	}
	l.tokens--
	return l.tokens >= 0
}

func main() {}
