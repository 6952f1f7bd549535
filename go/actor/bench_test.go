package actor_test

import (
	"context"
	"testing"
	"time"

	"twinbook/actor"
)

// Benchmarks beside protoactor-go (protoactor_bench_test.go), in one run:
//
//	go test -run '^$' -bench . -benchmem ./actor/
//
// BenchmarkTell: messages per second told to one actor by one sender, the
// actor's handling included (the timer stops once the last one is handled).
// BenchmarkAsk: request-reply round trips per second, each with its own
// one-second timeout, as protoactor-go's RequestFuture has.

const benchCapacity = 1024

func BenchmarkTell(b *testing.B) {
	b.Run("twinbook", func(b *testing.B) {
		handled := 0
		a := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, struct{}]) error {
			for env := range mb.All() {
				handled += env.Msg
			}
			return nil
		}, actor.Options{Capacity: benchCapacity})
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if err := a.Tell(ctx, 1); err != nil {
				b.Fatal(err)
			}
		}
		if err := a.Stop(ctx); err != nil { // drains: every message handled
			b.Fatal(err)
		}
		b.StopTimer()
		if handled != b.N {
			b.Fatalf("handled %d of %d", handled, b.N)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("protoactor", benchProtoactorTell)
}

func BenchmarkAsk(b *testing.B) {
	b.Run("twinbook", func(b *testing.B) {
		a := actor.New(func(ctx context.Context, mb *actor.Mailbox[int, int]) error {
			for env := range mb.All() {
				env.Reply(env.Msg + 1)
			}
			return nil
		}, actor.Options{Capacity: benchCapacity})
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			v, err := a.Ask(ctx, i)
			cancel()
			if err != nil || v != i+1 {
				b.Fatalf("Ask(%d) = %d, %v", i, v, err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "asks/s")
		if err := a.Stop(context.Background()); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("protoactor", benchProtoactorAsk)
}
