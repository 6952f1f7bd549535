// wrong: always makes an unbuffered output channel, whatever buffer asks for
package main

import "context"

// Stage starts one goroutine that reads every value from in, applies fn to it
// and sends the result on the returned channel, in the order the values came.
func Stage(ctx context.Context, in <-chan int, buffer int, fn func(int) int) <-chan int {
	out := make(chan int)
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
				select {
				case out <- fn(v):
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

func main() {}
