// Helpers the tests of this chapter's exercises share: the fake clock, the transition log
// and the replayer of the conformance vectors. The checker places this file beside an
// exercise's tests, in the same package, so the tests call these names directly.
package main_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a fake clock in milliseconds: time moves only when the test says so.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() int64   { return c.ms.Load() }
func (c *fakeClock) set(ms int64) { c.ms.Store(ms) }

// meetingClock is a fake clock that, once armed, makes the first goroutine that reads it
// wait for a second one: it stops a goroutine in the middle of a breaker's check-then-act
// (the clock is read between "is the wait over?" and the transition), so that another
// goroutine gets in there.
//
// A breaker that holds its mutex while it reads the clock keeps the second goroutine out:
// the first one waits patience alone, the clock disarms itself and the test goes on, with
// the right answer. A breaker without the mutex lets the second goroutine in: the two meet
// here and both go on from the same point, so the missing lock shows in what the breaker
// does, every run, not by luck (and the race detector sees the two goroutines at once).
// patience only bounds what a correct breaker costs: the second goroutine is already
// running when the first one waits.
type meetingClock struct {
	fakeClock
	patience time.Duration
	mu       sync.Mutex
	armed    bool
	first    bool          // the first reader is waiting
	waiting  chan struct{} // closed when the first reader waits
	second   chan struct{} // closed by the second reader
	met      atomic.Bool   // two goroutines were inside the clock at once
}

// newMeetingClock returns a meetingClock at ms.
func newMeetingClock(ms int64) *meetingClock {
	c := &meetingClock{patience: 200 * time.Millisecond}
	c.set(ms)
	c.waiting, c.second = make(chan struct{}), make(chan struct{})
	return c
}

// arm makes the next reader wait for a second one (once).
func (c *meetingClock) arm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed, c.first = true, false
	c.waiting, c.second = make(chan struct{}), make(chan struct{})
}

// now reads the clock; armed, the first reader waits for a second one or for patience.
func (c *meetingClock) now() int64 {
	c.mu.Lock()
	if !c.armed {
		c.mu.Unlock()
		return c.ms.Load()
	}
	if c.first { // the second reader: the first one is waiting for it
		close(c.second)
		c.armed = false
		c.mu.Unlock()
		return c.ms.Load()
	}
	c.first = true
	close(c.waiting)
	second := c.second
	c.mu.Unlock()
	select {
	case <-second:
		c.met.Store(true)
	case <-time.After(c.patience): // alone: the breaker's lock keeps the other goroutine out
		c.mu.Lock()
		c.armed = false
		c.mu.Unlock()
	}
	return c.ms.Load()
}

// scene is one meeting: first runs in a goroutine and, once it waits in clock (or has
// returned), second in another.
type scene struct {
	clock         *meetingClock
	first, second func()
}

// meetings plays the scenes at the same time (a correct breaker costs one patience in all)
// and waits for them; a panic of the learner's code fails the test.
func meetings(t *testing.T, scenes ...scene) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var panics []string
	run := func(fn func(), done chan struct{}) {
		defer wg.Done()
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				mu.Lock()
				panics = append(panics, fmt.Sprint(r))
				mu.Unlock()
			}
		}()
		fn()
	}
	for _, s := range scenes {
		s.clock.arm()
		firstDone, secondDone := make(chan struct{}), make(chan struct{})
		wg.Add(2)
		go run(s.first, firstDone)
		go func() {
			select {
			case <-s.clock.waiting:
			case <-firstDone:
			}
			run(s.second, secondDone)
		}()
	}
	wg.Wait()
	if len(panics) > 0 {
		t.Fatalf("two goroutines using the breaker at once: it panicked: %s", panics[0])
	}
}

// transitionLog records the transitions a breaker reports. Its mutex keeps the log whole
// when a breaker without a lock of its own reports from two goroutines at once.
type transitionLog struct {
	mu  sync.Mutex
	got []string
}

func (l *transitionLog) add(from, to string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, from+"->"+to)
}

// take returns the transitions since the last take (never nil) and forgets them.
func (l *transitionLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	got := slices.Clone(l.got)
	l.got = nil
	if got == nil {
		got = []string{}
	}
	return got
}

// vecStep is one step of a conformance vector.
type vecStep struct {
	AtMs       int64          `json:"at_ms"`
	Op         string         `json:"op"`
	Outcome    string         `json:"outcome"`
	DurationMs int64          `json:"duration_ms"`
	ID         string         `json:"id"`
	Expect     map[string]any `json:"expect"`
}

// vecConfig is a conformance vector's breaker configuration.
type vecConfig struct {
	SlidingWindow          string  `json:"sliding_window"`
	WindowSize             int     `json:"window_size"`
	MinimumCalls           int     `json:"minimum_calls"`
	FailureRateThreshold   float64 `json:"failure_rate_threshold"`
	SlowCallRateThreshold  float64 `json:"slow_call_rate_threshold"`
	SlowCallDurationMs     int64   `json:"slow_call_duration_ms"`
	WaitInOpenMs           int64   `json:"wait_in_open_ms"`
	HalfOpenPermittedCalls int     `json:"half_open_permitted_calls"`
	MaxWaitInHalfOpenMs    int64   `json:"max_wait_in_half_open_ms"`
}

