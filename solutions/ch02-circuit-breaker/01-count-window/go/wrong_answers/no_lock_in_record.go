// wrong: Record reopens without the mutex: another goroutine slips in a trial call before the wait restarts
package main

import (
	"sync"
)

// Config configures a Breaker.
type Config struct {
	WindowSize           int                   // the breaker judges the last WindowSize calls
	MinimumCalls         int                   // no decision before min(MinimumCalls, WindowSize) calls
	FailureRateThreshold float64               // percent: open when the failure rate is >= this
	WaitInOpenMs         int64                 // how long open lasts before half_open
	OnTransition         func(from, to string) // called on every transition; may be nil
}

// Metrics is a snapshot of the window.
type Metrics struct {
	Calls       int
	Failed      int
	FailureRate float64 // percent; -1 while the window holds fewer than the minimum
}

// Breaker is a circuit breaker over the last WindowSize calls. The states are
// "closed", "open" and "half_open". It is safe for use by many goroutines.
// The fields are a suggestion: change them as you like.
type Breaker struct {
	mu       sync.Mutex
	cfg      Config
	now      func() int64 // the clock, in milliseconds
	state    string
	openedAt int64  // when the breaker last opened
	window   []bool // the last calls, true = failed: a ring of WindowSize
	next     int    // where the next call goes in window
	calls    int    // how many calls window holds
	probing  bool   // half_open: the trial call is out
}

// NewBreaker returns a closed Breaker reading the time (milliseconds) from now.
func NewBreaker(cfg Config, now func() int64) *Breaker {
	return &Breaker{cfg: cfg, now: now, state: "closed", window: make([]bool, cfg.WindowSize)}
}

// State returns the state now: "closed", "open" or "half_open".
func (b *Breaker) State() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance()
	return b.state
}

// Allow reports whether a call may go ahead now (in half_open: only the one
// trial call).
func (b *Breaker) Allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance()
	switch {
	case b.state == "closed":
		return true
	case b.state == "half_open" && !b.probing:
		b.probing = true
		return true
	}
	return false
}

// Record takes the result of a call that Allow let through.
func (b *Breaker) Record(failed bool) {
	b.advance()
	switch {
	case b.state == "closed":
		b.window[b.next] = failed
		b.next = (b.next + 1) % len(b.window)
		b.calls = min(b.calls+1, len(b.window))
		if m := b.metrics(); m.FailureRate >= 0 && m.FailureRate >= b.cfg.FailureRateThreshold {
			b.transition("open")
		}
	case b.state == "half_open" && b.probing:
		if failed {
			b.transition("open")
		} else {
			b.transition("closed")
		}
	}
}

// Metrics returns the calls and failures in the window now.
func (b *Breaker) Metrics() Metrics {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance()
	return b.metrics()
}

// metrics computes the window's metrics (the lock is held).
func (b *Breaker) metrics() Metrics {
	m := Metrics{Calls: b.calls, FailureRate: -1}
	for i := range b.calls {
		// the newest calls sit just before next
		if b.window[(b.next-1-i+2*len(b.window))%len(b.window)] {
			m.Failed++
		}
	}
	if b.calls > 0 && b.calls >= min(b.cfg.MinimumCalls, b.cfg.WindowSize) {
		m.FailureRate = float64(m.Failed) * 100 / float64(b.calls)
	}
	return m
}

// advance applies open -> half_open once WaitInOpenMs have passed (the lock is held).
func (b *Breaker) advance() {
	if b.state == "open" && b.now() >= b.openedAt+b.cfg.WaitInOpenMs {
		b.transition("half_open")
	}
}

// transition moves to state to with an empty window and reports it (the lock is held).
func (b *Breaker) transition(to string) {
	from := b.state
	b.state = to
	b.next, b.calls, b.probing = 0, 0, false
	if to == "open" {
		b.openedAt = b.now()
	}
	if b.cfg.OnTransition != nil {
		b.cfg.OnTransition(from, to)
	}
}

func main() {}
