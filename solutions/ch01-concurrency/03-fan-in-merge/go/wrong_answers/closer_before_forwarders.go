// wrong: starts the goroutine that waits and closes before the forwarders are added to the WaitGroup, so it can close the output at once
package main

import (
	"context"
	"sync"
)

// Merge forwards every value from every source onto one output channel.
func Merge(ctx context.Context, sources ...<-chan int) <-chan int {
	out := make(chan int)
	var wg sync.WaitGroup
	go func() {
		wg.Wait()
		close(out)
	}()
	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case v, ok := <-src:
					if !ok {
						return
					}
					select {
					case out <- v:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	return out
}

func main() {}
