// wrong: forwards with a plain out <- v, so forwarders whose consumer stopped reading block forever after cancel
package main

import (
	"context"
	"sync"
)

// Merge forwards every value from every source onto one output channel.
func Merge(ctx context.Context, sources ...<-chan int) <-chan int {
	out := make(chan int)
	var wg sync.WaitGroup
	for _, src := range sources {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case v, ok := <-src:
					if !ok {
						return
					}
					out <- v
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

func main() {}
