package breaker_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"twinbook/breaker"
	"twinbook/internal/testutil"
)

// TestVectors replays the breaker's conformance vectors (tests/vectors/README.md,
// the spec's format): testutil.ForEachCase reads every *.json of
// $TWINBOOK_VECTORS_DIR/breaker/ when TWINBOOK_VECTORS_DIR is set (to a
// non-empty value), else of the project's tests/vectors/breaker/, one subtest
// per case, named by the case. A case with an op, a key or an expect key this
// runner does not know fails; nothing is skipped.
func TestVectors(t *testing.T) {
	testutil.ForEachCase(t, "breaker", runVectorCase)
}

type vectorCase struct {
	Name   string                     `json:"name"`
	Config map[string]json.RawMessage `json:"config"`
	Steps  []map[string]json.RawMessage
}

// vectorConfig turns a case's config into a breaker.Config.
func vectorConfig(raw map[string]json.RawMessage) (breaker.Config, error) {
	var cfg breaker.Config
	var errs []string
	integer := func(key string) int {
		var v int
		if err := json.Unmarshal(raw[key], &v); err != nil {
			errs = append(errs, fmt.Sprintf("%s: want an integer: %v", key, err))
		}
		return v
	}
	number := func(key string) float64 {
		var v float64
		if err := json.Unmarshal(raw[key], &v); err != nil {
			errs = append(errs, fmt.Sprintf("%s: want a number: %v", key, err))
		}
		return v
	}
	ms := func(key string) time.Duration { return time.Duration(integer(key)) * time.Millisecond }
	setters := map[string]func(string){
		"sliding_window": func(k string) {
			var s string
			if err := json.Unmarshal(raw[k], &s); err != nil {
				errs = append(errs, fmt.Sprintf("%s: want a string: %v", k, err))
			}
			cfg.SlidingWindow = breaker.WindowType(s)
		},
		"window_size":               func(k string) { cfg.WindowSize = integer(k) },
		"minimum_calls":             func(k string) { cfg.MinimumCalls = integer(k) },
		"failure_rate_threshold":    func(k string) { cfg.FailureRateThreshold = number(k) },
		"slow_call_rate_threshold":  func(k string) { cfg.SlowCallRateThreshold = number(k) },
		"slow_call_duration_ms":     func(k string) { cfg.SlowCallDuration = ms(k) },
		"wait_in_open_ms":           func(k string) { cfg.WaitInOpen = ms(k) },
		"half_open_permitted_calls": func(k string) { cfg.HalfOpenPermittedCalls = integer(k) },
		"max_wait_in_half_open_ms":  func(k string) { cfg.MaxWaitInHalfOpen = ms(k) },
	}
	for key := range raw {
		if setters[key] == nil {
			errs = append(errs, fmt.Sprintf("unknown config key %q", key))
		}
	}
	for key, set := range setters {
		if _, ok := raw[key]; !ok {
			errs = append(errs, fmt.Sprintf("missing config key %q", key))
			continue
		}
		set(key)
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return cfg, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return cfg, nil
}

// vectorStep is one step, its fields checked against the format.
type vectorStep struct {
	AtMS       int64                      `json:"at_ms"`
	Op         string                     `json:"op"`
	Outcome    *string                    `json:"outcome"`
	DurationMS *int64                     `json:"duration_ms"`
	ID         *string                    `json:"id"`
	Expect     map[string]json.RawMessage `json:"expect"`
}

var (
	vectorOps = map[string]bool{"call": true, "acquire": true, "complete": true, "state": true,
		"metrics": true, "force_open": true, "disable": true, "close": true, "reset": true}
	metricKeys = map[string]bool{"calls": true, "failed": true, "slow": true,
		"failure_rate": true, "slow_call_rate": true}
)

func runVectorCase(t *testing.T, c vectorCase) {
	cfg, err := vectorConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	b, clock := newTestBreaker(t, cfg)
	tr := watch(b)
	type held struct {
		perm    breaker.Permission
		granted bool
	}
	perms := map[string]*held{}
	var last int64
	for i, raw := range c.Steps {
		rawStep, _ := json.Marshal(raw)
		var s vectorStep
		if err := testutil.DecodeStrict(rawStep, &s); err != nil {
			t.Fatalf("step %d: malformed: %v", i, err)
		}
		where := fmt.Sprintf("step %d (%s at %d)", i, s.Op, s.AtMS)
		if !vectorOps[s.Op] {
			t.Fatalf("%s: unknown op %q", where, s.Op)
		}
		for key := range s.Expect {
			if key != "permitted" && key != "state" && key != "transitions" && !metricKeys[key] {
				t.Fatalf("%s: unknown expect key %q", where, key)
			}
		}
		if _, ok := s.Expect["permitted"]; ok && s.Op != "call" && s.Op != "acquire" {
			t.Fatalf("%s: expect.permitted applies only to call and acquire", where)
		}
		if s.AtMS < last {
			t.Fatalf("%s: at_ms goes back in time (the clock is at %d)", where, last)
		}
		outcome := func() breaker.Outcome {
			if s.Outcome == nil {
				t.Fatalf("%s: needs an outcome", where)
			}
			o, err := breaker.ParseOutcome(*s.Outcome)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			return o
		}
		id := func() string {
			if s.ID == nil {
				t.Fatalf("%s: needs an id", where)
			}
			return *s.ID
		}

		tr.take()
		clock.Set(time.UnixMilli(s.AtMS))
		now := s.AtMS
		var permitted *bool
		switch s.Op {
		case "call":
			o := outcome()
			if s.DurationMS == nil || *s.DurationMS < 0 {
				t.Fatalf("%s: needs a duration_ms >= 0", where)
			}
			perm, err := b.Acquire()
			ok := err == nil
			permitted = &ok
			if ok {
				now = s.AtMS + *s.DurationMS
				clock.Set(time.UnixMilli(now))
				perm.Complete(o)
			}
			last = s.AtMS + *s.DurationMS
		case "acquire":
			name := id()
			if _, dup := perms[name]; dup {
				t.Fatalf("%s: id %q acquired twice", where, name)
			}
			perm, err := b.Acquire()
			ok := err == nil
			permitted = &ok
			perms[name] = &held{perm: perm, granted: ok}
		case "complete":
			o := outcome()
			h := perms[id()]
			if h == nil {
				t.Fatalf("%s: no acquire with id %q", where, id())
			}
			if !h.granted {
				t.Fatalf("%s: completes %q, which was refused", where, id())
			}
			delete(perms, id())
			h.perm.Complete(o)
		case "state", "metrics":
			b.State()
		case "force_open":
			b.ForceOpen()
		case "disable":
			b.Disable()
		case "close":
			b.Close()
		case "reset":
			b.Reset()
		}
		clock.Set(time.UnixMilli(now))
		last = max(last, now)
		state := b.State() // a consultation: transitions due by now happen in this step
		got := tr.take()
		m := b.Metrics()

		for key, rawWant := range s.Expect {
			switch key {
			case "permitted":
				var want bool
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				if permitted == nil || *permitted != want {
					t.Errorf("%s: permitted = %v, want %v", where, testutil.Got(permitted), want)
				}
			case "state":
				var want string
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				if state.String() != want {
					t.Errorf("%s: state = %s, want %s", where, state, want)
				}
			case "transitions":
				var want []string
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("%s: transitions = %q, want %q", where, got, want)
				}
			case "calls", "failed", "slow":
				var want int
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				have := map[string]int{"calls": m.Calls, "failed": m.Failed, "slow": m.Slow}[key]
				if have != want {
					t.Errorf("%s: %s = %d, want %d (%+v)", where, key, have, want, m)
				}
			case "failure_rate", "slow_call_rate":
				var want float64
				testutil.DecodeExpect(t, where, key, rawWant, &want)
				have := map[string]float64{"failure_rate": m.FailureRate, "slow_call_rate": m.SlowCallRate}[key]
				if math.Abs(have-want) > 1e-6 {
					t.Errorf("%s: %s = %v, want %v (%+v)", where, key, have, want, m)
				}
			}
		}
	}
}
