package breaker_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"twinbook/breaker"
)

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name   string
		change func(*breaker.Config)
		want   string // the whole message
	}{
		{"unknown window", func(c *breaker.Config) { c.SlidingWindow = "sliding" },
			`breaker: config: sliding_window: must be "count" or "time", got "sliding"`},
		{"no window type", func(c *breaker.Config) { c.SlidingWindow = "" },
			`breaker: config: sliding_window: must be "count" or "time", got ""`},
		{"window 0", func(c *breaker.Config) { c.WindowSize = 0 },
			"breaker: config: window_size: must be in [1, 1000000], got 0"},
		{"window too big", func(c *breaker.Config) { c.WindowSize = breaker.MaxWindowSize + 1 },
			"breaker: config: window_size: must be in [1, 1000000], got 1000001"},
		{"minimum 0", func(c *breaker.Config) { c.MinimumCalls = 0 },
			"breaker: config: minimum_calls: must be >= 1, got 0"},
		{"failure threshold 0", func(c *breaker.Config) { c.FailureRateThreshold = 0 },
			"breaker: config: failure_rate_threshold: must be in (0, 100], got 0"},
		{"failure threshold above 100", func(c *breaker.Config) { c.FailureRateThreshold = 100.5 },
			"breaker: config: failure_rate_threshold: must be in (0, 100], got 100.5"},
		{"failure threshold NaN", func(c *breaker.Config) { c.FailureRateThreshold = math.NaN() },
			"breaker: config: failure_rate_threshold: must be in (0, 100], got NaN"},
		{"slow threshold negative", func(c *breaker.Config) { c.SlowCallRateThreshold = -1 },
			"breaker: config: slow_call_rate_threshold: must be in (0, 100], got -1"},
		{"slow duration negative", func(c *breaker.Config) { c.SlowCallDuration = -time.Millisecond },
			"breaker: config: slow_call_duration_ms: must be >= 0, got -1ms"},
		{"wait negative", func(c *breaker.Config) { c.WaitInOpen = -time.Second },
			"breaker: config: wait_in_open_ms: must be >= 0, got -1s"},
		{"no permits", func(c *breaker.Config) { c.HalfOpenPermittedCalls = 0 },
			"breaker: config: half_open_permitted_calls: must be >= 1, got 0"},
		{"max wait negative", func(c *breaker.Config) { c.MaxWaitInHalfOpen = -time.Nanosecond },
			"breaker: config: max_wait_in_half_open_ms: must be >= 0, got -1ns"},
		{"first bad field wins", func(c *breaker.Config) { c.WindowSize, c.WaitInOpen = -1, -1 },
			"breaker: config: window_size: must be in [1, 1000000], got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := breaker.DefaultConfig()
			tt.change(&cfg)
			b, err := breaker.New(cfg)
			if b != nil {
				t.Error("New returned a breaker along with the error")
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
			if !errors.Is(err, breaker.ErrInvalidConfig) {
				t.Error("errors.Is(err, ErrInvalidConfig) = false")
			}
			var ce *breaker.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(tt.want, ": "+ce.Field+": ") {
				t.Errorf("ConfigError.Field = %q, not the field the message names", ce.Field)
			}
		})
	}
}

func TestNewAcceptsEdges(t *testing.T) {
	tests := []struct {
		name   string
		change func(*breaker.Config)
	}{
		{"defaults", func(*breaker.Config) {}},
		{"thresholds at 100", func(c *breaker.Config) { c.FailureRateThreshold, c.SlowCallRateThreshold = 100, 100 }},
		{"tiny thresholds", func(c *breaker.Config) { c.FailureRateThreshold, c.SlowCallRateThreshold = 1e-9, 0.001 }},
		{"zero durations", func(c *breaker.Config) { c.SlowCallDuration, c.WaitInOpen, c.MaxWaitInHalfOpen = 0, 0, 0 }},
		{"ones", func(c *breaker.Config) { c.WindowSize, c.MinimumCalls, c.HalfOpenPermittedCalls = 1, 1, 1 }},
		{"minimum above window", func(c *breaker.Config) { c.WindowSize, c.MinimumCalls = 5, 50 }},
		{"largest window", func(c *breaker.Config) { c.WindowSize = breaker.MaxWindowSize }},
		{"time window", func(c *breaker.Config) { c.SlidingWindow, c.WindowSize = breaker.TimeWindow, 60 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := breaker.DefaultConfig()
			tt.change(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			b, err := breaker.New(cfg)
			if err != nil || b == nil {
				t.Fatalf("New = %v, %v", b, err)
			}
			if s := b.State(); s != breaker.Closed {
				t.Errorf("a new breaker is %s", s)
			}
		})
	}
}

func TestNames(t *testing.T) {
	states := map[breaker.State]string{breaker.Closed: "closed", breaker.Open: "open",
		breaker.HalfOpen: "half_open", breaker.ForcedOpen: "forced_open", breaker.Disabled: "disabled"}
	for s, name := range states {
		if s.String() != name {
			t.Errorf("%d.String() = %q, want %q", s, s.String(), name)
		}
		if got, err := breaker.ParseState(name); err != nil || got != s {
			t.Errorf("ParseState(%q) = %v, %v", name, got, err)
		}
	}
	outcomes := map[breaker.Outcome]string{breaker.Success: "success", breaker.Failure: "failure", breaker.Ignored: "ignored"}
	for o, name := range outcomes {
		if o.String() != name {
			t.Errorf("%d.String() = %q, want %q", o, o.String(), name)
		}
		if got, err := breaker.ParseOutcome(name); err != nil || got != o {
			t.Errorf("ParseOutcome(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := breaker.ParseState("ajar"); err == nil {
		t.Error(`ParseState("ajar") did not fail`)
	}
	if _, err := breaker.ParseOutcome("meh"); err == nil {
		t.Error(`ParseOutcome("meh") did not fail`)
	}
	if s := breaker.State(42).String(); s != "State(42)" {
		t.Errorf("State(42).String() = %q", s)
	}
}
