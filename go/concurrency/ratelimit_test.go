package concurrency_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/clock"
	"twinbook/concurrency"
)

func TestNewLimiterRejects(t *testing.T) {
	tests := []struct {
		rate  float64
		burst int
		names string // the bad value as the error must name it
	}{
		{rate: 0, burst: 1, names: "rate 0"},
		{rate: -2, burst: 1, names: "rate -2"},
		{rate: math.NaN(), burst: 1, names: "rate NaN"},
		{rate: math.Inf(1), burst: 1, names: "rate +Inf"},
		{rate: 1, burst: 0, names: "burst 0"},
		{rate: 1, burst: -3, names: "burst -3"},
	}
	for _, tt := range tests {
		t.Run(tt.names, func(t *testing.T) {
			l, err := concurrency.NewLimiter(tt.rate, tt.burst, nil)
			if !errors.Is(err, concurrency.ErrBadLimit) || !strings.Contains(err.Error(), tt.names) {
				t.Errorf("err = %v, want one wrapping ErrBadLimit that says %q", err, tt.names)
			}
			if l != nil {
				t.Error("got a Limiter along with the error")
			}
		})
	}
}

func newManualLimiter(t *testing.T, rate float64, burst int) (*concurrency.Limiter, *clock.Manual) {
	t.Helper()
	clk := new(clock.Manual)
	l, err := concurrency.NewLimiter(rate, burst, clk)
	if err != nil {
		t.Fatal(err)
	}
	return l, clk
}

func TestAllow(t *testing.T) {
	type step struct {
		advance time.Duration
		allowed int // how many Allow calls succeed before the first refusal
	}
	tests := []struct {
		name  string
		rate  float64
		burst int
		steps []step
	}{
		{"starts full", 1, 3, []step{{0, 3}, {0, 0}}},
		{"refills at the rate", 2, 1, []step{{0, 1}, {250 * time.Millisecond, 0}, {250 * time.Millisecond, 1}}},
		{"partial tokens add up", 4, 2, []step{{0, 2}, {100 * time.Millisecond, 0}, {100 * time.Millisecond, 0}, {50 * time.Millisecond, 1}}},
		{"never above burst", 10, 3, []step{{0, 3}, {time.Hour, 3}, {time.Second, 3}}},
		{"slow rate", 0.5, 1, []step{{0, 1}, {1999 * time.Millisecond, 0}, {time.Millisecond, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newManualLimiter(t, tt.rate, tt.burst)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				allowed := 0
				for allowed <= tt.burst && l.Allow() {
					allowed++
				}
				if allowed != s.allowed {
					t.Errorf("step %d (+%v): %d allowed, want %d", i, s.advance, allowed, s.allowed)
				}
			}
		})
	}
}

func TestAllowConcurrent(t *testing.T) {
	l, _ := newManualLimiter(t, 1, 10)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if l.Allow() {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 10 {
		t.Errorf("%d of 50 concurrent calls allowed, want exactly the burst of 10", got)
	}
}

// TestWaitQueues starts waiters on an empty bucket and advances the clock
// step by step: each token that comes due releases exactly one waiter, and
// not a nanosecond earlier.
func TestWaitQueues(t *testing.T) {
	tests := []struct {
		name    string
		rate    float64
		waiters int
		advance []time.Duration // each one must release exactly one waiter
	}{
		{"one waiter", 2, 1, []time.Duration{500 * time.Millisecond}},
		{"three queue in order", 2, 3, []time.Duration{500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond}},
		{"slow rate", 0.25, 2, []time.Duration{4 * time.Second, 4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l, clk := newManualLimiter(t, tt.rate, 1)
				if !l.Allow() {
					t.Fatal("a new limiter refused its first token")
				}
				done := make(chan error, tt.waiters)
				for range tt.waiters {
					go func() { done <- l.Wait(t.Context()) }()
				}
				clk.WaitForSleepers(tt.waiters)
				for i, d := range tt.advance {
					clk.Advance(d - time.Nanosecond)
					assertNotDone(t, done)
					clk.Advance(time.Nanosecond)
					if err := <-done; err != nil {
						t.Fatalf("waiter %d: %v", i, err)
					}
					assertNotDone(t, done)
				}
			})
		})
	}
}

// assertNotDone checks that no waiter has returned. synctest.Wait lets
// every waiter that could run do so first, so the check is not a guess.
func assertNotDone(t *testing.T, done <-chan error) {
	t.Helper()
	synctest.Wait()
	select {
	case err := <-done:
		t.Fatalf("a Wait returned (%v) before its token was due", err)
	default:
	}
}

func TestWaitImmediate(t *testing.T) {
	l, _ := newManualLimiter(t, 1, 2)
	for i := range 2 {
		if err := l.Wait(t.Context()); err != nil {
			t.Fatalf("Wait %d with tokens in the bucket: %v", i, err)
		}
	}
	if l.Allow() {
		t.Error("Allow succeeded after Wait spent the whole burst")
	}
}

// TestWaitCancel cancels a waiting Wait: it returns ctx.Err() and gives its
// token back, so the next token to come due is free for someone else.
func TestWaitCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, clk := newManualLimiter(t, 1, 1)
		l.Allow()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- l.Wait(ctx) }()
		clk.WaitForSleepers(1)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait = %v, want context.Canceled", err)
		}
		clk.Advance(time.Second)
		if !l.Allow() {
			t.Error("the cancelled Wait kept its token")
		}
		if l.Allow() {
			t.Error("more than one token after one second at rate 1")
		}
	})
}

func TestWaitDoneContext(t *testing.T) {
	l, _ := newManualLimiter(t, 1, 1)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
	if !l.Allow() {
		t.Error("Wait on a done context spent a token")
	}
}

// TestLimiterSystemClock runs the real clock in synctest's fake time: the
// waits are exact and take no wall time.
func TestLimiterSystemClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, err := concurrency.NewLimiter(10, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for range 6 { // 2 from the burst, then one every 100ms
			if err := l.Wait(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if elapsed := time.Since(start); elapsed < 400*time.Millisecond || elapsed > 401*time.Millisecond {
			t.Errorf("6 waits at 10/s with burst 2 took %v, want 400ms", elapsed)
		}

		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if err := l.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait with a deadline before the next token = %v, want DeadlineExceeded", err)
		}
	})
}

func ExampleLimiter() {
	clk := new(clock.Manual)
	limiter, err := concurrency.NewLimiter(2, 3, clk) // 2 a second, bursts of 3
	if err != nil {
		panic(err)
	}
	fmt.Println(limiter.Allow(), limiter.Allow(), limiter.Allow(), limiter.Allow())
	clk.Advance(500 * time.Millisecond) // time for one more token
	fmt.Println(limiter.Allow(), limiter.Allow())
	// Output:
	// true true true false
	// true false
}

func ExampleLimiter_Wait() {
	clk := new(clock.Manual)
	limiter, err := concurrency.NewLimiter(1, 1, clk)
	if err != nil {
		panic(err)
	}
	limiter.Allow() // empty the bucket
	done := make(chan error)
	go func() { done <- limiter.Wait(context.Background()) }()
	clk.WaitForSleepers(1) // Wait is waiting for its token
	clk.Advance(time.Second)
	fmt.Println("waited:", <-done)
	// Output: waited: <nil>
}
