package resilience

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrBulkheadFull is returned by a call that found the bulkhead full (after
// waiting for a slot, if the bulkhead waits).
var ErrBulkheadFull = errors.New("resilience: bulkhead full")

// Bulkhead caps how many calls run at once, so that one slow dependency
// cannot take every goroutine (or connection) with it. A Bulkhead is safe
// for concurrent use; share one among the calls it protects.
type Bulkhead struct {
	slots   chan struct{}
	maxWait time.Duration
}

// NewBulkhead returns a Bulkhead of maxConcurrent slots. A call that finds
// them all taken waits up to maxWait for one (0: it is rejected at once).
func NewBulkhead(maxConcurrent int, maxWait time.Duration) (*Bulkhead, error) {
	if maxConcurrent < 1 {
		return nil, fmt.Errorf("resilience: bulkhead: max_concurrent: must be >= 1, got %d", maxConcurrent)
	}
	if maxWait < 0 {
		return nil, fmt.Errorf("resilience: bulkhead: max_wait: must be >= 0, got %v", maxWait)
	}
	return &Bulkhead{slots: make(chan struct{}, maxConcurrent), maxWait: maxWait}, nil
}

// InUse returns how many slots are taken now.
func (b *Bulkhead) InUse() int { return len(b.slots) }

// docs:start bulkhead

// enter takes a slot, waiting up to maxWait (and no longer than ctx) for one.
func (b *Bulkhead) enter(ctx context.Context) error {
	select {
	case b.slots <- struct{}{}:
		return nil
	default:
	}
	if b.maxWait == 0 {
		return ErrBulkheadFull
	}
	timer := time.NewTimer(b.maxWait)
	defer timer.Stop()
	select {
	case b.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return ErrBulkheadFull
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Bulkhead) exit() { <-b.slots }

// docs:end bulkhead

// docs:start with-bulkhead

// WithBulkhead runs call only with a slot of b, and returns ErrBulkheadFull
// when none comes free in time.
func WithBulkhead[T any](call Func[T], b *Bulkhead) Func[T] {
	return func(ctx context.Context) (T, error) {
		if err := b.enter(ctx); err != nil {
			var zero T
			return zero, err
		}
		defer b.exit()
		return call(ctx)
	}
}

// docs:end with-bulkhead
