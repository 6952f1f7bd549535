package concurrency

import "context"

// Generate returns an unbuffered channel that yields items in order and
// then closes. It closes early when ctx is done.
func Generate[T any](ctx context.Context, items ...T) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		for _, item := range items {
			select {
			case out <- item:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// docs:start pipeline-stage

// Stage applies fn to each value from in and sends the results, in order, on
// a channel with room for buffer values. A full buffer stops Stage reading,
// which in turn blocks whoever sends on in: backpressure. The channel closes
// when in closes or ctx is done. Stage panics if buffer is negative.
func Stage[In, Out any](ctx context.Context, in <-chan In, buffer int,
	fn func(context.Context, In) Out) <-chan Out {
	if buffer < 0 {
		panic("concurrency: negative Stage buffer")
	}
	out := make(chan Out, buffer)
	go func() {
		defer close(out)
		for {
			select {
			case v, ok := <-in:
				if !ok {
					return
				}
				select {
				case out <- fn(ctx, v):
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// docs:end pipeline-stage

// Collect receives from in until it closes or ctx is done and returns what
// it received, in order.
func Collect[T any](ctx context.Context, in <-chan T) []T {
	var got []T
	for {
		select {
		case v, ok := <-in:
			if !ok {
				return got
			}
			got = append(got, v)
		case <-ctx.Done():
			return got
		}
	}
}
