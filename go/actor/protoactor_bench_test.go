package actor_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	proto "github.com/asynkron/protoactor-go/actor"
)

// The peer: protoactor-go (pinned pseudo-version, benchmarks only), its
// default unbounded mailbox and dispatcher, messages sent from the root
// context as an application would.

type protoDone struct{}

func protoSystem(b *testing.B) *proto.ActorSystem {
	b.Helper()
	quiet := func(*proto.ActorSystem) *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
	sys := proto.NewActorSystem(proto.WithLoggerFactory(quiet))
	b.Cleanup(sys.Shutdown)
	return sys
}

func benchProtoactorTell(b *testing.B) {
	sys := protoSystem(b)
	handled := 0
	pid := sys.Root.Spawn(proto.PropsFromFunc(func(c proto.Context) {
		switch m := c.Message().(type) {
		case int:
			handled += m
		case protoDone:
			c.Respond(handled)
		}
	}))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sys.Root.Send(pid, 1)
	}
	// The mailbox is FIFO: the answer comes once every message is handled.
	got, err := sys.Root.RequestFuture(pid, protoDone{}, time.Minute).Result()
	b.StopTimer()
	if err != nil || got != b.N {
		b.Fatalf("handled %v of %d: %v", got, b.N, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if err := sys.Root.StopFuture(pid).Wait(); err != nil {
		b.Fatal(err)
	}
}

func benchProtoactorAsk(b *testing.B) {
	sys := protoSystem(b)
	pid := sys.Root.Spawn(proto.PropsFromFunc(func(c proto.Context) {
		if m, ok := c.Message().(int); ok {
			c.Respond(m + 1)
		}
	}))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		v, err := sys.Root.RequestFuture(pid, i, time.Second).Result()
		if err != nil || v != i+1 {
			b.Fatalf("request %d = %v, %v", i, v, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "asks/s")
	if err := sys.Root.StopFuture(pid).Wait(); err != nil {
		b.Fatal(err)
	}
}
