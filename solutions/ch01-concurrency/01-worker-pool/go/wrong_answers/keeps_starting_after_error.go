// wrong: waits for a free slot without watching ctx, so every item still starts after the first error
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
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for i, item := range items {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			v, err := fn(ctx, item)
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			results[i] = v
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("MapLimited: %w", err)
	}
	return results, nil
}

func main() {}
