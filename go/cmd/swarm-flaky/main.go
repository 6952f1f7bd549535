// Command swarm-flaky serves the flaky.v1 dependency that the swarm's flaky
// task kind calls (and that the round-trip benchmarks call), with health and
// reflection. It listens on -address (default 127.0.0.1:0) and prints the
// address it got on stdout's first line. SIGTERM or SIGINT stops it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"

	"twinbook/internal/flakypb"
	"twinbook/swarm"
)

func main() {
	address := flag.String("address", "127.0.0.1:0", "host:port to listen on")
	flag.Parse()
	lis, err := net.Listen("tcp", *address)
	if err != nil {
		fmt.Fprintln(os.Stderr, "swarm-flaky:", err)
		os.Exit(1)
	}
	srv := swarm.NewServer(func(s *grpc.Server) { flakypb.RegisterFlakyServer(s, swarm.NewFlakyServer()) },
		flakypb.Flaky_ServiceDesc.ServiceName)
	fmt.Println(lis.Addr().String())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Stop()
	}()
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, "swarm-flaky:", err)
		os.Exit(1)
	}
}
