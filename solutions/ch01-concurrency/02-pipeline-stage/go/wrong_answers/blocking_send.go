// wrong: sends with a plain out <- v, so a stage whose consumer stopped reading blocks forever and never sees ctx
package main

import "context"

// Stage starts one goroutine that reads every value from in, applies fn to it
// and sends the result on the returned channel, in the order the values came.
func Stage(ctx context.Context, in <-chan int, buffer int, fn func(int) int) <-chan int {
	out := make(chan int, buffer)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case v, ok := <-in:
				if !ok {
					return
				}
				out <- fn(v)
			}
		}
	}()
	return out
}

func main() {}
