// wrong: Record adds to a bucket that still counts an older second instead of starting it afresh
package main

// WindowMetrics is a snapshot of a window.
type WindowMetrics struct {
	Calls, Failed, Slow       int
	FailureRate, SlowCallRate float64 // percents; -1 while the window holds fewer than the minimum
}

// bucket counts the calls that completed in one second.
type bucket struct {
	second              int64 // which second this bucket counts
	used                bool  // false: never used since the window was made or cleared
	calls, failed, slow int
}

// TimeWindow holds the calls recorded in the last size seconds, one bucket per
// second. A call recorded at atMs belongs to the second atMs/1000; at time T the
// window holds the seconds T/1000-size+1 through T/1000. Times passed to Record and
// Metrics never go backwards. The breaker that owns the window holds its lock while
// calling it, so the window needs no lock of its own. The fields are a suggestion.
type TimeWindow struct {
	size         int64
	minimumCalls int
	buckets      []bucket // the bucket of second s is buckets[s % size]
}

// NewTimeWindow returns an empty window of sizeSeconds seconds whose rates are
// evaluated from minimumCalls calls on.
func NewTimeWindow(sizeSeconds, minimumCalls int) *TimeWindow {
	return &TimeWindow{size: int64(sizeSeconds), minimumCalls: minimumCalls, buckets: make([]bucket, sizeSeconds)}
}

// Record counts one call that completed at atMs.
func (w *TimeWindow) Record(atMs int64, failed, slow bool) {
	second := atMs / 1000
	b := &w.buckets[second%w.size]
	if !b.used { // a second that has left the window: reuse its bucket
		*b = bucket{second: second, used: true}
	}
	b.calls++
	if failed {
		b.failed++
	}
	if slow {
		b.slow++
	}
}

// Metrics returns the window's counts and rates at atMs.
func (w *TimeWindow) Metrics(atMs int64) WindowMetrics {
	newest := atMs / 1000
	oldest := newest - w.size + 1
	m := WindowMetrics{FailureRate: -1, SlowCallRate: -1}
	for _, b := range w.buckets {
		if b.used && b.second >= oldest && b.second <= newest {
			m.Calls += b.calls
			m.Failed += b.failed
			m.Slow += b.slow
		}
	}
	if m.Calls > 0 && m.Calls >= w.minimumCalls {
		m.FailureRate = float64(m.Failed) * 100 / float64(m.Calls)
		m.SlowCallRate = float64(m.Slow) * 100 / float64(m.Calls)
	}
	return m
}

// Clear forgets every call (the breaker calls it on every transition).
func (w *TimeWindow) Clear() {
	clear(w.buckets)
}

func main() {}
