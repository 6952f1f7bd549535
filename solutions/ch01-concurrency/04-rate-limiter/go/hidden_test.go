package main_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestHiddenLongIdleDoesNotExceedBurst(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 1, 5, c)
	limiterAllows(t, l, 5)
	c.Advance(365 * 24 * time.Hour)
	if got, want := limiterAllows(t, l, 7), "+++++--"; got != want {
		t.Fatalf("burst 5 after a year idle: got %q, want %q", got, want)
	}
}

func TestHiddenClockGoingBackwards(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 1, 2, c)
	limiterAllows(t, l, 1) // one token left
	c.Advance(-5 * time.Second)
	if got, want := limiterAllows(t, l, 2), "+-"; got != want {
		t.Fatalf("after the clock stepped back 5s with one token left: got %q, want %q: a negative elapsed time must neither add nor remove tokens", got, want)
	}
	c.Advance(5 * time.Second) // back where it started
	c.Advance(time.Second)
	if got := limiterAllows(t, l, 1); got != "+" {
		t.Fatalf("1s after the clock came back: got %q, want %q", got, "+")
	}
}

func TestHiddenZeroRateOnlyBurst(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 0, 2, c)
	if got, want := limiterAllows(t, l, 3), "++-"; got != want {
		t.Fatalf("rate 0, burst 2: got %q, want %q", got, want)
	}
	c.Advance(time.Hour)
	if got := limiterAllows(t, l, 1); got != "-" {
		t.Fatalf("rate 0: an hour later got %q, want %q: with rate 0 the bucket never refills", got, "-")
	}
}

func TestHiddenZeroBurstNeverAllows(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 100, 0, c)
	limiterAllows(t, l, 1)
	c.Advance(time.Minute)
	if got, want := limiterAllows(t, l, 3), "---"; got != want {
		t.Fatalf("burst 0: got %q, want %q: a bucket of size 0 can never hold a whole token", got, want)
	}
}

func TestHiddenDeniedCallsDoNotSpend(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 1, 1, c)
	limiterAllows(t, l, 1)
	limiterAllows(t, l, 100) // all denied: they must not dig a hole in the bucket
	c.Advance(time.Second)
	if got := limiterAllows(t, l, 1); got != "+" {
		t.Fatalf("rate 1/s: 1s after 100 denied calls got %q, want %q: only an allowed call spends a token", got, "+")
	}
}

func TestHiddenPartialTokensCarryOver(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 1, 1, c)
	limiterAllows(t, l, 1)
	c.Advance(500 * time.Millisecond)
	if got := limiterAllows(t, l, 1); got != "-" {
		t.Fatalf("after 0.5s at 1/s got %q, want %q", got, "-")
	}
	c.Advance(500 * time.Millisecond)
	if got := limiterAllows(t, l, 1); got != "+" {
		t.Fatalf("after 0.5s + 0.5s at 1/s got %q, want %q: the half token earned before a denied call must be kept", got, "+")
	}
}

func TestHiddenSteadyRate(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 10, 1, c)
	allowed := 0
	for range 10_000 { // 10 s in 1 ms steps
		if l.Allow() {
			allowed++
		}
		c.Advance(time.Millisecond)
	}
	if allowed < 100 || allowed > 101 {
		t.Fatalf("rate 10/s, burst 1, calling every 1ms for 10s: %d allowed, want 100 or 101", allowed)
	}
}

func TestHiddenConcurrentAllow(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 1, 50, c)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if l.Allow() {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 50 {
		t.Fatalf("200 goroutines calling Allow at one instant with burst 50: %d allowed, want 50: guard the bucket with a sync.Mutex", n)
	}
}

func TestHiddenConcurrentAllowWhileTimePasses(t *testing.T) {
	c := newLimiterClock()
	c.tick = time.Millisecond // every reading of the clock is 1ms later
	l := limiterNew(t, 1, 1, c)
	start := make(chan struct{})
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			<-start
			if l.Allow() {
				allowed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	// the bucket started with its one token; 100 readings 1ms apart earn 0.1 more
	if n := allowed.Load(); n != 1 {
		t.Fatalf("100 goroutines calling Allow at once (burst 1, rate 1/s) while 0.1s passed: %d allowed, want 1: hold l.mu over all of Allow (read the clock, refill, check, spend)", n)
	}
}
