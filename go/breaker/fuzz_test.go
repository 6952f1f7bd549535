package breaker_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"twinbook/breaker"
)

// FuzzBreaker runs random operation sequences against the breaker and
// against model, a plain transcription of the spec (a window is a list of
// every recorded call, filtered on demand; no concurrency, no cleverness),
// and fails at the first step where they disagree about a permission, the
// state, the transitions or the window.
//
//	go test -run '^$' -fuzz FuzzBreaker -fuzztime 1m ./breaker/
//
// Plain `go test` runs the seed corpus: the sequences below and 300
// pseudo-random ones.
func FuzzBreaker(f *testing.F) {
	f.Add([]byte{0, 3, 3, 3, 0, 0, 1, 1, 0, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 6, 0, 8})
	f.Add([]byte{1, 2, 1, 2, 2, 1, 0, 2, 3, 0, 1, 4, 4, 0, 0, 5, 0, 1, 9, 0, 9, 6, 0, 10})
	f.Add([]byte{0, 0, 0, 5, 5, 2, 2, 1, 1, 4, 0, 0, 4, 0, 0, 5, 1, 3, 5, 0, 3, 8, 3, 0})
	r := rand.New(rand.NewPCG(2026, 4))
	for range 300 {
		seq := make([]byte, 9+3*(5+r.IntN(40)))
		for i := range seq {
			seq[i] = byte(r.UintN(256))
		}
		f.Add(seq)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 9 {
			return
		}
		cfg := fuzzConfig(data[:9])
		b, clock := newTestBreaker(t, cfg)
		tr := watch(b)
		m := newModel(cfg)
		type held struct {
			perm  breaker.Permission
			model *modelPermission
		}
		var perms []held
		var now int64
		for i := 9; i+3 <= len(data); i += 3 {
			kind, x, y := data[i]%10, data[i+1], data[i+2]
			now += fuzzSteps[y%byte(len(fuzzSteps))]
			clock.Set(time.UnixMilli(now))
			m.log = nil
			tr.take()
			var step string
			permitted, modelPermitted := true, true
			end := now
			switch {
			case kind <= 3: // call
				o := breaker.Outcome(x % 3)
				d := fuzzSteps[(x/3)%byte(len(fuzzSteps))]
				step = fmt.Sprintf("call %s %dms", o, d)
				perm, err := b.Acquire()
				mp := m.acquire(now)
				permitted, modelPermitted = err == nil, mp != nil
				if permitted && modelPermitted {
					end = now + d
					clock.Set(time.UnixMilli(end))
					perm.Complete(o)
					m.complete(mp, o, end)
				}
			case kind == 4:
				step = "acquire"
				perm, err := b.Acquire()
				mp := m.acquire(now)
				permitted, modelPermitted = err == nil, mp != nil
				if permitted && modelPermitted {
					perms = append(perms, held{perm, mp})
				}
			case kind == 5:
				if len(perms) == 0 {
					continue
				}
				j := int(x) % len(perms)
				o := breaker.Outcome(y % 3)
				step = fmt.Sprintf("complete #%d %s", j, o)
				h := perms[j]
				perms = slices.Delete(perms, j, j+1)
				h.perm.Complete(o)
				m.complete(h.model, o, now)
			case kind == 6:
				step = "state"
				m.advance(now)
			case kind == 7:
				step = "metrics"
				m.advance(now)
			case kind == 8:
				ops := []struct {
					name string
					do   func()
				}{{"force_open", b.ForceOpen}, {"disable", b.Disable}, {"close", b.Close}, {"reset", b.Reset}}
				op := ops[x%4]
				step = op.name
				op.do()
				m.manual(op.name, now)
			default:
				step = "wait"
				m.advance(now)
			}
			now = end
			clock.Set(time.UnixMilli(now))
			state := b.State()
			m.advance(now)
			where := fmt.Sprintf("%+v\nstep %d at %dms: %s", cfg, (i-9)/3, now, step)
			if permitted != modelPermitted {
				t.Fatalf("%s: permitted %v, the model says %v", where, permitted, modelPermitted)
			}
			if got := tr.take(); !slices.Equal(got, m.log) && len(got)+len(m.log) > 0 {
				t.Fatalf("%s: transitions %q, the model says %q", where, got, m.log)
			}
			if state != m.state {
				t.Fatalf("%s: state %s, the model says %s", where, state, m.state)
			}
			got, want := b.Metrics(), m.metrics(now)
			if got.Calls != want.Calls || got.Failed != want.Failed || got.Slow != want.Slow ||
				math.Abs(got.FailureRate-want.FailureRate) > 1e-9 || math.Abs(got.SlowCallRate-want.SlowCallRate) > 1e-9 {
				t.Fatalf("%s: metrics %+v, the model says %+v", where, got, want)
			}
		}
	})
}

// fuzzSteps are the time steps and call durations, in ms: small, and the
// edges of the configurations' seconds and waits.
var fuzzSteps = []int64{0, 0, 1, 5, 10, 99, 100, 500, 999, 1000, 1001, 1500, 2500}

