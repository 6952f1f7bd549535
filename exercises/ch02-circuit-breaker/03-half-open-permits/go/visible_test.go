// Visible tests for half-open permits and late results: run them with the check cell.
package main_test

import (
	. "answer"
	"slices"
	"testing"
)

// hoDo runs f, turning a panic into a test failure.
func hoDo(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v", what, r)
		}
	}()
	f()
}

// hoNew builds a Breaker (window 2, minimum 2, threshold 50, wait 1000 ms) with permits trial calls.
func hoNew(t *testing.T, c *fakeClock, log *transitionLog, permits int) (b *Breaker) {
	t.Helper()
	cfg := Config{WindowSize: 2, MinimumCalls: 2, FailureRateThreshold: 50, WaitInOpenMs: 1000,
		HalfOpenPermittedCalls: permits, OnTransition: log.add}
	hoDo(t, "NewBreaker", func() { b = NewBreaker(cfg, c.now) })
	if b == nil {
		t.Fatalf("NewBreaker returned nil")
	}
	return b
}

func hoState(t *testing.T, b *Breaker) (s string) {
	t.Helper()
	hoDo(t, "State", func() { s = b.State() })
	return s
}

func hoAcquire(t *testing.T, b *Breaker) (p Permission, ok bool) {
	t.Helper()
	hoDo(t, "Acquire", func() { p, ok = b.Acquire() })
	return p, ok
}

func hoComplete(t *testing.T, b *Breaker, p Permission, o Outcome) {
	t.Helper()
	hoDo(t, "Complete", func() { b.Complete(p, o) })
}

// hoCall acquires and completes at once; it reports whether the call was permitted.
func hoCall(t *testing.T, b *Breaker, o Outcome) bool {
	t.Helper()
	p, ok := hoAcquire(t, b)
	if ok {
		hoComplete(t, b, p, o)
	}
	return ok
}

// hoTrip fails two calls at 0 and 10 ms: open at 10 ms, half_open at 1010 ms.
func hoTrip(t *testing.T, b *Breaker, c *fakeClock) {
	t.Helper()
	for _, at := range []int64{0, 10} {
		c.set(at)
		hoCall(t, b, Failure)
	}
	if s := hoState(t, b); s != "open" {
		t.Fatalf("two failures out of two calls: state %q, want open", s)
	}
}

func TestClosedTwoStepCallsOpenAtTheThreshold(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := hoNew(t, &c, &log, 2)
	p1, ok1 := hoAcquire(t, b)
	p2, ok2 := hoAcquire(t, b)
	if !ok1 || !ok2 {
		t.Fatalf("closed: Acquire permits every call")
	}
	hoComplete(t, b, p1, Success)
	hoComplete(t, b, p2, Failure)
	if s := hoState(t, b); s != "open" {
		t.Fatalf("1 failure in 2 calls is 50%% >= 50: state %q, want open", s)
	}
	if _, ok := hoAcquire(t, b); ok {
		t.Fatalf("open: Acquire must reject")
	}
	if !slices.Equal(log.got, []string{"closed->open"}) {
		t.Fatalf("transitions: %v, want [closed->open]", log.got)
	}
}

func TestHalfOpenPermitsCountCallsInFlight(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := hoNew(t, &c, &log, 2)
	hoTrip(t, b, &c)
	c.set(1010)
	a, okA := hoAcquire(t, b)
	p, okB := hoAcquire(t, b)
	_, okC := hoAcquire(t, b)
	if !okA || !okB || okC {
		t.Fatalf("half_open with 2 permits: Acquire x3 gave %v %v %v, want true true false (calls in flight count)", okA, okB, okC)
	}
	hoComplete(t, b, a, Success)
	if _, ok := hoAcquire(t, b); ok {
		t.Fatalf("1 result recorded + 1 call in flight = 2 permits used: a recorded call does not give its permit back")
	}
	hoComplete(t, b, p, Success)
	if s := hoState(t, b); s != "closed" {
		t.Fatalf("2 trial successes: state %q, want closed", s)
	}
	if want := []string{"closed->open", "open->half_open", "half_open->closed"}; !slices.Equal(log.got, want) {
		t.Fatalf("transitions: %v, want %v", log.got, want)
	}
}

