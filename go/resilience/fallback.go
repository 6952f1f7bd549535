package resilience

import (
	"context"

	"twinbook/breaker"
)

// docs:start fallback

// WithFallback calls fallback with the error of every call of call that
// fails, and returns what fallback returns instead (fallback may return the
// error again to decline).
func WithFallback[T any](call Func[T],
	fallback func(ctx context.Context, err error) (T, error)) Func[T] {
	return func(ctx context.Context) (T, error) {
		v, err := call(ctx)
		if err != nil {
			return fallback(ctx, err)
		}
		return v, nil
	}
}

// docs:end fallback

// WithBreaker runs every call of call through cb ([breaker.Execute]); an
// open breaker returns its [*breaker.OpenError] without calling call.
func WithBreaker[T any](call Func[T], cb *breaker.Breaker) Func[T] {
	return func(ctx context.Context) (T, error) {
		return breaker.Execute(ctx, cb, call)
	}
}
