// Visible tests for the time window: run them with the check cell.
package main_test

import (
	. "answer"
	"math"
	"testing"
)

// twDo runs f, turning a panic into a test failure.
func twDo(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v", what, r)
		}
	}()
	f()
}

// twNew calls NewTimeWindow, turning a panic or nil into a test failure.
func twNew(t *testing.T, size, minimum int) (w *TimeWindow) {
	t.Helper()
	twDo(t, "NewTimeWindow", func() { w = NewTimeWindow(size, minimum) })
	if w == nil {
		t.Fatalf("NewTimeWindow returned nil")
	}
	return w
}

func twRecord(t *testing.T, w *TimeWindow, atMs int64, failed, slow bool) {
	t.Helper()
	twDo(t, "Record", func() { w.Record(atMs, failed, slow) })
}

func twMetrics(t *testing.T, w *TimeWindow, atMs int64) (m WindowMetrics) {
	t.Helper()
	twDo(t, "Metrics", func() { m = w.Metrics(atMs) })
	return m
}

func TestCountsTheCallsOfTheCurrentSecond(t *testing.T) {
	w := twNew(t, 1, 1)
	twRecord(t, w, 100, true, false)
	twRecord(t, w, 900, false, false)
	if m := twMetrics(t, w, 950); m.Calls != 2 || m.Failed != 1 || m.Slow != 0 {
		t.Fatalf("two calls in second 0, read at 950 ms: %+v, want 2 calls, 1 failed, 0 slow", m)
	}
}

func TestEarlierSecondsCountUntilTheyLeave(t *testing.T) {
	w := twNew(t, 3, 1)
	twRecord(t, w, 0, false, false)    // second 0
	twRecord(t, w, 1500, false, false) // second 1
	twRecord(t, w, 2999, false, false) // second 2
	for _, c := range []struct {
		atMs int64
		want int
	}{{2999, 3}, {3000, 2}, {3999, 2}, {4000, 1}, {5000, 0}} {
		if got := twMetrics(t, w, c.atMs).Calls; got != c.want {
			t.Fatalf("calls at 0, 1500 and 2999 ms, window of 3 s, read at %d ms: %d calls, want %d: at T the window holds the seconds T/1000-2 .. T/1000", c.atMs, got, c.want)
		}
	}
}

func TestBucketBoundaryBetween999And1000Ms(t *testing.T) {
	w := twNew(t, 1, 1)
	twRecord(t, w, 999, true, false)
	twRecord(t, w, 1000, true, false)
	if m := twMetrics(t, w, 1000); m.Calls != 1 || m.Failed != 1 {
		t.Fatalf("calls at 999 and 1000 ms, a 1-second window read at 1000 ms: %+v, want 1 call: 999 ms is second 0", m)
	}
}

func TestRatesAreMinusOneBelowMinimumCalls(t *testing.T) {
	w := twNew(t, 2, 3)
	twRecord(t, w, 0, true, true)
	twRecord(t, w, 1200, false, false)
	if m := twMetrics(t, w, 1200); m.FailureRate != -1 || m.SlowCallRate != -1 {
		t.Fatalf("2 calls, minimum 3: %+v, want both rates -1", m)
	}
	twRecord(t, w, 1300, false, true)
	m := twMetrics(t, w, 1300)
	if math.Abs(m.FailureRate-100.0/3) > 1e-6 || math.Abs(m.SlowCallRate-200.0/3) > 1e-6 {
		t.Fatalf("3 calls, 1 failed, 2 slow: %+v, want FailureRate 33.33 and SlowCallRate 66.67 (percents)", m)
	}
}

func TestClearForgetsEverything(t *testing.T) {
	w := twNew(t, 5, 1)
	for at := int64(0); at < 3000; at += 250 {
		twRecord(t, w, at, true, true)
	}
	twDo(t, "Clear", func() { w.Clear() })
	if m := twMetrics(t, w, 3000); m != (WindowMetrics{FailureRate: -1, SlowCallRate: -1}) {
		t.Fatalf("after Clear: %+v, want an empty window with rates -1", m)
	}
	twRecord(t, w, 3100, false, false)
	if m := twMetrics(t, w, 3100); m.Calls != 1 {
		t.Fatalf("a call recorded after Clear: %+v, want 1 call", m)
	}
}
