package resilience

import (
	"context"
	"time"

	"twinbook/breaker"
)

// docs:start compose

// Stack is the composition chapter 2 recommends; every field is optional
// (nil or zero leaves that layer out). Wrap builds, from the outside in:
//
//	fallback(retry(breaker(bulkhead(timeout(call)))))
type Stack[T any] struct {
	Fallback func(ctx context.Context, err error) (T, error)
	Retry    *Retry
	Breaker  *breaker.Breaker
	// IsFailureResult lets the breaker count results as failures
	// ([breaker.Typed]).
	IsFailureResult func(T) bool
	Bulkhead        *Bulkhead
	Timeout         time.Duration
}

// docs:end compose

// docs:start compose-wrap

// Wrap returns call wrapped in s's layers.
func (s Stack[T]) Wrap(call Func[T]) Func[T] {
	if s.Timeout > 0 {
		call = WithTimeout(call, s.Timeout)
	}
	if s.Bulkhead != nil {
		call = WithBulkhead(call, s.Bulkhead)
	}
	if s.Breaker != nil {
		call = WithTypedBreaker(call,
			breaker.Typed[T]{Breaker: s.Breaker, IsFailureResult: s.IsFailureResult})
	}
	if s.Retry != nil {
		call = WithRetry(call, s.Retry)
	}
	if s.Fallback != nil {
		call = WithFallback(call, s.Fallback)
	}
	return call
}

// docs:end compose-wrap

// WithTypedBreaker is [WithBreaker] with a breaker that also judges results.
func WithTypedBreaker[T any](call Func[T], cb breaker.Typed[T]) Func[T] {
	return func(ctx context.Context) (T, error) {
		return cb.Execute(ctx, call)
	}
}