func TestHalfOpenDecidesOverExactlyThePermittedCalls(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := hoNew(t, &c, &log, 3)
	hoTrip(t, b, &c)
	c.set(1010)
	hoCall(t, b, Failure)
	hoCall(t, b, Failure)
	if s := hoState(t, b); s != "half_open" {
		t.Fatalf("2 of 3 trial calls: state %q, want half_open: no decision before all 3 are recorded", s)
	}
	var m Metrics
	hoDo(t, "Metrics", func() { m = b.Metrics() })
	if m != (Metrics{Calls: 2, Failed: 2, FailureRate: -1}) {
		t.Fatalf("half_open metrics %+v: want 2 calls, 2 failed, rate -1 until all 3", m)
	}
	hoCall(t, b, Success)
	if s := hoState(t, b); s != "open" {
		t.Fatalf("2 failures in 3 trial calls is 67%% >= 50%%: state %q, want open", s)
	}
	c.set(2009)
	if s := hoState(t, b); s != "open" {
		t.Fatalf("reopened at 1010 ms: state %q at 2009, want open", s)
	}
	c.set(2010)
	if s := hoState(t, b); s != "half_open" {
		t.Fatalf("reopened at 1010 ms: state %q at 2010, want half_open", s)
	}
}

func TestIgnoredGivesThePermitBack(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := hoNew(t, &c, &log, 2)
	hoTrip(t, b, &c)
	c.set(1010)
	a, _ := hoAcquire(t, b)
	p, _ := hoAcquire(t, b)
	hoComplete(t, b, a, Ignored)
	q, ok := hoAcquire(t, b)
	if !ok {
		t.Fatalf("an Ignored result records nothing and frees its half-open permit")
	}
	hoComplete(t, b, p, Success)
	if s := hoState(t, b); s != "half_open" {
		t.Fatalf("only 1 result recorded of 2: state %q, want half_open", s)
	}
	hoComplete(t, b, q, Failure)
	if s := hoState(t, b); s != "open" {
		t.Fatalf("success + failure = 50%% >= 50%%: state %q, want open", s)
	}
}

func TestLateResultFromBeforeATripIsDiscarded(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := hoNew(t, &c, &log, 1)
	slow, _ := hoAcquire(t, b) // granted while closed
	hoTrip(t, b, &c)
	hoComplete(t, b, slow, Failure)
	var m Metrics
	hoDo(t, "Metrics", func() { m = b.Metrics() })
	if m.Calls != 0 {
		t.Fatalf("a result granted before the breaker opened must be discarded: metrics %+v", m)
	}
	c.set(1009)
	if s := hoState(t, b); s != "open" {
		t.Fatalf("a late result must not change the open state: state %q at 1009, want open", s)
	}
	c.set(1010)
	if s := hoState(t, b); s != "half_open" {
		t.Fatalf("state %q at 1010, want half_open", s)
	}
}

func TestLateResultDoesNotUseAHalfOpenPermit(t *testing.T) {
	var c fakeClock
	var log transitionLog
	b := hoNew(t, &c, &log, 1)
	slow, _ := hoAcquire(t, b) // granted while closed
	hoTrip(t, b, &c)
	c.set(1010)
	hoComplete(t, b, slow, Success)
	if s := hoState(t, b); s != "half_open" {
		t.Fatalf("a result granted while closed arrives in half_open: state %q, want half_open: it is late and must not decide", s)
	}
	if !hoCall(t, b, Failure) {
		t.Fatalf("the one half-open permit must still be free after a late result")
	}
	if s := hoState(t, b); s != "open" {
		t.Fatalf("the real trial call failed: state %q, want open", s)
	}
}
