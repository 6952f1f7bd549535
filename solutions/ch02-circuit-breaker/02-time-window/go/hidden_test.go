// Hidden tests for the time window (instructors only). They use the helpers of
// visible_test.go.
//
// TestHiddenConformanceVectors replays the project's conformance vectors
// (tests/vectors/breaker) that use a time window, through a harness: the spec's
// breaker (a transcription of tests/vectors/reference/breaker_model.py) whose closed
// state keeps its calls in the learner's TimeWindow.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

type hvStep struct {
	AtMs       int64          `json:"at_ms"`
	Op         string         `json:"op"`
	Outcome    string         `json:"outcome"`
	DurationMs int64          `json:"duration_ms"`
	ID         string         `json:"id"`
	Expect     map[string]any `json:"expect"`
}

type hvConfig struct {
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

type hvCase struct {
	Name   string   `json:"name"`
	Config hvConfig `json:"config"`
	Steps  []hvStep `json:"steps"`
}

type hvPermission struct {
	generation int
	at         int64
}

// hvHarness is the spec's breaker; its closed state keeps its calls in the learner's TimeWindow.
type hvHarness struct {
	cfg        hvConfig
	state      string
	since      int64
	generation int
	window     *TimeWindow
	half       [][2]bool // (failed, slow) of the calls recorded since half_open began
	inFlight   int
	log        []string
}

func (h *hvHarness) to(state string, at int64) {
	h.log = append(h.log, h.state+"->"+state)
	h.state, h.since = state, at
	h.generation++
	h.window.Clear()
	h.half, h.inFlight = nil, 0
}

func (h *hvHarness) advance(now int64) {
	for {
		switch {
		case h.state == "open" && now >= h.since+h.cfg.WaitInOpenMs:
			h.to("half_open", h.since+h.cfg.WaitInOpenMs)
		case h.state == "half_open" && h.cfg.MaxWaitInHalfOpenMs > 0 && now >= h.since+h.cfg.MaxWaitInHalfOpenMs:
			h.to("open", h.since+h.cfg.MaxWaitInHalfOpenMs)
		default:
			return
		}
	}
}

func (h *hvHarness) acquire(now int64) *hvPermission {
	h.advance(now)
	switch {
	case h.state == "closed" || h.state == "disabled":
		return &hvPermission{h.generation, now}
	case h.state == "half_open" && h.inFlight+len(h.half) < h.cfg.HalfOpenPermittedCalls:
		h.inFlight++
		return &hvPermission{h.generation, now}
	}
	return nil
}

func (h *hvHarness) over(m WindowMetrics) bool {
	return m.FailureRate >= h.cfg.FailureRateThreshold || m.SlowCallRate >= h.cfg.SlowCallRateThreshold
}

func (h *hvHarness) complete(p *hvPermission, outcome string, now int64) {
	h.advance(now)
	if p.generation != h.generation {
		return
	}
	if h.state == "half_open" {
		h.inFlight--
	}
	if outcome == "ignored" || (h.state != "closed" && h.state != "half_open") {
		return
	}
	failed, slow := outcome == "failure", now-p.at > h.cfg.SlowCallDurationMs
	if h.state == "closed" {
		h.window.Record(now, failed, slow)
		if h.over(h.window.Metrics(now)) {
			h.to("open", now)
		}
		return
	}
	h.half = append(h.half, [2]bool{failed, slow})
	if len(h.half) == h.cfg.HalfOpenPermittedCalls {
		if h.over(h.metrics(now)) {
			h.to("open", now)
		} else {
			h.to("closed", now)
		}
	}
}

func (h *hvHarness) manual(op string, now int64) {
	h.advance(now)
	if op == "reset" {
		if h.state == "closed" {
			h.generation++
			h.window.Clear()
		} else {
			h.to("closed", now)
		}
		return
	}
	target := map[string]string{"force_open": "forced_open", "disable": "disabled", "close": "closed"}[op]
	if h.state != target {
		h.to(target, now)
	}
}

func (h *hvHarness) metrics(now int64) WindowMetrics {
	if h.state == "closed" {
		return h.window.Metrics(now)
	}
	m := WindowMetrics{FailureRate: -1, SlowCallRate: -1}
	if h.state != "half_open" {
		return m
	}
	for _, c := range h.half {
		m.Calls++
		if c[0] {
			m.Failed++
		}
		if c[1] {
			m.Slow++
		}
	}
	if m.Calls > 0 && m.Calls >= h.cfg.HalfOpenPermittedCalls {
		m.FailureRate = float64(m.Failed) * 100 / float64(m.Calls)
		m.SlowCallRate = float64(m.Slow) * 100 / float64(m.Calls)
	}
	return m
}

// hvCheck compares what happened with a step's expectations.
func hvCheck(where string, got map[string]any, expect map[string]any) error {
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

func hvReplay(c hvCase) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", c.Name, r)
		}
	}()
	h := &hvHarness{cfg: c.Config, state: "closed", window: NewTimeWindow(c.Config.WindowSize, c.Config.MinimumCalls)}
	permissions := map[string]*hvPermission{}
	for i, s := range c.Steps {
		where := fmt.Sprintf("%s: step %d (%s at %d ms)", c.Name, i, s.Op, s.AtMs)
		now := s.AtMs
		h.log = []string{}
		got := map[string]any{}
		switch s.Op {
		case "call":
			p := h.acquire(now)
			got["permitted"] = p != nil
			if p != nil {
				now += s.DurationMs
				h.complete(p, s.Outcome, now)
			}
		case "acquire":
			permissions[s.ID] = h.acquire(now)
			got["permitted"] = permissions[s.ID] != nil
		case "complete":
			h.complete(permissions[s.ID], s.Outcome, now)
		case "force_open", "disable", "close", "reset":
			h.manual(s.Op, now)
		case "state", "metrics":
		default:
			return fmt.Errorf("%s: unknown op %q", where, s.Op)
		}
		h.advance(now)
		if s.Op == "metrics" {
			m := h.metrics(now)
			got["calls"], got["failed"], got["slow"] = float64(m.Calls), float64(m.Failed), float64(m.Slow)
			got["failure_rate"], got["slow_call_rate"] = m.FailureRate, m.SlowCallRate
		}
		got["state"] = h.state
		got["transitions"] = h.log
		if err := hvCheck(where, got, s.Expect); err != nil {
			return err
		}
	}
	return nil
}

