// wrong: Allow never locks the mutex, so goroutines calling it at once read and spend the same tokens
package main

import (
	"sync"
	"time"
)

// Limiter is a token bucket: it holds up to burst tokens, gains rate tokens
// per second, and every allowed event spends one token.
type Limiter struct {
	mu     sync.Mutex
	now    func() time.Time
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// NewLimiter returns a Limiter that starts with a full bucket of burst tokens.
func NewLimiter(rate float64, burst int, now func() time.Time) *Limiter {
	return &Limiter{now: now, rate: rate, burst: float64(burst), tokens: float64(burst), last: now()}
}

// Allow reports whether one event may happen now, and if so spends a token.
func (l *Limiter) Allow() bool {
	t := l.now()
	if elapsed := t.Sub(l.last); elapsed > 0 {
		l.tokens = min(l.burst, l.tokens+elapsed.Seconds()*l.rate)
		l.last = t
	}
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

func main() {}
