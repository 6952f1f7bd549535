package concurrency_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/clock"
	"twinbook/concurrency"
	"twinbook/internal/testutil"
)

// The limiter's conformance vectors (the format is in tests/vectors/README.md
// and book/appendix/spec-limiter.md): testutil.ForEachCase reads every *.json
// in $TWINBOOK_VECTORS_DIR/limiter/ when TWINBOOK_VECTORS_DIR is set to a
// non-empty value, else in the project's tests/vectors/limiter/, one subtest
// per case, named by the case. A case with an op, a key or an expect key this
// runner does not know fails; nothing is skipped.
//
// Each case runs in a synctest bubble, so "every waiter that can run has run"
// is a fact (synctest.Wait), not a guess: a step moves the clock, lets the
// waiters whose time has come return, then does its op and reads the result.

// vectorClock is the clock a case drives: Now reads the step's at_ms exactly,
// even when a case steps it back, and timers run on a manual clock that moves
// forward to the furthest reading so far (no case sleeps while the reading is
// behind). It records every delay the limiter asks to sleep.
//
// This is the only place the runner names the project's manual clock.
type vectorClock struct {
	manual *clock.Manual
	start  time.Time

	mu       sync.Mutex
	reading  time.Duration // since start
	furthest time.Duration
	asked    []time.Duration
}

func newVectorClock() *vectorClock {
	manual := clock.NewManual(time.Time{})
	return &vectorClock{manual: manual, start: manual.Now()}
}

func (c *vectorClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.start.Add(c.reading)
}

func (c *vectorClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.asked = append(c.asked, d)
	c.mu.Unlock()
	return c.manual.After(d)
}

// set makes the clock read ms milliseconds, firing the timers now due.
func (c *vectorClock) set(ms int64) {
	at := time.Duration(ms) * time.Millisecond
	c.mu.Lock()
	c.reading = at
	step := at - c.furthest
	c.furthest = max(c.furthest, at)
	c.mu.Unlock()
	if step > 0 {
		c.manual.Advance(step)
	}
}

// askedSince returns the delays asked for after the first n.
func (c *vectorClock) askedSince(n int) []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.asked[n:])
}

func (c *vectorClock) askedCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.asked)
}

type limiterVectorCase struct {
	Name   string                     `json:"name"`
	Config map[string]json.RawMessage `json:"config"`
	Steps  []json.RawMessage          `json:"steps"`
	Error  *string                    `json:"error"`
}

type limiterVectorStep struct {
	AtMS      *int64                     `json:"at_ms"`
	Op        string                     `json:"op"`
	ID        *string                    `json:"id"`
	Cancelled *bool                      `json:"cancelled"`
	Expect    map[string]json.RawMessage `json:"expect"`
}

func TestLimiterVectors(t *testing.T) {
	testutil.ForEachCase(t, "limiter", func(t *testing.T, c limiterVectorCase) {
		synctest.Test(t, func(t *testing.T) { runLimiterCase(t, c) })
	})
}

// limiterVectorConfig reads rate (a number, or "nan", "inf", "-inf": JSON has
// no such numbers) and burst (an integer), and nothing else.
func limiterVectorConfig(raw map[string]json.RawMessage) (float64, int, error) {
	for key := range raw {
		if key != "rate" && key != "burst" {
			return 0, 0, fmt.Errorf("config: unknown key %q", key)
		}
	}
	if raw["rate"] == nil || raw["burst"] == nil {
		return 0, 0, errors.New("config: needs rate and burst")
	}
	var rate float64
	if err := json.Unmarshal(raw["rate"], &rate); err != nil {
		var word string
		if json.Unmarshal(raw["rate"], &word) != nil {
			return 0, 0, fmt.Errorf("config: rate: %w", err)
		}
		special := map[string]float64{"nan": math.NaN(), "inf": math.Inf(1), "-inf": math.Inf(-1)}
		r, ok := special[word]
		if !ok {
			return 0, 0, fmt.Errorf("config: rate: unknown special value %q", word)
		}
		rate = r
	}
	var burst int
	if err := json.Unmarshal(raw["burst"], &burst); err != nil {
		return 0, 0, fmt.Errorf("config: burst: %w", err)
	}
	return rate, burst, nil
}

// reservation is one vector wait: a Wait running in its own goroutine.
type reservation struct {
	cancel   context.CancelFunc
	done     chan error
	returned bool
	err      error
}

// collect notes the result if the Wait has returned; synctest.Wait must have
// been called first so that "not returned" means "asleep".
func (r *reservation) collect() bool {
	if r.returned {
		return false
	}
	select {
	case r.err = <-r.done:
		r.returned = true
		return true
	default:
		return false
	}
}

