package concurrency

import (
	"sync"
	"time"
)

// Clock is where a [Limiter] reads the time and waits for it to pass.
// Taking time as a dependency lets tests replace it with a [ManualClock].
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the current time once d has
	// passed, like [time.After].
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock: package time.
type SystemClock struct{}

// Now returns [time.Now].
func (SystemClock) Now() time.Time { return time.Now() }

// After returns [time.After](d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// ManualClock is a [Clock] whose time moves only when [ManualClock.Advance]
// moves it, so a test decides exactly when every timer fires. The zero value
// is a clock stopped at the zero time; a ManualClock is safe for concurrent
// use.
type ManualClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []manualTimer
	changed *sync.Cond // broadcast when a timer is added; see BlockUntil
}

type manualTimer struct {
	at time.Time
	ch chan time.Time
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the clock's time once Advance has
// moved it d or more past now. If d <= 0 the channel is ready at once.
func (c *ManualClock) After(d time.Duration) <-chan time.Time {
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
// timer that is now due. Advance panics if d is negative.
func (c *ManualClock) Advance(d time.Duration) {
	if d < 0 {
		panic("concurrency: ManualClock cannot go back in time")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	pending := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			pending = append(pending, t)
			continue
		}
		t.ch <- c.now
	}
	clear(c.timers[len(pending):]) // let fired channels be collected
	c.timers = pending
}

// BlockUntil blocks until at least n timers are waiting to fire. A test
// calls it to know that the code under test has reached its wait before
// advancing the clock. Timers count until they fire, even if nobody
// receives from them any more.
func (c *ManualClock) BlockUntil(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.timers) < n {
		c.cond().Wait()
	}
}

// cond returns c.changed, creating it on first use so that the zero
// ManualClock works. c.mu must be held.
func (c *ManualClock) cond() *sync.Cond {
	if c.changed == nil {
		c.changed = sync.NewCond(&c.mu)
	}
	return c.changed
}
