package breaker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"

	"twinbook/breaker"
)

// Benchmarks against sony/gobreaker v2, the peer to beat, in one run:
//
//	go test -run '^$' -bench . -benchmem ./breaker/
//
// (make bench-go writes the figures, with ratios, to build/bench/go.json).
// Each benchmark has a sub-benchmark per implementation: twinbook with a
// count window (the default) and a time window, and gobreaker with its
// default settings.

var (
	errBench = errors.New("bench: failure")
	sinkInt  int
)

func ok(context.Context) (int, error) { return 1, nil }

func benchBreaker(b *testing.B, window breaker.WindowType) *breaker.Breaker {
	b.Helper()
	cfg := breaker.DefaultConfig()
	cfg.SlidingWindow = window
	if window == breaker.TimeWindow {
		cfg.WindowSize = 10
	}
	cb, err := breaker.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return cb
}

func gobreakerOK() (int, error) { return 1, nil }

func BenchmarkSuccess(b *testing.B) {
	ctx := context.Background()
	for _, window := range []breaker.WindowType{breaker.CountWindow, breaker.TimeWindow} {
		b.Run("twinbook-"+string(window), func(b *testing.B) {
			cb := benchBreaker(b, window)
			b.ReportAllocs()
			for b.Loop() {
				v, _ := breaker.Execute(ctx, cb, ok)
				sinkInt += v
			}
		})
	}
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: "bench"})
		b.ReportAllocs()
		for b.Loop() {
			v, _ := cb.Execute(gobreakerOK)
			sinkInt += v
		}
	})
}

func BenchmarkSuccessParallel(b *testing.B) {
	ctx := context.Background()
	for _, window := range []breaker.WindowType{breaker.CountWindow, breaker.TimeWindow} {
		b.Run("twinbook-"+string(window), func(b *testing.B) {
			cb := benchBreaker(b, window)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := breaker.Execute(ctx, cb, ok); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: "bench"})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := cb.Execute(gobreakerOK); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkRejected(b *testing.B) {
	ctx := context.Background()
	b.Run("twinbook", func(b *testing.B) {
		cfg := breaker.DefaultConfig()
		cfg.MinimumCalls = 1
		cfg.WaitInOpen = time.Hour
		cb, err := breaker.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		breaker.Execute(ctx, cb, func(context.Context) (int, error) { return 0, errBench })
		if cb.State() != breaker.Open {
			b.Fatalf("state %s, want open", cb.State())
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := breaker.Execute(ctx, cb, ok); err == nil {
				b.Fatal("permitted")
			}
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{
			Name:        "bench",
			Timeout:     time.Hour,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 },
		})
		cb.Execute(func() (int, error) { return 0, errBench })
		if cb.State() != gobreaker.StateOpen {
			b.Fatalf("state %s, want open", cb.State())
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cb.Execute(gobreakerOK); err == nil {
				b.Fatal("permitted")
			}
		}
	})
}
