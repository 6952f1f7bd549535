// Command swarm-worker runs tasks for a swarm-coordinator (proto/swarm/v1):
//
//	swarm-worker -address HOST:PORT -id NAME [-kinds square,sleep,flaky] [-credits 2]
//	             [-heartbeat-ms 1000] [-flaky HOST:PORT] [-attempts 5] [-backoff-ms 200]
//
// It writes its events as JSON lines on stderr. It exits 0 on SIGTERM or
// SIGINT, and 1 with a message naming the cause when the coordinator refuses
// it or cannot be reached -attempts times in a row.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"twinbook/swarm"
)

func main() {
	address := flag.String("address", "", "the coordinator's host:port")
	id := flag.String("id", "", "the worker's name, unique among the coordinator's workers")
	kinds := flag.String("kinds", "square,sleep", "task kinds to run, comma-separated: square, sleep, flaky")
	credits := flag.Int("credits", 2, "how many tasks to run at once")
	heartbeatMs := flag.Int("heartbeat-ms", 1000, "how often to send a heartbeat, in ms")
	flaky := flag.String("flaky", "", "the flaky.v1 server's host:port (for the flaky kind)")
	attempts := flag.Int("attempts", 5, "tries in a row to reach the coordinator before giving up")
	backoffMs := flag.Int("backoff-ms", 200, "wait between those tries, in ms")
	flag.Parse()
	if *address == "" {
		fmt.Fprintln(os.Stderr, "swarm-worker: -address is required")
		os.Exit(2)
	}
	w, err := swarm.NewWorker(swarm.WorkerConfig{
		Address: *address, ID: *id, Kinds: strings.Split(*kinds, ","), Credits: *credits,
		Heartbeat: time.Duration(*heartbeatMs) * time.Millisecond, Flaky: *flaky,
		Attempts: *attempts, Backoff: time.Duration(*backoffMs) * time.Millisecond,
		Events: swarm.NewEventLog(os.Stderr),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "swarm-worker:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := w.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "swarm-worker:", err)
		os.Exit(1)
	}
}
