package main_test

import (
	. "answer"
	"runtime"
	"sync"
	"testing"
	"time"
)

// limiterClock is a fake clock: time moves only when the test says so, or by tick at every
// reading when tick is set (then the reading also lets other goroutines run, in the middle of
// the Allow that reads it).
type limiterClock struct {
	mu   sync.Mutex
	t    time.Time
	tick time.Duration
}

func newLimiterClock() *limiterClock {
	return &limiterClock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *limiterClock) Now() time.Time {
	c.mu.Lock()
	c.t = c.t.Add(c.tick)
	now, tick := c.t, c.tick
	c.mu.Unlock()
	if tick != 0 {
		runtime.Gosched()
	}
	return now
}

func (c *limiterClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// limiterNew calls NewLimiter, turning a panic into a test failure.
func limiterNew(t *testing.T, rate float64, burst int, c *limiterClock) (l *Limiter) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("NewLimiter(%v, %d, clock) panicked: %v", rate, burst, r)
		}
	}()
	l = NewLimiter(rate, burst, c.Now)
	if l == nil {
		t.Fatalf("NewLimiter returned nil")
	}
	return l
}

// limiterAllows calls Allow n times and returns the answers as a string of
// '+' (allowed) and '-' (denied), e.g. "++-".
func limiterAllows(t *testing.T, l *Limiter, n int) (s string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Allow panicked: %v", r)
		}
	}()
	for range n {
		if l.Allow() {
			s += "+"
		} else {
			s += "-"
		}
	}
	return s
}

func TestLimiterAllowsBurstAtOnce(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 1, 3, c)
	if got := limiterAllows(t, l, 5); got != "+++--" {
		t.Fatalf("5 calls at the same instant with burst 3: got %q, want %q (+ allowed, - denied): the bucket starts full with burst tokens and each Allow spends one", got, "+++--")
	}
}

func TestLimiterRefillsAtRate(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 2, 1, c) // 2 tokens per second: one every 500ms
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "+-"},
		{250 * time.Millisecond, "-"},
		{250 * time.Millisecond, "+-"},
		{500 * time.Millisecond, "+-"},
	}
	elapsed := time.Duration(0)
	for _, s := range steps {
		c.Advance(s.advance)
		elapsed += s.advance
		if got := limiterAllows(t, l, len(s.want)); got != s.want {
			t.Fatalf("rate 2/s, burst 1, at +%v: got %q, want %q: add elapsed seconds * rate tokens before deciding", elapsed, got, s.want)
		}
	}
}

func TestLimiterFractionalRate(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 0.5, 1, c) // one token every 2 seconds
	limiterAllows(t, l, 1)
	c.Advance(time.Second)
	if got := limiterAllows(t, l, 1); got != "-" {
		t.Fatalf("rate 0.5/s: 1s after the last token an Allow gave %q, want %q: half a token is not a token", got, "-")
	}
	c.Advance(time.Second)
	if got := limiterAllows(t, l, 2); got != "+-" {
		t.Fatalf("rate 0.5/s: 2s after the last token got %q, want %q: keep fractional tokens as a float64", got, "+-")
	}
}

func TestLimiterNeverMoreThanBurst(t *testing.T) {
	c := newLimiterClock()
	l := limiterNew(t, 10, 2, c)
	limiterAllows(t, l, 2)
	c.Advance(10 * time.Second) // 100 tokens' worth of time
	if got, want := limiterAllows(t, l, 4), "++--"; got != want {
		t.Fatalf("rate 10/s, burst 2, after 10s idle: got %q, want %q: the bucket never holds more than burst tokens (cap it with min)", got, want)
	}
}