// vectors:begin (generated by tests/vectors/reference/exercise_vectors.py from tests/vectors/breaker; do not edit)
const hiddenVectorsJSON = `
[
{"name":"time: opens at the failure-rate threshold with both calls in one second","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":100,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":900,"op":"call","outcome":"success","duration_ms":0,"expect":{"permitted":true,"state":"open","transitions":["closed->open"]}}]},
{"name":"time: a call from the previous second still counts in a 2-second window","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":500,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1500,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: a call leaves the window when its second ages out","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":500,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":2000,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed","transitions":[]}},{"at_ms":2000,"op":"metrics","expect":{"calls":1,"failed":0,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":2500,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: bucket boundary between 999 ms and 1000 ms in a 1-second window","config":{"sliding_window":"time","window_size":1,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":999,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed","transitions":[]}},{"at_ms":1000,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":1999,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: metrics lose calls as their seconds leave the window","config":{"sliding_window":"time","window_size":3,"minimum_calls":1,"failure_rate_threshold":100,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1500,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":2999,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":2999,"op":"metrics","expect":{"calls":3,"failed":0,"slow":0,"failure_rate":0,"slow_call_rate":0}},{"at_ms":3000,"op":"metrics","expect":{"calls":2,"failed":0,"slow":0,"failure_rate":0,"slow_call_rate":0}},{"at_ms":3999,"op":"metrics","expect":{"calls":2,"failed":0,"slow":0,"failure_rate":0,"slow_call_rate":0}},{"at_ms":4000,"op":"metrics","expect":{"calls":1,"failed":0,"slow":0,"failure_rate":0,"slow_call_rate":0}},{"at_ms":5000,"op":"metrics","expect":{"calls":0,"failed":0,"slow":0,"failure_rate":-1,"slow_call_rate":-1,"state":"closed"}}]},
{"name":"time: a call is counted in the second it completes, not the second it started","config":{"sliding_window":"time","window_size":1,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":500,"op":"call","outcome":"failure","duration_ms":600,"expect":{"state":"closed"}},{"at_ms":1100,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":1200,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: rates are -1 below minimum_calls","config":{"sliding_window":"time","window_size":2,"minimum_calls":3,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":100,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":200,"op":"metrics","expect":{"calls":2,"failed":2,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":300,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: minimum_calls is not capped by window_size in a time window","config":{"sliding_window":"time","window_size":1,"minimum_calls":3,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":100,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":200,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: the passing of time alone never trips the breaker","config":{"sliding_window":"time","window_size":2,"minimum_calls":1,"failure_rate_threshold":60,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":2000,"op":"state","expect":{"state":"closed","transitions":[]}},{"at_ms":2000,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":100,"slow_call_rate":0,"state":"closed"}},{"at_ms":2100,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed","transitions":[]}}]},
{"name":"time: calls leaving the window raise the rate and the next record trips","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":75,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":100,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1900,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":1950,"op":"metrics","expect":{"calls":3,"failed":1,"slow":0,"failure_rate":33.333333333333336,"slow_call_rate":0}},{"at_ms":2000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: a slow call is counted in its completion second","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":100,"slow_call_rate_threshold":50,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"success","duration_ms":1500,"expect":{"state":"closed"}},{"at_ms":1500,"op":"metrics","expect":{"calls":1,"failed":0,"slow":1,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":1600,"op":"call","outcome":"success","duration_ms":10,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: the closed window after half_open forgets calls from the same second","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":500,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":100,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":200,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}},{"at_ms":700,"op":"call","outcome":"success","duration_ms":0,"expect":{"permitted":true,"state":"closed","transitions":["open->half_open","half_open->closed"]}},{"at_ms":800,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed","transitions":[]}},{"at_ms":800,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":900,"op":"call","outcome":"success","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]},
{"name":"time: half_open keeps every probe whatever seconds pass","config":{"sliding_window":"time","window_size":1,"minimum_calls":1,"failure_rate_threshold":100,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":1000,"half_open_permitted_calls":2,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":0,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}},{"at_ms":1000,"op":"call","outcome":"success","duration_ms":0,"expect":{"permitted":true,"state":"half_open","transitions":["open->half_open"]}},{"at_ms":5000,"op":"metrics","expect":{"calls":1,"failed":0,"slow":0,"failure_rate":-1,"slow_call_rate":-1,"state":"half_open"}},{"at_ms":5000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"permitted":true,"state":"closed","transitions":["half_open->closed"]}}]},
{"name":"time: buckets are absolute seconds at a large clock value","config":{"sliding_window":"time","window_size":2,"minimum_calls":2,"failure_rate_threshold":50,"slow_call_rate_threshold":100,"slow_call_duration_ms":1000,"wait_in_open_ms":5000,"half_open_permitted_calls":1,"max_wait_in_half_open_ms":0},"steps":[{"at_ms":86398999,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed"}},{"at_ms":86400000,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"closed","transitions":[]}},{"at_ms":86400000,"op":"metrics","expect":{"calls":1,"failed":1,"slow":0,"failure_rate":-1,"slow_call_rate":-1}},{"at_ms":86400999,"op":"call","outcome":"failure","duration_ms":0,"expect":{"state":"open","transitions":["closed->open"]}}]}
]
`
// vectors:end

