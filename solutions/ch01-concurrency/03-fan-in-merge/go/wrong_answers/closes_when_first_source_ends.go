// wrong: closes the output as soon as the first source is closed, so the values still coming from the others are lost
package main

import (
	"context"
	"sync"
)

// Merge forwards every value from every source onto one output channel.
func Merge(ctx context.Context, sources ...<-chan int) <-chan int {
	out := make(chan int)
	done := make(chan struct{})
	var once sync.Once
	if len(sources) == 0 {
		close(out)
		return out
	}
	for _, src := range sources {
		go func() {
			defer once.Do(func() { close(done) })
			for {
				select {
				case <-ctx.Done():
					return
				case <-done:
					return
				case v, ok := <-src:
					if !ok {
						return
					}
					select {
					case out <- v:
					case <-ctx.Done():
						return
					case <-done:
						return
					}
				}
			}
		}()
	}
	go func() {
		<-done
		close(out)
	}()
	return out
}

func main() {}
