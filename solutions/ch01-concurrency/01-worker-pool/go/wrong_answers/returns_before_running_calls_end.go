// wrong: returns the first error at once, while calls that already started are still running
package main

import (
	"context"
	"fmt"
	"sync"
)

// MapLimited calls fn on every item, at most limit calls at once, and returns the
// results in the order of items, or the first error.
func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {
	if limit < 1 {
		return nil, fmt.Errorf("MapLimited: limit must be at least 1, got %d", limit)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]int, len(items))
	slots := make(chan struct{}, limit)
	errs := make(chan error, 1) // the first error
	var wg sync.WaitGroup
	for i, item := range items {
		select {
		case slots <- struct{}{}:
		case err := <-errs:
			return nil, err
		case <-ctx.Done():
			return nil, fmt.Errorf("MapLimited: %w", ctx.Err())
		}
		wg.Go(func() {
			defer func() { <-slots }()
			v, err := fn(ctx, item)
			if err != nil {
				select {
				case errs <- err:
					cancel()
				default:
				}
				return
			}
			results[i] = v
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("MapLimited: %w", err)
	}
	return results, nil
}

func main() {}
