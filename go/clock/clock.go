// Package clock is where the library reads the time and waits for it to
// pass: the circuit breaker (chapter 2), the rate limiter (chapter 1) and
// the chapters to come all take a [Clock], so that a test can hand them a
// [Manual] clock and decide exactly when every deadline comes.
//
// Python's twinbook.clock has the same three: Clock, SystemClock and
// ManualClock.
package clock

import (
	"sync"
	"time"
)

// Clock is what a component needs from time: the present, and a way to wait
// for a duration to pass.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the current time once d has
	// passed, like [time.After].
	After(d time.Duration) <-chan time.Time
}

// System is the real clock: package time.
type System struct{}

// Now returns [time.Now].
func (System) Now() time.Time { return time.Now() }

// After returns [time.After](d).
func (System) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Manual is a [Clock] whose time moves only when [Manual.Advance] or
// [Manual.Set] moves it, so a test decides exactly when every timer fires.
// The zero value is a clock stopped at the zero time; a Manual is safe for
// concurrent use.
type Manual struct {
	mu      sync.Mutex
	now     time.Time
	timers  []manualTimer
	changed *sync.Cond // broadcast when a timer is added; see WaitForSleepers
}

type manualTimer struct {
	at time.Time
	ch chan time.Time
}

// NewManual returns a Manual clock that reads start.
func NewManual(start time.Time) *Manual { return &Manual{now: start} }

// Now returns the clock's current time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the clock's time once the clock has
// moved d or more past now. If d <= 0 the channel is ready at once.
func (c *Manual) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Buffered, so Advance never blocks on a receiver that has gone away.
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, manualTimer{at: c.now.Add(d), ch: ch})
	c.cond().Broadcast()
	return ch
}

// Advance moves the clock forward by d and, before returning, fires every
// timer that is now due. Advance panics if d is negative: time that runs
// backwards by accident is a bug worth a stack trace.
func (c *Manual) Advance(d time.Duration) {
	if d < 0 {
		panic("clock: Manual.Advance cannot go back in time")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(c.now.Add(d))
}

// Set moves the clock to t, backwards too, and fires every timer due at t.
// Conformance vectors give each step's time, and a step may start before the
// previous call ended; Set is how a test replays them.
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(t)
}

func (c *Manual) setLocked(t time.Time) {
	c.now = t
	pending := c.timers[:0]
	for _, tm := range c.timers {
		if tm.at.After(c.now) {
			pending = append(pending, tm)
			continue
		}
		tm.ch <- c.now
	}
	clear(c.timers[len(pending):]) // let fired channels be collected
	c.timers = pending
}

// Sleepers returns how many timers are waiting to fire.
func (c *Manual) Sleepers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// WaitForSleepers blocks until at least n timers are waiting to fire. A test
// calls it to know that the code under test has reached its wait before it
// advances the clock, instead of guessing with a real sleep. Timers count
// until they fire, even if nobody receives from them any more.
func (c *Manual) WaitForSleepers(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.timers) < n {
		c.cond().Wait()
	}
}

// cond returns c.changed, creating it on first use so that the zero Manual
// works. c.mu must be held.
func (c *Manual) cond() *sync.Cond {
	if c.changed == nil {
		c.changed = sync.NewCond(&c.mu)
	}
	return c.changed
}
