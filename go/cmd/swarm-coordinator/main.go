// Command swarm-coordinator serves the swarm's Coordinator (proto/swarm/v1)
// with the health service and server reflection. It listens on -address
// (default 127.0.0.1:0, a free loopback port), prints the address it got on
// stdout's first line, and writes its events as JSON lines on stderr. SIGTERM
// or SIGINT stops it.
//
//	swarm-coordinator [-address 127.0.0.1:0] [-lease-ms 10000]
//	                  [-workers N [-intensity 3] [-period-ms 5000] [-restart permanent]
//	                   [-grace-ms 5000] [-- WORKER-PROGRAM ARGS...]]
//
// With -workers N it is also its workers' process supervisor: it starts N
// worker processes (the program after --, by default swarm-worker beside
// this one), each given --address and --id, and restarts them under the
// chapter's supervisor rules (one_for_one), logging the supervisor's actions
// as "supervisor" events. Its exit status: 0 when stopped, 1 when it cannot
// serve, 2 for bad flags (an invalid supervisor spec names its field; a
// worker program that cannot be found is named), 3
// when the supervisor gave up (every worker has been terminated by then).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"twinbook/internal/swarmpb"
	"twinbook/supervisor"
	"twinbook/swarm"
)

// Exit statuses, as the Python coordinator's.
const (
	exitFailed  = 1
	exitUsage   = 2
	exitGaveUp  = 3
	programName = "swarm-coordinator"
)

func main() {
	address := flag.String("address", "127.0.0.1:0", "host:port to listen on")
	leaseMs := flag.Int("lease-ms", 10000, "a task's lease, and how long a worker may stay silent, in ms")
	workers := flag.Int("workers", 0, "worker processes to start and supervise (0: none)")
	intensity := flag.Int("intensity", 3, "the workers' supervisor: restarts allowed within -period-ms")
	periodMs := flag.Int("period-ms", 5000, "the workers' supervisor: the period of -intensity, in ms")
	restart := flag.String("restart", "permanent", "the workers' restart type: permanent, transient, temporary")
	graceMs := flag.Int("grace-ms", 5000, "a terminated worker's time between SIGTERM and SIGKILL, in ms")
	flag.Parse()
	if *leaseMs <= 0 {
		usage(errors.New("-lease-ms must be > 0"))
	}
	launch := swarm.LaunchConfig{
		Workers: *workers, Intensity: *intensity, Period: time.Duration(*periodMs) * time.Millisecond,
		Restart: supervisor.Restart(*restart), Worker: flag.Args(), Grace: time.Duration(*graceMs) * time.Millisecond,
		Stderr: os.Stderr,
	}
	if *workers < 0 {
		usage(errors.New("-workers must be >= 0"))
	}
	if *workers > 0 {
		if _, err := swarm.WorkerSpec(launch); err != nil {
			usage(err) // before anything runs: nothing to clean up
		}
		if len(launch.Worker) == 0 {
			launch.Worker = []string{defaultWorker()}
		}
		// A program that cannot start would crash every run until the
		// supervisor gave up: say so now, naming it.
		if _, err := exec.LookPath(launch.Worker[0]); err != nil {
			usage(fmt.Errorf("swarm: the workers' supervisor: worker program: %w", err))
		}
	}
	err := run(*address, time.Duration(*leaseMs)*time.Millisecond, launch)
	if err != nil {
		fmt.Fprintln(os.Stderr, programName+":", err)
		if errors.Is(err, supervisor.ErrGaveUp) {
			os.Exit(exitGaveUp)
		}
		os.Exit(exitFailed)
	}
}

func usage(err error) {
	fmt.Fprintln(os.Stderr, programName+":", err)
	os.Exit(exitUsage)
}

// defaultWorker is swarm-worker in this program's directory (go build -o DIR
// puts them together), else on PATH.
func defaultWorker() string {
	if self, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(self), "swarm-worker")
		if _, err := os.Stat(beside); err == nil {
			return beside
		}
	}
	return "swarm-worker"
}

func run(address string, lease time.Duration, launch swarm.LaunchConfig) error {
	lis, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", address, err)
	}
	events := swarm.NewEventLog(os.Stderr)
	coord := swarm.NewCoordinator(swarm.CoordinatorConfig{Lease: lease, Events: events})
	defer coord.Close()
	srv := swarm.NewServer(func(s *grpc.Server) { swarmpb.RegisterCoordinatorServer(s, coord) },
		swarmpb.Coordinator_ServiceDesc.ServiceName)
	fmt.Println(lis.Addr().String())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	var supervised error
	if launch.Workers > 0 {
		launch.Address, launch.Events = lis.Addr().String(), events
		// Returns when ctx ends (the workers terminated) or the supervisor gives up.
		supervised = swarm.SuperviseWorkers(ctx, launch)
	} else {
		select {
		case <-ctx.Done():
		case err := <-served:
			return err // it could not serve: nothing else runs
		}
	}
	srv.Stop()
	if err := <-served; err != nil {
		return err
	}
	return supervised
}
