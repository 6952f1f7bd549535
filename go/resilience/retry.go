package resilience

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"twinbook/breaker"
)

// RetryConfig says how [WithRetry] retries.
type RetryConfig struct {
	// MaxAttempts is how many times a call is made in all, the first one
	// included; >= 1 (1 never retries).
	MaxAttempts int
	// InitialBackoff caps the wait before the first retry; > 0.
	InitialBackoff time.Duration
	// MaxBackoff caps every wait; >= InitialBackoff.
	MaxBackoff time.Duration
	// Multiplier grows the cap from one retry to the next; >= 1.
	Multiplier float64
	// ShouldRetry reports whether an error is worth another attempt; nil
	// means [DefaultShouldRetry].
	ShouldRetry func(error) bool
	// Budget, if not nil, limits retries to a share of calls ([RetryBudget]).
	Budget *RetryBudget
	// Rand returns a number in [0, 1) for the jitter; nil means math/rand/v2.
	Rand func() float64
}

// Retry retries failed calls with exponential backoff and full jitter: the
// wait before retry n (1, 2, ...) is a uniformly random duration in
// [0, min(MaxBackoff, InitialBackoff * Multiplier^(n-1))). Full jitter
// spreads out the retries of many clients that failed together, instead of
// sending them back in synchronized waves. Build one with [NewRetry]; it is
// safe for concurrent use.
type Retry struct{ cfg RetryConfig }

// NewRetry validates cfg and returns a Retry, or an error naming the bad
// field.
func NewRetry(cfg RetryConfig) (*Retry, error) {
	bad := func(field, format string, args ...any) (*Retry, error) {
		return nil, fmt.Errorf("resilience: retry: %s: "+format, append([]any{field}, args...)...)
	}
	switch {
	case cfg.MaxAttempts < 1:
		return bad("max_attempts", "must be >= 1, got %d", cfg.MaxAttempts)
	case cfg.InitialBackoff <= 0:
		return bad("initial_backoff", "must be > 0, got %v", cfg.InitialBackoff)
	case cfg.MaxBackoff < cfg.InitialBackoff:
		return bad("max_backoff", "must be >= initial_backoff (%v), got %v", cfg.InitialBackoff, cfg.MaxBackoff)
	case !(cfg.Multiplier >= 1) || math.IsInf(cfg.Multiplier, 1):
		return bad("multiplier", "must be >= 1 and finite, got %v", cfg.Multiplier)
	}
	if cfg.ShouldRetry == nil {
		cfg.ShouldRetry = DefaultShouldRetry
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	return &Retry{cfg: cfg}, nil
}

// DefaultShouldRetry retries every error except a breaker's rejection: the
// breaker is open, and retrying at once only adds load (let a fallback
// answer). An attempt's own timeout is worth retrying; the caller's
// cancellation or deadline ends the retries anyway, since WithRetry stops
// once the caller's context is done.
func DefaultShouldRetry(err error) bool {
	return !errors.Is(err, breaker.ErrOpen)
}

// docs:start backoff

// Delay returns the wait before retry n (n >= 1): full jitter, a uniformly
// random duration below an exponentially growing cap (the backoff).
func (r *Retry) Delay(n int) time.Duration {
	ceiling := float64(r.cfg.InitialBackoff) * math.Pow(r.cfg.Multiplier, float64(n-1))
	ceiling = min(ceiling, float64(r.cfg.MaxBackoff))
	return time.Duration(r.cfg.Rand() * ceiling)
}

// docs:end backoff

// ErrBudgetExhausted is matched by the error of a call that was not retried
// because its [RetryBudget] had no retry left.
var ErrBudgetExhausted = errors.New("resilience: retry budget exhausted")

// docs:start retry

// WithRetry calls call up to r's MaxAttempts times, until it succeeds, its
// error is not worth retrying, the budget says no, or ctx is done (a wait
// between attempts ends early then). It returns the last attempt's result;
// when the budget or ctx stopped it, the error also matches
// ErrBudgetExhausted or ctx's error.
func WithRetry[T any](call Func[T], r *Retry) Func[T] {
	return func(ctx context.Context) (T, error) {
		if b := r.cfg.Budget; b != nil {
			b.RecordCall()
		}
		for attempt := 1; ; attempt++ {
			v, err := call(ctx)
			if err == nil || attempt == r.cfg.MaxAttempts || !r.cfg.ShouldRetry(err) {
				return v, err
			}
			if cerr := ctx.Err(); cerr != nil { // the caller gave up
				return v, errors.Join(err, cerr)
			}
			if b := r.cfg.Budget; b != nil && !b.TrySpend() {
				return v, errors.Join(err, ErrBudgetExhausted)
			}
			if werr := sleep(ctx, r.Delay(attempt)); werr != nil {
				return v, errors.Join(err, werr)
			}
		}
	}
}

// docs:end retry

// sleep waits d, or until ctx is done (then it returns ctx's error).
func sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// docs:start budget

// RetryBudget is a token bucket of retries fed by calls (Finagle's RetryBudget,
// gRPC's retry throttling): each call deposits ratio tokens, each retry spends
// one, and the bucket, which starts full, holds at most maxTokens. With ratio
// 0.1, retries add at most 10% to a struggling dependency's load. It is safe
// for concurrent use: share one among the callers of a dependency.
type RetryBudget struct {
	mu     sync.Mutex
	ratio  int64 // thousandths of a token, deposited per call
	max    int64 // thousandths
	tokens int64 // thousandths
}

// RecordCall records a call (a first attempt): ratio more tokens, up to maxTokens.
func (b *RetryBudget) RecordCall() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(b.max, b.tokens+b.ratio)
}

