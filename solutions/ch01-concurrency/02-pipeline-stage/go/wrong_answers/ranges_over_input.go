// wrong: ranges over the input, so a stage waiting for a value that never comes does not see ctx and never ends
package main

import "context"

// Stage starts one goroutine that reads every value from in, applies fn to it
// and sends the result on the returned channel, in the order the values came.
func Stage(ctx context.Context, in <-chan int, buffer int, fn func(int) int) <-chan int {
	out := make(chan int, buffer)
	go func() {
		defer close(out)
		for v := range in {
			select {
			case out <- fn(v):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func main() {}
