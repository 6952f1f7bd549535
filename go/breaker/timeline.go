package breaker

import (
	"time"

	"twinbook/clock"
)

// timeline turns a [clock.Clock]'s readings into int64 nanoseconds on the breaker's
// own time axis, whose zero is a whole second (the second the breaker was
// built in). Second boundaries therefore fall where the clock's do, which is
// what the time window's buckets, floor(t_ms / 1000), need; and int64
// arithmetic is all the hot path does.
type timeline struct {
	clock  clock.Clock // nil: the system clock, read through mono
	origin time.Time   // the zero of the axis, a whole second (no monotonic reading)
	mono   time.Time   // system clock only: a reading with its monotonic part
	offset int64       // system clock only: ns from origin to mono
}

func newTimeline(c clock.Clock) timeline {
	if c == nil {
		now := time.Now()
		origin := now.Truncate(time.Second) // also strips the monotonic reading
		return timeline{origin: origin, mono: now, offset: int64(now.Sub(origin))}
	}
	return timeline{clock: c, origin: c.Now().Truncate(time.Second)}
}

// now returns the current time on the axis. With the system clock it costs
// one monotonic clock read (time.Since with a monotonic start never reads the
// wall clock).
func (tl *timeline) now() int64 {
	if tl.clock == nil {
		return int64(time.Since(tl.mono)) + tl.offset
	}
	return int64(tl.clock.Now().Sub(tl.origin))
}

// at converts a point on the axis back to a time.Time.
func (tl *timeline) at(ns int64) time.Time { return tl.origin.Add(time.Duration(ns)) }