// vecCase is one conformance vector: a configuration and its steps.
type vecCase struct {
	Name   string    `json:"name"`
	Config vecConfig `json:"config"`
	Steps  []vecStep `json:"steps"`
}

// vecDriver is an exercise's adapter around the learner's code, as the replayer drives it.
type vecDriver interface {
	// setTime moves the clock to ms.
	setTime(ms int64)
	// acquire asks for a call; ok is false when the breaker rejects it.
	acquire() (permission any, ok bool)
	// complete reports the outcome ("success", "failure", "ignored") of a permitted call.
	complete(permission any, outcome string)
	// manual applies force_open, disable, close or reset; an error when the exercise has none.
	manual(op string) error
	// metrics returns the metrics in the vectors' terms (numbers as float64).
	metrics() map[string]any
	// state returns the breaker's state.
	state() string
	// transitions returns the transitions since the last call and forgets them.
	transitions() []string
}

// vecFakeTime is what the drivers of a learner's breaker on a fake clock share: the clock,
// the transition log, and no manual transitions. A driver embeds it and adds the rest.
type vecFakeTime struct {
	clock fakeClock
	log   transitionLog
}

func (d *vecFakeTime) setTime(ms int64)      { d.clock.set(ms) }
func (d *vecFakeTime) transitions() []string { return d.log.take() }
func (d *vecFakeTime) manual(string) error   { return errNoManual }

// countWindowMetrics gives a breaker's metrics without slow calls in the vectors' terms: no
// call is slow, so the slow-call rate is 0 once the failure rate is evaluated (-1 before).
func countWindowMetrics(calls, failed int, failureRate float64) map[string]any {
	slowRate := 0.0
	if failureRate == -1 {
		slowRate = -1
	}
	return map[string]any{
		"calls": float64(calls), "failed": float64(failed), "failure_rate": failureRate,
		"slow": 0.0, "slow_call_rate": slowRate,
	}
}

// vecCheck compares what happened with a step's expectations.
func vecCheck(where string, got map[string]any, expect map[string]any) error {
	for key, want := range expect {
		g, ok := got[key]
		if !ok {
			return fmt.Errorf("%s: unknown expectation %q", where, key)
		}
		switch w := want.(type) {
		case float64:
			gf, _ := g.(float64)
			if math.Abs(gf-w) > 1e-6 {
				return fmt.Errorf("%s: %s is %v, want %v", where, key, g, w)
			}
		case []any:
			ws := make([]string, len(w))
			for i, x := range w {
				ws[i], _ = x.(string)
			}
			if gs, _ := g.([]string); !slices.Equal(gs, ws) {
				return fmt.Errorf("%s: %s is %v, want %v", where, key, g, ws)
			}
		default:
			if g != want {
				return fmt.Errorf("%s: %s is %v, want %v", where, key, g, want)
			}
		}
	}
	return nil
}

// vecReplay replays one case step by step on the driver newDriver builds for its
// configuration; a panic of the learner's code is an error, not a crash.
func vecReplay(c vecCase, newDriver func(vecConfig) vecDriver) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", c.Name, r)
		}
	}()
	d := newDriver(c.Config)
	permissions := map[string]any{}
	for i, s := range c.Steps {
		where := fmt.Sprintf("%s: step %d (%s at %d ms)", c.Name, i, s.Op, s.AtMs)
		d.setTime(s.AtMs)
		d.transitions()
		got := map[string]any{}
		switch s.Op {
		case "call":
			p, ok := d.acquire()
			got["permitted"] = ok
			if ok {
				d.setTime(s.AtMs + s.DurationMs)
				d.complete(p, s.Outcome)
			}
		case "acquire":
			p, ok := d.acquire()
			got["permitted"] = ok
			permissions[s.ID] = p
		case "complete":
			d.complete(permissions[s.ID], s.Outcome)
		case "force_open", "disable", "close", "reset":
			if err := d.manual(s.Op); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		case "metrics":
			for k, v := range d.metrics() {
				got[k] = v
			}
		case "state":
		default:
			return fmt.Errorf("%s: op %q is not part of this exercise", where, s.Op)
		}
		got["state"] = d.state()
		got["transitions"] = d.transitions()
		if err := vecCheck(where, got, s.Expect); err != nil {
			return err
		}
	}
	return nil
}

// vecRun replays every case of vectorsJSON (an exercise's embedded vectors), one subtest each.
func vecRun(t *testing.T, vectorsJSON string, newDriver func(vecConfig) vecDriver) {
	t.Helper()
	var cases []vecCase
	if err := json.Unmarshal([]byte(vectorsJSON), &cases); err != nil {
		t.Fatalf("the embedded vectors do not parse: %v", err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if err := vecReplay(c, newDriver); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// errNoManual is the manual transition error of exercises without manual transitions.
var errNoManual = errors.New("manual transitions are not part of this exercise")
