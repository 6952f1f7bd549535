// wrong: watches ctx only when it has to wait (input empty, output full), so a busy stage goes on after cancel
package main

import "context"

// Stage starts one goroutine that reads every value from in, applies fn to it
// and sends the result on the returned channel, in the order the values came.
func Stage(ctx context.Context, in <-chan int, buffer int, fn func(int) int) <-chan int {
	out := make(chan int, buffer)
	go func() {
		defer close(out)
		for {
			var v int
			var ok bool
			select {
			case v, ok = <-in:
			default: // nothing to read: wait, but stop if ctx is done
				select {
				case v, ok = <-in:
				case <-ctx.Done():
					return
				}
			}
			if !ok {
				return
			}
			r := fn(v)
			select {
			case out <- r:
			default: // no room: wait, but stop if ctx is done
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

func main() {}
