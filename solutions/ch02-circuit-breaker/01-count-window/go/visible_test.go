// Visible tests for the count-window circuit breaker: run them with the check cell.
package main_test

import (
	. "answer"
	"slices"
	"testing"
)

// cwNew builds a Breaker on the fake clock, turning a panic into a test failure.
func cwNew(t *testing.T, c *fakeClock, log *transitionLog, cfg Config) (b *Breaker) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("NewBreaker panicked: %v", r)
		}
	}()
	cfg.OnTransition = log.add
	b = NewBreaker(cfg, c.now)
	if b == nil {
		t.Fatalf("NewBreaker returned nil")
	}
	return b
}

// cwDo runs f, turning a panic into a test failure.
func cwDo(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v", what, r)
		}
	}()
	f()
}

// cwState returns b.State(), turning a panic into a test failure.
func cwState(t *testing.T, b *Breaker) (s string) {
	t.Helper()
	cwDo(t, "State", func() { s = b.State() })
	return s
}

// cwMetrics returns b.Metrics(), turning a panic into a test failure.
func cwMetrics(t *testing.T, b *Breaker) (m Metrics) {
	t.Helper()
	cwDo(t, "Metrics", func() { m = b.Metrics() })
	return m
}

// cwCalls makes one call every 10 ms from start: 'S' a success, 'F' a failure.
// It returns '+' or '-' per Allow.
func cwCalls(t *testing.T, b *Breaker, c *fakeClock, outcomes string, start int64) (allowed string) {
	t.Helper()
	for i, o := range outcomes {
		c.set(start + int64(i)*10)
		cwDo(t, "Allow/Record", func() {
			if b.Allow() {
				allowed += "+"
				b.Record(o == 'F')
			} else {
				allowed += "-"
			}
		})
	}
	return allowed
}

func cwConfig(window, minimum int, threshold float64, wait int64) Config {
	return Config{WindowSize: window, MinimumCalls: minimum, FailureRateThreshold: threshold, WaitInOpenMs: wait}
}

func TestOpensAtTheFailureRateThreshold(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := cwNew(t, &c, &log, cwConfig(4, 4, 50, 5000))
	got := cwCalls(t, b, &c, "SFS", 0)
	if s := cwState(t, b); s != "closed" {
		t.Fatalf("1 failure in 3 calls (fewer than MinimumCalls): state %q, want closed", s)
	}
	got += cwCalls(t, b, &c, "F", 30)
	if s := cwState(t, b); s != "open" {
		t.Fatalf("2 failures in 4 calls is 50%% and the threshold is 50: state %q, want open (open at >= threshold)", s)
	}
	if !slices.Equal(log.got, []string{"closed->open"}) {
		t.Fatalf("transitions reported: %v, want [closed->open]", log.got)
	}
	got += cwCalls(t, b, &c, "SS", 40)
	if got != "++++--" {
		t.Fatalf("Allow answered %q, want %q: an open breaker allows nothing", got, "++++--")
	}
}

func TestNoDecisionBelowMinimumCalls(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := cwNew(t, &c, &log, cwConfig(10, 5, 50, 5000))
	cwCalls(t, b, &c, "FFFF", 0)
	if s := cwState(t, b); s != "closed" {
		t.Fatalf("4 failures but MinimumCalls is 5: state %q, want closed", s)
	}
	if m := cwMetrics(t, b); m != (Metrics{Calls: 4, Failed: 4, FailureRate: -1}) {
		t.Fatalf("metrics %+v: want 4 calls, 4 failed, FailureRate -1 while below the minimum", m)
	}
	cwCalls(t, b, &c, "F", 100)
	if s := cwState(t, b); s != "open" {
		t.Fatalf("the 5th failure reaches MinimumCalls at 100%%: state %q, want open", s)
	}
}

func TestWindowKeepsOnlyTheLastCalls(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := cwNew(t, &c, &log, cwConfig(3, 3, 50, 5000))
	cwCalls(t, b, &c, "FSSS", 0)
	if m := cwMetrics(t, b); m != (Metrics{Calls: 3, Failed: 0, FailureRate: 0}) {
		t.Fatalf("after F,S,S,S in a window of 3: metrics %+v, want 3 calls, 0 failed: the oldest call falls out", m)
	}
	cwCalls(t, b, &c, "F", 100)
	if s := cwState(t, b); s != "closed" {
		t.Fatalf("S,S,F is 33%% < 50%%: state %q, want closed", s)
	}
	cwCalls(t, b, &c, "F", 200)
	if s := cwState(t, b); s != "open" {
		t.Fatalf("S,F,F is 67%% >= 50%%: state %q, want open", s)
	}
}

func TestHalfOpenExactlyWhenTheWaitIsOver(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := cwNew(t, &c, &log, cwConfig(2, 2, 50, 1000))
	cwCalls(t, b, &c, "FF", 0) // opens at 10 ms
	c.set(1009)
	if s := cwState(t, b); s != "open" {
		t.Fatalf("opened at 10 ms with WaitInOpenMs 1000: state %q at 1009, want open", s)
	}
	if got := cwCalls(t, b, &c, "S", 1009); got != "-" {
		t.Fatalf("open at 1009 ms: Allow must be false")
	}
	c.set(1010)
	if s := cwState(t, b); s != "half_open" {
		t.Fatalf("opened at 10 ms with WaitInOpenMs 1000: state %q at 1010, want half_open", s)
	}
	if want := []string{"closed->open", "open->half_open"}; !slices.Equal(log.got, want) {
		t.Fatalf("transitions: %v, want %v", log.got, want)
	}
}

func TestHalfOpenTrialCallDecides(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := cwNew(t, &c, &log, cwConfig(2, 2, 50, 1000))
	cwCalls(t, b, &c, "FF", 0) // open at 10 ms
	c.set(1010)
	var first, second bool
	cwDo(t, "Allow", func() { first, second = b.Allow(), b.Allow() })
	if !first || second {
		t.Fatalf("half_open: Allow, Allow gave %v, %v; want true, false: one trial call at a time", first, second)
	}
	cwDo(t, "Record", func() { b.Record(true) })
	if s := cwState(t, b); s != "open" {
		t.Fatalf("a failed trial call: state %q, want open", s)
	}
	c.set(2009)
	if s := cwState(t, b); s != "open" {
		t.Fatalf("reopened at 1010 ms: the wait starts again; state %q at 2009, want open", s)
	}
	if got := cwCalls(t, b, &c, "S", 2010); got != "+" || cwState(t, b) != "closed" {
		t.Fatalf("half_open again at 2010, a successful trial call: allowed %q, state %q; want +, closed", got, cwState(t, b))
	}
	want := []string{"closed->open", "open->half_open", "half_open->open", "open->half_open", "half_open->closed"}
	if !slices.Equal(log.got, want) {
		t.Fatalf("transitions: %v, want %v", log.got, want)
	}
}

func TestEveryTransitionEmptiesTheWindow(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := cwNew(t, &c, &log, cwConfig(2, 2, 50, 1000))
	cwCalls(t, b, &c, "FF", 0)
	if m := cwMetrics(t, b); m != (Metrics{Calls: 0, Failed: 0, FailureRate: -1}) {
		t.Fatalf("open: the window is empty, got %+v", m)
	}
	cwCalls(t, b, &c, "S", 1010) // the trial call closes it
	cwCalls(t, b, &c, "F", 1020)
	if s := cwState(t, b); s != "closed" {
		t.Fatalf("closed again, then one failure (1 call < minimum 2): state %q, want closed: the failures from before must be gone", s)
	}
}
