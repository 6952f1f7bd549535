package resilience

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeout is matched (errors.Is) by the error of a call that ran out of
// the time [WithTimeout] gave it.
var ErrTimeout = errors.New("resilience: timed out")

// TimeoutError is what a call that ran out of time returns: it matches
// ErrTimeout and wraps the call's own error (usually
// context.DeadlineExceeded).
type TimeoutError struct {
	After time.Duration
	Err   error
}

// Error reads like "resilience: timed out after 2s: context deadline exceeded".
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("resilience: timed out after %v: %v", e.After, e.Err)
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Unwrap returns the call's own error.
func (e *TimeoutError) Unwrap() error { return e.Err }

// docs:start timeout

// WithTimeout gives every call of call a context that expires after d. A call
// that fails after its own deadline passed returns a [*TimeoutError]; the
// caller's deadline or cancellation passes through unchanged (it is the
// caller's, not a timeout of this call).
//
// Go cannot stop a goroutine from outside: call must return when its
// context is done (everything in net/http, database/sql and gRPC does).
func WithTimeout[T any](call Func[T], d time.Duration) Func[T] {
	return func(ctx context.Context) (T, error) {
		cause := &timeoutCause{}
		tctx, cancel := context.WithTimeoutCause(ctx, d, cause)
		defer cancel()
		v, err := call(tctx)
		if err != nil && context.Cause(tctx) == cause {
			return v, &TimeoutError{After: d, Err: err}
		}
		return v, err
	}
}

// docs:end timeout

// timeoutCause marks a context canceled by WithTimeout's own deadline (each
// call gets a new one, so the comparison is by identity).
type timeoutCause struct{}

func (*timeoutCause) Error() string { return "resilience: timeout" }
