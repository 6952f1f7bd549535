package concurrency

import (
	"context"
	"sync"
)

// docs:start fan-out

// FanOut starts workers goroutines that take turns receiving from in, each
// applying fn and sending on its own unbuffered channel, which closes when in
// closes or ctx is done. Which worker gets which value is up to the
// scheduler; [Merge] joins the outputs. FanOut panics if workers < 1.
func FanOut[In, Out any](ctx context.Context, in <-chan In, workers int,
	fn func(context.Context, In) Out) []<-chan Out {
	if workers < 1 {
		panic("concurrency: FanOut needs at least one worker")
	}
	// A worker is just a stage: many receivers on one channel share its
	// values, each value going to exactly one of them.
	outs := make([]<-chan Out, workers)
	for i := range outs {
		outs[i] = Stage(ctx, in, 0, fn)
	}
	return outs
}

// docs:end fan-out

// docs:start merge

// Merge forwards every value from sources onto one unbuffered channel, which
// closes once every source has closed, or once ctx is done. Values from one
// source keep their order; values from different sources interleave.
func Merge[T any](ctx context.Context, sources ...<-chan T) <-chan T {
	out := make(chan T)
	var wg sync.WaitGroup
	for _, src := range sources {
		wg.Go(func() {
			for {
				select {
				case v, ok := <-src:
					if !ok {
						return
					}
					select {
					case out <- v:
					case <-ctx.Done():
						return
					}
				case <-ctx.Done():
					return
				}
			}
		})
	}
	// Closing is the last forwarder's job; one more goroutine waits for it
	// so that Merge can return at once.
	go func() { wg.Wait(); close(out) }()
	return out
}

// docs:end merge
