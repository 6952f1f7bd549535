package breaker

// docs:start metrics

// Metrics is a snapshot of a breaker: its state and what its current window
// holds. In Open, ForcedOpen and Disabled the window is empty; in HalfOpen it
// holds the trial calls recorded so far.
type Metrics struct {
	State State
	// Calls, Failed and Slow count the calls in the window, the failed ones
	// and the slow ones (slow calls may also have failed).
	Calls, Failed, Slow int
	// FailureRate and SlowCallRate are percents of Calls, or -1 while the
	// window holds fewer calls than its effective minimum.
	FailureRate, SlowCallRate float64
	// NotPermitted counts the calls refused since the breaker was built or
	// last Reset.
	NotPermitted uint64
}

// docs:end metrics

// Metrics returns a snapshot, after applying every time-driven transition
// that is due.
func (b *Breaker) Metrics() Metrics {
	now := b.tl.now()
	p := b.advance(now)
	var c counts
	var limits thresholds
	switch {
	case p.count != nil:
		c, limits = p.count.snapshot(), b.closedLimits
	case p.time != nil:
		c, limits = p.time.snapshot(now), b.closedLimits
	case p.trial != nil:
		p.trial.mu.Lock()
		c, limits = p.trial.counts, b.trialLimits
		p.trial.mu.Unlock()
	}
	m := Metrics{State: p.state, Calls: int(c.calls), Failed: int(c.failed), Slow: int(c.slow), NotPermitted: b.notPermitted.load()}
	m.FailureRate, m.SlowCallRate = c.rates(limits.minimum)
	return m
}
