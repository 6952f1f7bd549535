package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"twinbook/breaker"
	"twinbook/internal/testutil"
)

// halfOpen returns a breaker in HalfOpen with the given permits.
func halfOpen(t *testing.T, permits int) *breaker.Breaker {
	t.Helper()
	cfg := specConfig()
	cfg.HalfOpenPermittedCalls = permits
	b, clock := newTestBreaker(t, cfg)
	trip(t, b)
	clock.Advance(cfg.WaitInOpen)
	if s := b.State(); s != breaker.HalfOpen {
		t.Fatalf("state %s, want half_open", s)
	}
	return b
}

func TestHalfOpenNeverAdmitsMoreThanItsPermits(t *testing.T) {
	for _, permits := range []int{1, 3, 10} {
		t.Run(fmt.Sprint("permits ", permits), func(t *testing.T) {
			b := halfOpen(t, permits)
			var g testutil.Gauge
			var granted atomic.Int64
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					for range 200 {
						perm, err := b.Acquire()
						if err != nil {
							runtime.Gosched()
							continue
						}
						granted.Add(1)
						g.Enter()
						runtime.Gosched()
						g.Exit()
						perm.Complete(breaker.Ignored) // gives the permit back
					}
				})
			}
			wg.Wait()
			if peak := g.Peak(); peak > int64(permits) {
				t.Errorf("%d trial calls ran at once, permits %d", peak, permits)
			}
			if granted.Load() < int64(permits) {
				t.Errorf("only %d permits granted in all", granted.Load())
			}
			if s := b.State(); s != breaker.HalfOpen {
				t.Errorf("ignored trial calls decided the state: %s", s)
			}
		})
	}
}

func TestHalfOpenGrantsExactlyItsPermitsAtOnce(t *testing.T) {
	const permits, callers = 5, 100
	b := halfOpen(t, permits)
	start := make(chan struct{})
	perms := make(chan breaker.Permission, callers)
	var refused atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			<-start
			perm, err := b.Acquire()
			if err != nil {
				if !errors.Is(err, breaker.ErrOpen) {
					t.Errorf("refusal %v does not match ErrOpen", err)
				}
				refused.Add(1)
				return
			}
			perms <- perm
		})
	}
	close(start)
	wg.Wait()
	close(perms)
	if n := len(perms); n != permits || refused.Load() != callers-permits {
		t.Fatalf("%d granted, %d refused; want %d and %d", n, refused.Load(), permits, callers-permits)
	}
	var done sync.WaitGroup
	for perm := range perms {
		done.Go(func() { perm.Complete(breaker.Success) })
	}
	done.Wait()
	if s := b.State(); s != breaker.Closed {
		t.Errorf("state %s after %d successful trial calls, want closed", s, permits)
	}
}

func TestConcurrentRecordsAreAllCounted(t *testing.T) {
	const workers, perWorker = 8, 500
	for _, window := range []breaker.WindowType{breaker.CountWindow, breaker.TimeWindow} {
		t.Run(string(window), func(t *testing.T) {
			cfg := specConfig()
			cfg.SlidingWindow = window
			cfg.WindowSize = 10_000 // calls
			if window == breaker.TimeWindow {
				cfg.WindowSize = 100 // seconds: the clock stands still
			}
			cfg.MinimumCalls = 1
			cfg.FailureRateThreshold = 100
			b, _ := newTestBreaker(t, cfg)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for i := range perWorker {
						o := breaker.Success
						if i%10 == 9 { // after its own successes: never 100%
							o = breaker.Failure
						}
						mustComplete(t, b, o)
					}
				})
			}
			wg.Wait()
			m := b.Metrics()
			if m.Calls != workers*perWorker || m.Failed != workers*perWorker/10 || m.State != breaker.Closed {
				t.Errorf("metrics %+v, want %d calls, %d failed, closed", m, workers*perWorker, workers*perWorker/10)
			}
		})
	}
}

func TestConcurrentCountWindowKeepsItsShape(t *testing.T) {
	// Many goroutines lap a small ring over and over; once they are done, 64
	// successes in a row must leave exactly 64 calls and no failure behind.
	cfg := specConfig()
	cfg.WindowSize, cfg.MinimumCalls = 64, 64
	cfg.FailureRateThreshold = 100
	b, _ := newTestBreaker(t, cfg)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range 2000 {
				o := breaker.Success
				if r.IntN(4) == 0 {
					o = breaker.Failure
				}
				mustComplete(t, b, o)
			}
		})
	}
	wg.Wait()
	if m := b.Metrics(); m.Calls != 64 || m.State != breaker.Closed {
		t.Fatalf("after the storm: %+v, want a full window of 64, closed", m)
	}
	for range 64 {
		mustComplete(t, b, breaker.Success)
	}
	if m := b.Metrics(); m.Calls != 64 || m.Failed != 0 || m.FailureRate != 0 {
		t.Errorf("after 64 successes: %+v, want 64 calls, none failed", m)
	}
}

func TestConcurrentTripTransitionsOnce(t *testing.T) {
	cfg := specConfig()
	cfg.WindowSize, cfg.MinimumCalls = 20, 20
	b, _ := newTestBreaker(t, cfg)
	tr := watch(b)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 20 {
				perm, err := b.Acquire()
				if err == nil {
					perm.Complete(breaker.Failure)
				}
			}
		})
	}
	wg.Wait()
	if got := tr.take(); len(got) != 1 || got[0] != "closed->open" {
		t.Errorf("transitions %q, want exactly one closed->open", got)
	}
}

func TestEventsStayOrderedUnderConcurrency(t *testing.T) {
	// Calls, manual transitions and the passing of time all at once: the
	// transitions a subscriber sees must form one chain, each leaving the
	// state the previous one entered.
	cfg := specConfig()
	cfg.WaitInOpen = 3 * time.Millisecond
	cfg.MaxWaitInHalfOpen = 2 * time.Millisecond
	b, clock := newTestBreaker(t, cfg)
	var mu sync.Mutex
	var chain []breaker.Event
	b.Subscribe(func(e breaker.Event) {
		if e.Type == breaker.EventTransition || e.Type == breaker.EventReset {
			mu.Lock()
			chain = append(chain, e)
			mu.Unlock()
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for ctx.Err() == nil {
				o := breaker.Outcome(r.IntN(3))
				breaker.Execute(context.Background(), b, func(context.Context) (int, error) {
					switch o {
					case breaker.Failure:
						return 0, errBoom
					case breaker.Ignored:
						return 0, context.Canceled // not the caller's: a failure
					}
					return 1, nil
				})
			}
		})
	}
	wg.Go(func() {
		ops := []func(){b.ForceOpen, b.Close, b.Disable, b.Reset, func() { b.State() }}
		r := rand.New(rand.NewPCG(9, 9))
		for range 300 {
			clock.Advance(time.Millisecond)
			if r.IntN(4) == 0 {
				ops[r.IntN(len(ops))]()
			}
			runtime.Gosched()
		}
		cancel()
	})
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	state := breaker.Closed
	for i, e := range chain {
		if e.Type == breaker.EventReset {
			if state != breaker.Closed {
				t.Fatalf("event %d: reset while %s", i, state)
			}
			continue
		}
		if e.From != state {
			t.Fatalf("event %d: %s, but the previous transition entered %s", i, e, state)
		}
		state = e.State
	}
	if len(chain) < 10 {
		t.Errorf("only %d transitions: the test did not exercise much", len(chain))
	}
}
