// wrong: forwards the sources one after the other in one goroutine, so a silent first source holds up all the others
package main

import "context"

// Merge forwards every value from every source onto one output channel.
func Merge(ctx context.Context, sources ...<-chan int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for _, src := range sources {
			for {
				var v int
				var ok bool
				select {
				case <-ctx.Done():
					return
				case v, ok = <-src:
				}
				if !ok {
					break
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

func main() {}