// TrySpend spends a token for a retry and reports true, or spends nothing and reports
// false.
func (b *RetryBudget) TrySpend() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < tokenScale {
		return false
	}
	b.tokens -= tokenScale
	return true
}

// docs:end budget

// tokenScale is how many parts of a token the budget counts, in an integer
// (as gRPC's Java implementation and Finagle do): ten calls at ratio 0.1 then
// earn exactly one retry, where float64 would earn 0.9999999999999999 and
// make the retry wait for an eleventh call.
const tokenScale = 1000

// maxBudgetTokens is the largest maxTokens [NewRetryBudget] accepts: the
// thousandths must fit an int64, and a budget that large limits nothing.
const maxBudgetTokens = 1e9

// NewRetryBudget returns a full RetryBudget: ratio tokens per call, in [0, 1],
// and at most maxTokens tokens, in [1, 1e9]. Both are counted in thousandths
// of a token, rounded to the nearest (halves up). Python's twin is
// twinbook.resilience.RetryBudget; both pass tests/vectors/retry_budget.
func NewRetryBudget(ratio, maxTokens float64) (*RetryBudget, error) {
	if !(ratio >= 0 && ratio <= 1) {
		return nil, fmt.Errorf("resilience: budget: ratio: must be in [0, 1], got %v", ratio)
	}
	if !(maxTokens >= 1 && maxTokens <= maxBudgetTokens) {
		return nil, fmt.Errorf("resilience: budget: max_tokens: must be in [1, 1e9], got %v", maxTokens)
	}
	limit := thousandths(maxTokens)
	return &RetryBudget{ratio: thousandths(ratio), max: limit, tokens: limit}, nil
}

// thousandths rounds x×1000 to the nearest integer, halves up, exactly as
// Python's twin does; the conversion keeps Go from fusing the multiply and
// the add into one rounding (FMA).
func thousandths(x float64) int64 {
	return int64(math.Floor(float64(x*tokenScale) + 0.5))
}

// Tokens returns how many tokens are left.
func (b *RetryBudget) Tokens() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return float64(b.tokens) / tokenScale
}
