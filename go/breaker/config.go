package breaker

import (
	"errors"
	"fmt"
	"time"
	"twinbook/clock"
)

// WindowType says what the sliding window of a closed breaker holds.
type WindowType string

// The two window types, named as in the spec and in vector files.
const (
	// CountWindow holds the last WindowSize recorded calls.
	CountWindow WindowType = "count"
	// TimeWindow holds the calls recorded in the last WindowSize seconds, in
	// one-second buckets by completion time.
	TimeWindow WindowType = "time"
)

// MaxWindowSize is the largest WindowSize a [Config] may ask for, calls or
// seconds. (A count window packs its three counters into one 64-bit word.)
const MaxWindowSize = 1_000_000

// docs:start config

// Config is everything a [Breaker] is built from. [New] validates it and
// fills in nothing: start from [DefaultConfig] to change a few fields.
type Config struct {
	// Name appears in errors and events; it may be empty.
	Name string

	// SlidingWindow is CountWindow or TimeWindow.
	SlidingWindow WindowType
	// WindowSize is in calls (count window) or seconds (time window), >= 1.
	WindowSize int
	// MinimumCalls is how many calls the window must hold before rates are
	// evaluated, >= 1; a count window uses min(MinimumCalls, WindowSize).
	MinimumCalls int
	// FailureRateThreshold is a percent in (0, 100]: the breaker opens when
	// the failure rate is at least this.
	FailureRateThreshold float64
	// SlowCallRateThreshold is a percent in (0, 100]: the breaker opens when
	// the slow-call rate is at least this.
	SlowCallRateThreshold float64
	// SlowCallDuration: a call that takes strictly longer is slow, whatever
	// its outcome. >= 0.
	SlowCallDuration time.Duration
	// WaitInOpen is how long Open lasts before HalfOpen. >= 0.
	WaitInOpen time.Duration
	// HalfOpenPermittedCalls is how many trial calls HalfOpen lets through, >= 1.
	HalfOpenPermittedCalls int
	// MaxWaitInHalfOpen: 0 means HalfOpen waits for its trial calls forever;
	// > 0 sends an undecided HalfOpen back to Open after this long.
	MaxWaitInHalfOpen time.Duration
	// docs:end config

	// Clock is where the breaker reads the time; nil means the system clock.
	Clock clock.Clock

	// docs:start config-classify
	// IsFailure reports whether an error counts as a failure; an error for
	// which it reports false counts as a success. nil: every error is a
	// failure. See [ErrorIs] and [ErrorAs].
	IsFailure func(error) bool
	// IsIgnored reports whether an error is ignored: recorded neither as a
	// success nor as a failure. It is asked before IsFailure. nil: no error
	// is ignored, except the caller's own cancellation (see below).
	IsIgnored func(error) bool
	// RecordCallerCancellation, when true, classifies the caller's own
	// cancellation (the ctx given to Execute or Classify was canceled and the
	// error wraps context.Canceled) like any other error. By default it is
	// Ignored: the caller gave up, the dependency did not fail. (A deadline
	// that passed is not a cancellation: the dependency was too slow for the
	// caller, a failure like any timeout.)
	RecordCallerCancellation bool
}

// docs:end config-classify

// DefaultConfig returns resilience4j's defaults: a count window of 100
// calls, all of them needed before rates count, 50% failures or 100% calls
// slower than 60s to open, 60s open, 10 trial calls, no half-open limit.
func DefaultConfig() Config {
	return Config{
		SlidingWindow:          CountWindow,
		WindowSize:             100,
		MinimumCalls:           100,
		FailureRateThreshold:   50,
		SlowCallRateThreshold:  100,
		SlowCallDuration:       60 * time.Second,
		WaitInOpen:             60 * time.Second,
		HalfOpenPermittedCalls: 10,
		MaxWaitInHalfOpen:      0,
	}
}

// ErrInvalidConfig is wrapped by every error [Config.Validate] returns.
var ErrInvalidConfig = errors.New("breaker: invalid config")

// ConfigError is a rejected configuration value. Field is the spec's name
// for it (failure_rate_threshold, wait_in_open_ms, ...), the same in Go, in
// Python and in vector files.
type ConfigError struct {
	Field  string
	Reason string
}

// Error reads like "breaker: config: failure_rate_threshold: must be in
// (0, 100], got 0".
func (e *ConfigError) Error() string {
	return "breaker: config: " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Validate returns a [*ConfigError] for the first invalid field, in the
// order of the spec's table, or nil.
func (c Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch c.SlidingWindow {
	case CountWindow, TimeWindow:
	default:
		return bad("sliding_window", `must be "count" or "time", got %q`, string(c.SlidingWindow))
	}
	if c.WindowSize < 1 || c.WindowSize > MaxWindowSize {
		return bad("window_size", "must be in [1, %d], got %d", MaxWindowSize, c.WindowSize)
	}
	if c.MinimumCalls < 1 {
		return bad("minimum_calls", "must be >= 1, got %d", c.MinimumCalls)
	}
	for _, t := range []struct {
		field string
		v     float64
	}{
		{"failure_rate_threshold", c.FailureRateThreshold},
		{"slow_call_rate_threshold", c.SlowCallRateThreshold},
	} {
		if !(t.v > 0 && t.v <= 100) { // also rejects NaN
			return bad(t.field, "must be in (0, 100], got %v", t.v)
		}
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{
		{"slow_call_duration_ms", c.SlowCallDuration},
		{"wait_in_open_ms", c.WaitInOpen},
	} {
		if d.v < 0 {
			return bad(d.field, "must be >= 0, got %v", d.v)
		}
	}
	if c.HalfOpenPermittedCalls < 1 {
		return bad("half_open_permitted_calls", "must be >= 1, got %d", c.HalfOpenPermittedCalls)
	}
	if c.MaxWaitInHalfOpen < 0 {
		return bad("max_wait_in_half_open_ms", "must be >= 0, got %v", c.MaxWaitInHalfOpen)
	}
	return nil
}
