package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"twinbook/breaker"
	"twinbook/resilience"
)

func retryConfig() resilience.RetryConfig {
	return resilience.RetryConfig{
		MaxAttempts:    4,
		InitialBackoff: 100 * time.Millisecond,
		MaxBackoff:     time.Second,
		Multiplier:     2,
		Rand:           func() float64 { return 0.5 },
	}
}

func mustRetry(t *testing.T, cfg resilience.RetryConfig) *resilience.Retry {
	t.Helper()
	r, err := resilience.NewRetry(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewRetryRejects(t *testing.T) {
	tests := []struct {
		change  func(*resilience.RetryConfig)
		mention string
	}{
		{func(c *resilience.RetryConfig) { c.MaxAttempts = 0 }, "max_attempts: must be >= 1, got 0"},
		{func(c *resilience.RetryConfig) { c.InitialBackoff = 0 }, "initial_backoff: must be > 0, got 0s"},
		{func(c *resilience.RetryConfig) { c.MaxBackoff = time.Millisecond }, "max_backoff: must be >= initial_backoff (100ms), got 1ms"},
		{func(c *resilience.RetryConfig) { c.Multiplier = 0.5 }, "multiplier: must be >= 1 and finite, got 0.5"},
	}
	for _, tt := range tests {
		cfg := retryConfig()
		tt.change(&cfg)
		if r, err := resilience.NewRetry(cfg); r != nil || err == nil || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("NewRetry = %v, %v; want an error saying %q", r, err, tt.mention)
		}
	}
}

func TestDelayIsFullJitterOverAGrowingCap(t *testing.T) {
	for _, tt := range []struct {
		rand float64
		want []time.Duration // retries 1..6
	}{
		{0.5, []time.Duration{50, 100, 200, 400, 500, 500}},
		{0, []time.Duration{0, 0, 0, 0, 0, 0}},
		{0.75, []time.Duration{75, 150, 300, 600, 750, 750}},
	} {
		cfg := retryConfig()
		cfg.Rand = func() float64 { return tt.rand }
		r := mustRetry(t, cfg)
		for n, want := range tt.want {
			want *= time.Millisecond
			if got := r.Delay(n + 1); got != want {
				t.Errorf("rand %v: Delay(%d) = %v, want %v", tt.rand, n+1, got, want)
			}
		}
	}
	// With the real source every wait lies in [0, cap).
	cfg := retryConfig()
	cfg.Rand = nil
	r := mustRetry(t, cfg)
	for range 1000 {
		if d := r.Delay(2); d < 0 || d >= 200*time.Millisecond {
			t.Fatalf("Delay(2) = %v, outside [0, 200ms)", d)
		}
	}
}

// flaky fails its first n calls with err, then answers "ok".
type flaky struct {
	n, calls int
	err      error
}

func (f *flaky) call(context.Context) (string, error) {
	f.calls++
	if f.calls <= f.n {
		return "", fmt.Errorf("attempt %d: %w", f.calls, f.err)
	}
	return "ok", nil
}

func TestRetry(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		err       error
		change    func(*resilience.RetryConfig)
		wantCalls int
		wantErr   error
		wantWait  time.Duration
	}{
		{name: "success first time", failures: 0, err: errBoom, wantCalls: 1},
		{name: "retries until success", failures: 2, err: errBoom, wantCalls: 3, wantWait: 150 * time.Millisecond},
		{name: "gives up after max attempts", failures: 9, err: errBoom, wantCalls: 4, wantErr: errBoom, wantWait: 350 * time.Millisecond},
		{name: "one attempt never retries", failures: 9, err: errBoom, change: func(c *resilience.RetryConfig) { c.MaxAttempts = 1 },
			wantCalls: 1, wantErr: errBoom},
		{name: "errors not worth retrying", failures: 9, err: errBoom,
			change: func(c *resilience.RetryConfig) {
				c.ShouldRetry = func(err error) bool { return !errors.Is(err, errBoom) }
			},
			wantCalls: 1, wantErr: errBoom},
		{name: "an open breaker is not retried", failures: 9, err: breaker.ErrOpen, wantCalls: 1, wantErr: breaker.ErrOpen},
		{name: "an attempt's own timeout is retried", failures: 2, err: context.DeadlineExceeded, wantCalls: 3, wantWait: 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := retryConfig()
				if tt.change != nil {
					tt.change(&cfg)
				}
				f := &flaky{n: tt.failures, err: tt.err}
				start := time.Now()
				v, err := resilience.WithRetry(f.call, mustRetry(t, cfg))(context.Background())
				if f.calls != tt.wantCalls {
					t.Errorf("%d calls, want %d", f.calls, tt.wantCalls)
				}
				if tt.wantErr == nil && (err != nil || v != "ok") {
					t.Errorf("= %q, %v; want ok", v, err)
				}
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want one matching %v", err, tt.wantErr)
				}
				if d := time.Since(start); d != tt.wantWait {
					t.Errorf("took %v, want %v of backoff", d, tt.wantWait)
				}
			})
		})
	}
}

func TestRetryStopsWhenTheCallerGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(120*time.Millisecond, cancel) // during the second wait (50ms, then 100ms)
		f := &flaky{n: 9, err: errBoom}
		start := time.Now()
		_, err := resilience.WithRetry(f.call, mustRetry(t, retryConfig()))(ctx)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errBoom) {
			t.Errorf("err = %v, want the last failure and context.Canceled", err)
		}
		if f.calls != 2 || time.Since(start) != 120*time.Millisecond {
			t.Errorf("%d calls, returned after %v; want 2 calls, at the cancellation", f.calls, time.Since(start))
		}
	})
}

func TestRetryBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		budget, err := resilience.NewRetryBudget(0.5, 2)
		if err != nil {
			t.Fatal(err)
		}
		cfg := retryConfig()
		cfg.Budget = budget
		r := mustRetry(t, cfg)
		// Every call fails for good: each retry spends a token, each call adds half.
		calls := 0
		always := func(context.Context) (int, error) { calls++; return 0, errBoom }
		wantCalls := []int{3, 1, 2, 1, 2} // attempts per call as the tokens run out and trickle in
		wantTokens := []float64{0, 0.5, 0, 0.5, 0}
		for i := range wantCalls {
			calls = 0
			_, err := resilience.WithRetry(always, r)(context.Background())
			if calls != wantCalls[i] || budget.Tokens() != wantTokens[i] {
				t.Errorf("call %d: %d attempts, %v tokens left; want %d, %v", i, calls, budget.Tokens(), wantCalls[i], wantTokens[i])
			}
			if !errors.Is(err, resilience.ErrBudgetExhausted) || !errors.Is(err, errBoom) {
				t.Errorf("call %d: err = %v, want the failure and ErrBudgetExhausted", i, err)
			}
		}
	})
}

func TestNewRetryBudgetRejects(t *testing.T) {
	for _, tt := range []struct {
		ratio, maxTokens float64
		mention          string
	}{
		{-0.1, 5, "ratio: must be in [0, 1], got -0.1"},
		{1.5, 5, "ratio: must be in [0, 1], got 1.5"},
		{0.1, 0.5, "max_tokens: must be in [1, 1e9], got 0.5"},
		{0.1, math.Inf(1), "max_tokens: must be in [1, 1e9], got +Inf"},
	} {
		if b, err := resilience.NewRetryBudget(tt.ratio, tt.maxTokens); b != nil || err == nil || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("NewRetryBudget(%v, %v) = %v, %v; want an error saying %q", tt.ratio, tt.maxTokens, b, err, tt.mention)
		}
	}
}

func TestRetryStopsWhenTheCallersDeadlineEndsAnAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		calls := 0
		_, err := resilience.WithRetry(func(ctx context.Context) (string, error) {
			calls++
			<-ctx.Done()
			return "", ctx.Err()
		}, mustRetry(t, retryConfig()))(ctx)
		if calls != 1 || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%d calls, err %v; want one call ended by the caller's deadline", calls, err)
		}
	})
}