func runLimiterCase(t *testing.T, c limiterVectorCase) {
	rate, burst, err := limiterVectorConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	vclock := newVectorClock()
	lim, err := concurrency.NewLimiter(rate, burst, vclock)
	if c.Error != nil {
		checkConfigError(t, *c.Error, err)
		if len(c.Steps) > 0 {
			t.Fatal("a case expecting an error has no steps")
		}
		return
	}
	if err != nil {
		t.Fatalf("NewLimiter(%v, %d) = %v, and the case expects no error", rate, burst, err)
	}
	if len(c.Steps) == 0 {
		t.Fatal("a case needs steps or an error")
	}

	var order []string
	held := map[string]*reservation{}
	defer func() { // no goroutine may outlive the bubble
		for _, r := range held {
			r.cancel()
		}
		synctest.Wait()
		for _, r := range held {
			r.collect()
		}
	}()
	waiting := func() []string {
		ids := []string{}
		for _, id := range order {
			if !held[id].returned {
				ids = append(ids, id)
			}
		}
		return ids
	}

	for i, raw := range c.Steps {
		var s limiterVectorStep
		if err := testutil.DecodeStrict(raw, &s); err != nil {
			t.Fatalf("step %d: malformed: %v", i+1, err)
		}
		if s.AtMS == nil || *s.AtMS < 0 {
			t.Fatalf("step %d: needs at_ms >= 0", i+1)
		}
		where := fmt.Sprintf("step %d (%s at %d ms)", i+1, s.Op, *s.AtMS)
		checkLimiterStepShape(t, where, s)

		vclock.set(*s.AtMS)
		synctest.Wait() // the waiters whose timers fired have returned
		for _, id := range order {
			if r := held[id]; r.collect() && r.err != nil {
				t.Fatalf("%s: wait %q woke with %v, want nil", where, id, r.err)
			}
		}

		var (
			allowed   *bool
			delay     *int64
			cancelled *bool
		)
		switch s.Op {
		case "allow":
			ok := lim.Allow()
			allowed = &ok
		case "wait":
			id := *s.ID
			if held[id] != nil {
				t.Fatalf("%s: id %q used twice", where, id)
			}
			ctx, cancel := context.WithCancel(t.Context())
			if s.Cancelled != nil && *s.Cancelled {
				cancel()
			}
			r := &reservation{cancel: cancel, done: make(chan error, 1)}
			held[id] = r
			order = append(order, id)
			before := vclock.askedCount()
			go func() { r.done <- lim.Wait(ctx) }()
			synctest.Wait()
			asked := vclock.askedSince(before)
			r.collect()
			switch {
			case r.returned && errors.Is(r.err, context.Canceled):
				yes := true
				cancelled = &yes
			case r.returned && r.err != nil:
				t.Fatalf("%s: Wait = %v", where, r.err)
			case r.returned && len(asked) == 0:
				no, zero := false, int64(0)
				cancelled, delay = &no, &zero
			case !r.returned && len(asked) == 1:
				no, ns := false, asked[0].Nanoseconds()
				cancelled, delay = &no, &ns
			default:
				t.Fatalf("%s: Wait returned=%v after asking the clock for %v", where, r.returned, asked)
			}
		case "cancel":
			r := held[*s.ID]
			if r == nil {
				t.Fatalf("%s: no wait with id %q", where, *s.ID)
			}
			r.cancel()
			synctest.Wait()
			got := r.collect() && errors.Is(r.err, context.Canceled)
			if r.returned && r.err != nil && !errors.Is(r.err, context.Canceled) {
				t.Fatalf("%s: Wait = %v", where, r.err)
			}
			cancelled = &got
		case "check":
		}

		for key, rawWant := range s.Expect {
			switch key {
			case "allowed":
				var want bool
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				if *allowed != want {
					t.Errorf("%s: allowed = %v, want %v", where, *allowed, want)
				}
			case "delay_ns":
				var want int64
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				if delay == nil || *delay != want {
					t.Errorf("%s: delay_ns = %v, want %d", where, testutil.Got(delay), want)
				}
			case "cancelled":
				var want bool
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				if cancelled == nil || *cancelled != want {
					t.Errorf("%s: cancelled = %v, want %v", where, testutil.Got(cancelled), want)
				}
			case "waiting":
				var want []string
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				if got := waiting(); !slices.Equal(got, want) {
					t.Errorf("%s: waiting = %q, want %q", where, got, want)
				}
			}
		}
	}
}

// checkLimiterStepShape fails the case on an op, an expect key or a field this
// runner does not know, or one used where the format does not allow it.
func checkLimiterStepShape(t *testing.T, where string, s limiterVectorStep) {
	t.Helper()
	switch s.Op {
	case "allow", "check":
		if s.ID != nil {
			t.Fatalf("%s: %s takes no id", where, s.Op)
		}
	case "wait", "cancel":
		if s.ID == nil {
			t.Fatalf("%s: %s needs an id", where, s.Op)
		}
	default:
		t.Fatalf("%s: unknown op %q", where, s.Op)
	}
	if s.Cancelled != nil && s.Op != "wait" {
		t.Fatalf("%s: only a wait can be cancelled before it begins", where)
	}
	allowedOn := map[string][]string{
		"allowed":   {"allow"},
		"delay_ns":  {"wait"},
		"cancelled": {"wait", "cancel"},
		"waiting":   {"allow", "wait", "cancel", "check"},
	}
	for key := range s.Expect {
		ops, known := allowedOn[key]
		if !known {
			t.Fatalf("%s: unknown expect key %q", where, key)
		}
		if !slices.Contains(ops, s.Op) {
			t.Fatalf("%s: expect.%s does not apply to %s", where, key, s.Op)
		}
	}
	if _, ok := s.Expect["delay_ns"]; ok && s.Cancelled != nil && *s.Cancelled {
		t.Fatalf("%s: a wait cancelled before it begins has no delay", where)
	}
}

// checkConfigError checks that NewLimiter refused the config naming field
// (and not the other one), wrapping ErrBadLimit.
func checkConfigError(t *testing.T, field string, err error) {
	t.Helper()
	other := map[string]string{"rate": "burst", "burst": "rate"}[field]
	if other == "" {
		t.Fatalf("error: want \"rate\" or \"burst\", got %q", field)
	}
	if !errors.Is(err, concurrency.ErrBadLimit) {
		t.Fatalf("NewLimiter error = %v, want one wrapping ErrBadLimit", err)
	}
	if msg := err.Error(); !strings.Contains(msg, field) || strings.Contains(msg, other) {
		t.Errorf("NewLimiter error %q, want one naming %s (and not %s)", msg, field, other)
	}
}
