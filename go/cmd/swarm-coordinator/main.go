// Command swarm-coordinator serves the swarm's Coordinator (proto/swarm/v1)
// with the health service and server reflection. It listens on -address
// (default 127.0.0.1:0, a free loopback port), prints the address it got on
// stdout's first line, and writes its events as JSON lines on stderr. SIGTERM
// or SIGINT stops it.
//
//	swarm-coordinator [-address 127.0.0.1:0] [-lease-ms 10000]
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"twinbook/internal/swarmpb"
	"twinbook/swarm"
)

func main() {
	address := flag.String("address", "127.0.0.1:0", "host:port to listen on")
	leaseMs := flag.Int("lease-ms", 10000, "a task's lease, and how long a worker may stay silent, in ms")
	flag.Parse()
	if err := run(*address, time.Duration(*leaseMs)*time.Millisecond); err != nil {
		fmt.Fprintln(os.Stderr, "swarm-coordinator:", err)
		os.Exit(1)
	}
}

func run(address string, lease time.Duration) error {
	if lease <= 0 {
		return fmt.Errorf("-lease-ms must be > 0")
	}
	lis, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", address, err)
	}
	coord := swarm.NewCoordinator(swarm.CoordinatorConfig{Lease: lease, Events: swarm.NewEventLog(os.Stderr)})
	defer coord.Close()
	srv := swarm.NewServer(func(s *grpc.Server) { swarmpb.RegisterCoordinatorServer(s, coord) },
		swarmpb.Coordinator_ServiceDesc.ServiceName)
	fmt.Println(lis.Addr().String())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Stop()
	}()
	return srv.Serve(lis)
}
