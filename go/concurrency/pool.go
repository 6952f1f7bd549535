package concurrency

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrBadLimit is wrapped by the errors returned for a limit that cannot
// work: a pool limit below 1, or a rate or burst a [Limiter] cannot use.
var ErrBadLimit = errors.New("concurrency: bad limit")

// Result is the outcome of one call made by [AsCompleted].
type Result[R any] struct {
	Index int   // position of the item in the input slice
	Value R     // what fn returned; the zero value if it never ran
	Err   error // what fn returned, or ctx.Err() if the item never started
}

// docs:start pool-ordered

// Ordered is [AsCompleted] with the results put back in the order of items.
// It waits for every call it started. The error joins the failures in item
// order, each wrapped with its index.
func Ordered[T, R any](ctx context.Context, limit int, items []T,
	fn func(context.Context, T) (R, error)) ([]R, error) {
	results, err := AsCompleted(ctx, limit, items, fn)
	if err != nil {
		return nil, err
	}
	// Each result carries its index, so reordering needs no lock: this
	// goroutine is the only one writing to values and errs.
	values := make([]R, len(items))
	errs := make([]error, len(items))
	for r := range results {
		values[r.Index] = r.Value
		if r.Err != nil {
			errs[r.Index] = fmt.Errorf("item %d: %w", r.Index, r.Err)
		}
	}
	return values, errors.Join(errs...)
}

// docs:end pool-ordered

// docs:start pool-as-completed

// AsCompleted calls fn on every item, at most limit at once, and sends each
// [Result] as its call finishes, then closes the channel. Once ctx is done no
// call starts; waiting items get ctx.Err(). A limit below 1 wraps [ErrBadLimit].
func AsCompleted[T, R any](ctx context.Context, limit int, items []T,
	fn func(context.Context, T) (R, error)) (<-chan Result[R], error) {
	if limit < 1 {
		return nil, fmt.Errorf("%w: limit %d, want at least 1", ErrBadLimit, limit)
	}
	out := make(chan Result[R], len(items)) // room for all: no send ever blocks
	go func() {
		defer close(out)
		var wg sync.WaitGroup
		sem := make(chan struct{}, limit) // a token per running call
		// docs:end pool-as-completed
		// docs:start pool-as-completed-loop
		for i, item := range items {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if err := ctx.Err(); err != nil { // ctx wins ties: select picks at random
				out <- Result[R]{Index: i, Err: err}
				continue
			}
			wg.Go(func() {
				defer func() { <-sem }()
				v, err := fn(ctx, item)
				out <- Result[R]{Index: i, Value: v, Err: err}
			})
		}
		wg.Wait()
	}()
	return out, nil
}

// docs:end pool-as-completed-loop