func TestHiddenConformanceVectors(t *testing.T) {
	var cases []hvCase
	if err := json.Unmarshal([]byte(hiddenVectorsJSON), &cases); err != nil {
		t.Fatalf("the embedded vectors do not parse: %v", err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if err := hvReplay(c); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestHiddenALongGapEmptiesTheWindow(t *testing.T) {
	w := twNew(t, 10, 1)
	for at := int64(0); at < 10_000; at += 100 {
		twRecord(t, w, at, true, false)
	}
	if m := twMetrics(t, w, 86_400_000); m.Calls != 0 || m.FailureRate != -1 {
		t.Fatalf("a day later the window is empty: %+v", m)
	}
	twRecord(t, w, 86_400_500, false, false)
	if m := twMetrics(t, w, 86_400_500); m.Calls != 1 || m.Failed != 0 {
		t.Fatalf("one call a day later: %+v, want 1 call, 0 failed", m)
	}
}

func TestHiddenABucketIsReusedForANewerSecond(t *testing.T) {
	w := twNew(t, 2, 1)
	twRecord(t, w, 500, true, true)    // second 0
	twRecord(t, w, 1500, false, false) // second 1
	twRecord(t, w, 2500, false, false) // second 2: second 0 has left
	if m := twMetrics(t, w, 2500); m.Calls != 2 || m.Failed != 0 || m.Slow != 0 {
		t.Fatalf("calls at 500, 1500, 2500 ms in a 2-second window read at 2500: %+v, want 2 calls, 0 failed, 0 slow", m)
	}
}

func TestHiddenMatchesABruteForceCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(2025, 6))
	const size, minimum = 7, 5
	w := twNew(t, size, minimum)
	type call struct {
		second       int64
		failed, slow bool
	}
	var calls []call
	var now int64
	steps := []int64{0, 1, 17, 250, 999, 1000, 1001, 4000, 9000}
	for i := range 3000 {
		now += steps[rng.IntN(len(steps))]
		if rng.Float64() < 0.7 {
			c := call{now / 1000, rng.Float64() < 0.4, rng.Float64() < 0.3}
			twRecord(t, w, now, c.failed, c.slow)
			calls = append(calls, c)
		}
		want := WindowMetrics{FailureRate: -1, SlowCallRate: -1}
		for _, c := range calls {
			if c.second > now/1000-size && c.second <= now/1000 {
				want.Calls++
				if c.failed {
					want.Failed++
				}
				if c.slow {
					want.Slow++
				}
			}
		}
		if want.Calls >= minimum {
			want.FailureRate = float64(want.Failed) * 100 / float64(want.Calls)
			want.SlowCallRate = float64(want.Slow) * 100 / float64(want.Calls)
		}
		got := twMetrics(t, w, now)
		if got.Calls != want.Calls || got.Failed != want.Failed || got.Slow != want.Slow ||
			math.Abs(got.FailureRate-want.FailureRate) > 1e-6 || math.Abs(got.SlowCallRate-want.SlowCallRate) > 1e-6 {
			t.Fatalf("step %d at %d ms: %+v, want %+v", i, now, got, want)
		}
	}
}

// hvHeap is the live heap after a collection.
func hvHeap() int64 {
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return int64(s.HeapAlloc)
}

func TestHiddenMemoryStaysBounded(t *testing.T) {
	w := twNew(t, 3, 1)
	before := hvHeap()
	for at := int64(0); at < 200_000_000; at += 1000 { // one call a second for 200,000 seconds
		twRecord(t, w, at, false, false)
	}
	grew := hvHeap() - before
	if m := twMetrics(t, w, 199_999_999); m.Calls != 3 {
		t.Fatalf("one call a second, a 3-second window: %d calls, want 3", m.Calls)
	}
	if grew > 1<<20 {
		t.Fatalf("200,000 calls grew the heap by %d bytes: keep one bucket per second of the window, not every call or every second", grew)
	}
}