func fuzzConfig(c []byte) breaker.Config {
	pick := func(b byte, vs ...float64) float64 { return vs[int(b)%len(vs)] }
	ms := func(b byte, vs ...float64) time.Duration {
		return time.Duration(pick(b, vs...)) * time.Millisecond
	}
	cfg := breaker.Config{
		SlidingWindow:          breaker.CountWindow,
		WindowSize:             1 + int(c[1]%6),
		MinimumCalls:           1 + int(c[2]%7),
		FailureRateThreshold:   pick(c[3], 100, 50, 33.3, 25, 66.7, 1e-9),
		SlowCallRateThreshold:  pick(c[4], 100, 50, 40, 75, 20),
		SlowCallDuration:       ms(c[5], 1000, 0, 5, 100),
		WaitInOpen:             ms(c[6], 1000, 0, 10, 2500),
		HalfOpenPermittedCalls: 1 + int(c[7]%3),
		MaxWaitInHalfOpen:      ms(c[8], 0, 0, 70, 1500), // cycles of >= 70ms: well under the breaker's limit of due transitions reported one by one
	}
	if c[0]%2 == 1 {
		cfg.SlidingWindow = breaker.TimeWindow
		cfg.WindowSize = 1 + int(c[1]%4)
	}
	return cfg
}

// ---------------------------------------------------------------------------
// The model: the spec, transcribed (tests/vectors/reference/breaker_model.py
// is the same model in Python).

type modelRecord struct {
	at           int64 // completion time, ms
	failed, slow bool
}

type modelPermission struct {
	generation int
	at         int64
}

type model struct {
	cfg        breaker.Config
	state      breaker.State
	since      int64 // ms
	generation int
	records    []modelRecord // recorded since the state began
	inFlight   int           // half-open permits out
	log        []string
}

func newModel(cfg breaker.Config) *model { return &model{cfg: cfg} }

func ms(d time.Duration) int64 { return d.Milliseconds() }

func (m *model) transition(to breaker.State, at int64) {
	m.log = append(m.log, m.state.String()+"->"+to.String())
	m.state, m.since = to, at
	m.generation++
	m.records, m.inFlight = nil, 0
}

func (m *model) advance(now int64) {
	for {
		switch {
		case m.state == breaker.Open && now >= m.since+ms(m.cfg.WaitInOpen):
			m.transition(breaker.HalfOpen, m.since+ms(m.cfg.WaitInOpen))
		case m.state == breaker.HalfOpen && m.cfg.MaxWaitInHalfOpen > 0 && now >= m.since+ms(m.cfg.MaxWaitInHalfOpen):
			m.transition(breaker.Open, m.since+ms(m.cfg.MaxWaitInHalfOpen))
		default:
			return
		}
	}
}

func (m *model) window(now int64) []modelRecord {
	switch m.state {
	case breaker.HalfOpen:
		return m.records
	case breaker.Closed:
	default:
		return nil
	}
	size := m.cfg.WindowSize
	if m.cfg.SlidingWindow == breaker.CountWindow {
		return m.records[max(0, len(m.records)-size):]
	}
	newest := now / 1000
	var w []modelRecord
	for _, r := range m.records {
		if s := r.at / 1000; newest-int64(size)+1 <= s && s <= newest {
			w = append(w, r)
		}
	}
	return w
}

func (m *model) minimum() int {
	if m.state == breaker.HalfOpen {
		return m.cfg.HalfOpenPermittedCalls
	}
	if m.cfg.SlidingWindow == breaker.CountWindow {
		return min(m.cfg.MinimumCalls, m.cfg.WindowSize)
	}
	return m.cfg.MinimumCalls
}

func (m *model) metrics(now int64) breaker.Metrics {
	w := m.window(now)
	out := breaker.Metrics{State: m.state, Calls: len(w), FailureRate: -1, SlowCallRate: -1}
	for _, r := range w {
		if r.failed {
			out.Failed++
		}
		if r.slow {
			out.Slow++
		}
	}
	if (m.state == breaker.Closed || m.state == breaker.HalfOpen) && out.Calls > 0 && out.Calls >= m.minimum() {
		out.FailureRate = float64(out.Failed*100) / float64(out.Calls)
		out.SlowCallRate = float64(out.Slow*100) / float64(out.Calls)
	}
	return out
}

func (m *model) overThreshold(now int64) bool {
	x := m.metrics(now)
	return x.FailureRate >= m.cfg.FailureRateThreshold || x.SlowCallRate >= m.cfg.SlowCallRateThreshold
}

func (m *model) acquire(now int64) *modelPermission {
	m.advance(now)
	switch m.state {
	case breaker.Closed, breaker.Disabled:
		return &modelPermission{m.generation, now}
	case breaker.HalfOpen:
		if m.inFlight+len(m.records) < m.cfg.HalfOpenPermittedCalls {
			m.inFlight++
			return &modelPermission{m.generation, now}
		}
	}
	return nil
}

func (m *model) complete(p *modelPermission, o breaker.Outcome, now int64) {
	m.advance(now)
	if p.generation != m.generation {
		return
	}
	if m.state == breaker.HalfOpen {
		m.inFlight--
	}
	if o == breaker.Ignored || (m.state != breaker.Closed && m.state != breaker.HalfOpen) {
		return
	}
	m.records = append(m.records, modelRecord{now, o == breaker.Failure, now-p.at > ms(m.cfg.SlowCallDuration)})
	if m.state == breaker.Closed {
		if m.overThreshold(now) {
			m.transition(breaker.Open, now)
		}
	} else if len(m.records) == m.cfg.HalfOpenPermittedCalls {
		if m.overThreshold(now) {
			m.transition(breaker.Open, now)
		} else {
			m.transition(breaker.Closed, now)
		}
	}
}

func (m *model) manual(op string, now int64) {
	m.advance(now)
	if op == "reset" {
		if m.state == breaker.Closed {
			m.generation++
			m.records, m.inFlight, m.since = nil, 0, now
		} else {
			m.transition(breaker.Closed, now)
		}
		return
	}
	to := map[string]breaker.State{"force_open": breaker.ForcedOpen, "disable": breaker.Disabled, "close": breaker.Closed}[op]
	if m.state != to {
		m.transition(to, now)
	}
}
