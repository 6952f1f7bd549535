// wrong: Acquire counts permits without the mutex: two goroutines both get the last permit
package main

import (
	"sync"
)

// Outcome is how a call ended.
type Outcome int

const (
	Success Outcome = iota
	Failure
	Ignored // neither: records nothing (a caller's own cancellation, say)
)

// Config configures a Breaker.
type Config struct {
	WindowSize             int                   // closed: the breaker judges the last WindowSize calls
	MinimumCalls           int                   // no decision before min(MinimumCalls, WindowSize) calls
	FailureRateThreshold   float64               // percent: open when the failure rate is >= this
	WaitInOpenMs           int64                 // how long open lasts before half_open
	HalfOpenPermittedCalls int                   // how many trial calls half_open lets through
	OnTransition           func(from, to string) // called on every transition; may be nil
}

// Metrics is a snapshot of the current window.
type Metrics struct {
	Calls       int
	Failed      int
	FailureRate float64 // percent; -1 while the window holds fewer than the minimum
}

// Permission is what Acquire hands out and Complete takes back: generation tells
// which state of the breaker granted it (the breaker counts its transitions).
type Permission struct {
	generation uint64
}

// Breaker is a count-window circuit breaker with two-step calls and half-open
// permits. The states are "closed", "open" and "half_open". It is safe for use by
// many goroutines. The fields are a suggestion: change them as you like.
type Breaker struct {
	mu         sync.Mutex
	cfg        Config
	now        func() int64 // the clock, in milliseconds
	state      string
	generation uint64 // bumped by every transition
	openedAt   int64
	window     []bool // closed: the last calls (a ring), half_open: the trial results; true = failed
	next       int    // closed: where the next result goes in window
	calls      int    // closed: how many results window holds
	inFlight   int    // half_open: permits granted and not completed
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

// Acquire asks for permission to make a call now; ok is false when the breaker
// rejects it.
func (b *Breaker) Acquire() (p Permission, ok bool) {
	b.advance()
	switch b.state {
	case "closed":
	case "half_open":
		if b.inFlight+len(b.window) >= b.cfg.HalfOpenPermittedCalls {
			return Permission{}, false
		}
		b.inFlight++
	default:
		return Permission{}, false
	}
	return Permission{generation: b.generation}, true
}

// Complete reports how the call of permission p ended.
func (b *Breaker) Complete(p Permission, outcome Outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance()
	if p.generation != b.generation {
		return // granted before the latest transition: a late result, discarded
	}
	if b.state == "half_open" {
		b.inFlight-- // recorded or ignored, it is no longer in flight
	}
	if outcome == Ignored {
		return
	}
	failed := outcome == Failure
	switch b.state {
	case "closed":
		b.window[b.next] = failed
		b.next = (b.next + 1) % len(b.window)
		b.calls = min(b.calls+1, len(b.window))
		if b.metrics().FailureRate >= b.cfg.FailureRateThreshold {
			b.transition("open")
		}
	case "half_open":
		b.window = append(b.window, failed)
		if len(b.window) == b.cfg.HalfOpenPermittedCalls {
			if b.metrics().FailureRate >= b.cfg.FailureRateThreshold {
				b.transition("open")
			} else {
				b.transition("closed")
			}
		}
	}
}

// Metrics returns the current window: closed, the last calls; half_open, its
// results so far; open, nothing.
func (b *Breaker) Metrics() Metrics {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance()
	return b.metrics()
}

// metrics computes the current window's metrics (the lock is held).
func (b *Breaker) metrics() Metrics {
	results, minimum := b.window[:b.calls], min(b.cfg.MinimumCalls, b.cfg.WindowSize)
	if b.state == "half_open" {
		results, minimum = b.window, b.cfg.HalfOpenPermittedCalls
	}
	m := Metrics{Calls: len(results), FailureRate: -1}
	for _, failed := range results { // the order does not matter for counting
		if failed {
			m.Failed++
		}
	}
	if m.Calls > 0 && m.Calls >= minimum {
		m.FailureRate = float64(m.Failed) * 100 / float64(m.Calls)
	}
	return m
}

// advance applies open -> half_open once WaitInOpenMs have passed (the lock is held).
func (b *Breaker) advance() {
	if b.state == "open" && b.now() >= b.openedAt+b.cfg.WaitInOpenMs {
		b.transition("half_open")
	}
}

// transition moves to state to: a new generation, an empty window; it reports the
// transition (the lock is held).
func (b *Breaker) transition(to string) {
	from := b.state
	b.state = to
	b.generation++
	b.next, b.calls, b.inFlight = 0, 0, 0
	if to == "half_open" {
		b.window = make([]bool, 0, b.cfg.HalfOpenPermittedCalls)
	} else {
		b.window = make([]bool, b.cfg.WindowSize)
	}
	if to == "open" {
		b.openedAt = b.now()
	}
	if b.cfg.OnTransition != nil {
		b.cfg.OnTransition(from, to)
	}
}

func main() {}
