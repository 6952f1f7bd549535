package breaker

import (
	"context"
	"errors"
	"fmt"
)

// docs:start typed

// Execute runs fn through b: if b permits the call, Execute calls fn(ctx),
// records how it went and returns what fn returned; if not, it returns the
// zero T and an [*OpenError] without calling fn. A panic in fn is recorded
// as a failure and goes on up the stack.
func Execute[T any](ctx context.Context, b *Breaker,
	fn func(context.Context) (T, error)) (T, error) {
	return Typed[T]{Breaker: b}.Execute(ctx, fn)
}

// Typed is a breaker that also judges results of type T, for calls that can
// fail without an error (an HTTP response with status 503, say).
type Typed[T any] struct {
	*Breaker
	// IsFailureResult, if not nil, is asked about every result that came back
	// with a nil error; true records the call as a failure (Execute still
	// returns the result, with a nil error).
	IsFailureResult func(T) bool
}

// docs:end typed

// docs:start call

// Execute is [Execute] with t's judgement of results.
func (t Typed[T]) Execute(ctx context.Context,
	fn func(context.Context) (T, error)) (result T, err error) {
	perm, err := t.Acquire()
	if err != nil {
		return result, err
	}
	returned := false
	defer func() {
		if !returned { // fn panicked, or called runtime.Goexit
			if r := recover(); r != nil {
				perm.CompleteErr(Failure, fmt.Errorf("breaker: call panicked: %v", r))
				panic(r)
			}
			perm.CompleteErr(Ignored, nil)
		}
	}()
	result, err = fn(ctx)
	returned = true
	o := t.Classify(ctx, err)
	if o == Success && err == nil && t.IsFailureResult != nil {
		if t.IsFailureResult(result) {
			o = Failure
		}
	}
	perm.CompleteErr(o, err)
	return result, err
}

// docs:end call

// docs:start classify

// Classify says how a call that returned err counts, by the breaker's
// configuration: nil is a Success; the caller's own cancellation (ctx was
// canceled and err wraps context.Canceled) is Ignored unless
// RecordCallerCancellation; then IsIgnored, then IsFailure (nil: every
// error is a Failure).
func (b *Breaker) Classify(ctx context.Context, err error) Outcome {
	if err == nil {
		return Success
	}
	if !b.recordCancel && ctx != nil && errors.Is(ctx.Err(), context.Canceled) &&
		errors.Is(err, context.Canceled) {
		return Ignored
	}
	if b.isIgnored != nil && b.isIgnored(err) {
		return Ignored
	}
	if b.isFailure == nil || b.isFailure(err) {
		return Failure
	}
	return Success
}

// docs:end classify

// ErrorIs returns a predicate for Config.IsFailure or Config.IsIgnored that
// matches errors wrapping any of targets (errors.Is).
func ErrorIs(targets ...error) func(error) bool {
	return func(err error) bool {
		for _, t := range targets {
			if errors.Is(err, t) {
				return true
			}
		}
		return false
	}
}

// ErrorAs returns a predicate for Config.IsFailure or Config.IsIgnored that
// matches errors with an E in their chain (errors.As).
func ErrorAs[E error]() func(error) bool {
	return func(err error) bool {
		var target E
		return errors.As(err, &target)
	}
}
