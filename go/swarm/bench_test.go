package swarm_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"twinbook/internal/flakypb"
	pb "twinbook/internal/swarmpb"
	"twinbook/swarm"
)

// flakyProcess starts a flaky.v1 server program in lang and returns a client.
func flakyProcess(b *testing.B, lang string) flakypb.FlakyClient {
	b.Helper()
	var p *proc
	if lang == "go" {
		p = start(b, "flaky-go", true, filepath.Join(bin, "swarm-flaky"))
	} else {
		p = start(b, "flaky-python", true, python(b), "-m", "twinbook.swarm.flaky")
	}
	conn, err := grpc.NewClient(p.address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return flakypb.NewFlakyClient(conn)
}

// BenchmarkUnaryRoundTrip: one unary Flaky.Call after another from Go, to a Go
// server process and to a Python one, on loopback; p50 is the median round
// trip. (Python's client side is tests/benchmarks/test_swarm_bench.py.)
func BenchmarkUnaryRoundTrip(b *testing.B) {
	for _, server := range []string{"go", "python"} {
		b.Run("go-to-"+server, func(b *testing.B) {
			c := flakyProcess(b, server)
			req := &flakypb.CallRequest{Payload: "ping"}
			for range 200 { // warm the connection and both runtimes
				if _, err := c.Call(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				began := time.Now()
				if _, err := c.Call(context.Background(), req); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(began))
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds())/1e3, "p50-µs")
		})
	}
}

// BenchmarkSwarmThroughput compares two ways to run b.N small tasks on worker
// processes: the swarm's (a coordinator streams tasks to 2 workers that
// grant 64 credits each, so many tasks are in flight on each stream) and one
// unary call per task, waiting for each answer before the next (a worker as
// a plain server). Both report tasks/s.
func BenchmarkSwarmThroughput(b *testing.B) {
	b.Run("stream-credits", func(b *testing.B) {
		coord := swarm.NewCoordinator(swarm.CoordinatorConfig{Lease: time.Minute})
		defer coord.Close()
		lis := listen(b)
		srv := swarm.NewServer(func(s *grpc.Server) { pb.RegisterCoordinatorServer(s, coord) }, "swarm.v1.Coordinator")
		go srv.Serve(lis)
		defer srv.Stop()
		for i := range 2 {
			worker(b, "go", lis.Addr().String(), fmt.Sprint("w", i), "credits", "64", "heartbeat-ms", "1000")
		}
		warm(b, coord)
		b.ResetTimer()
		began := time.Now()
		var wg sync.WaitGroup
		next := make(chan int, 256)
		for range 128 {
			wg.Go(func() {
				for i := range next {
					if _, err := coord.Submit(context.Background(), &pb.SubmitRequest{Kind: "square", Input: []byte(fmt.Sprint(i % 1000))}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		for i := range b.N {
			next <- i
		}
		close(next)
		wg.Wait()
		b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "tasks/s")
	})
	b.Run("unary-per-task", func(b *testing.B) {
		c := flakyProcess(b, "go")
		warmUnary(b, c)
		b.ResetTimer()
		began := time.Now()
		for i := range b.N {
			if _, err := c.Call(context.Background(), &flakypb.CallRequest{Payload: fmt.Sprint(i % 1000)}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "tasks/s")
	})
}

// warm waits until both workers have said hello and runs a few tasks.
func warm(b *testing.B, coord *swarm.Coordinator) {
	b.Helper()
	deadline := time.Now().Add(wait)
	for n := 0; n < 100; {
		if _, err := coord.Submit(context.Background(), &pb.SubmitRequest{Kind: "square", Input: []byte("3")}); err != nil {
			if time.Now().After(deadline) {
				b.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		n++
	}
}

func warmUnary(b *testing.B, c flakypb.FlakyClient) {
	b.Helper()
	for range 100 {
		if _, err := c.Call(context.Background(), &flakypb.CallRequest{Payload: "warm"}); err != nil {
			b.Fatal(err)
		}
	}
}
