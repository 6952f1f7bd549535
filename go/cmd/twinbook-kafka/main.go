// Command twinbook-kafka runs the embedded Kafka broker (franz-go's kfake,
// through twinbook/kafka) as a program, for the Python side and for readers:
//
//	twinbook-kafka [-port 0] [-partitions 3] [-no-auto-create] [-log-level none]
//	               [-fail-produce N [-fail-produce-error NAME]]
//
// -fail-produce is for tests only: the first N produce requests fail with a
// retriable error (NOT_ENOUGH_REPLICAS_AFTER_APPEND by default: the batch is
// written, the answer says it failed; NOT_ENOUGH_REPLICAS and
// REQUEST_TIMED_OUT may be named too), which is how the Python tests show
// what producer retries do with and without idempotence.
//
// It listens on 127.0.0.1 (a free port unless -port says which), and prints
// one first line on stdout once it accepts connections:
//
//	kafka: 127.0.0.1:PORT
//
// then serves until SIGTERM or SIGINT, or until its stdin, when that is a
// pipe, reaches end of file. The last is how it dies with its parent: a
// parent that starts it with a pipe on stdin closes that pipe when it exits,
// even when it is killed with SIGKILL and can run no cleanup of its own. A
// terminal or /dev/null on stdin is not watched. It exits 0 when stopped, 2
// on bad flags and 1 when the broker cannot start.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"

	"twinbook/kafka"
)

func main() {
	port := flag.Int("port", 0, "port to listen on, on 127.0.0.1 (0: a free one)")
	partitions := flag.Int("partitions", kafka.DefaultPartitions, "partitions of a topic created without a count")
	noAutoCreate := flag.Bool("no-auto-create", false, "create topics only on CreateTopics, not when a client names one")
	logLevel := flag.String("log-level", "none", "kfake's log on stderr: none, error, warn, info, debug")
	failProduce := flag.Int("fail-produce", 0, "test only: fail the first N produce requests with a retriable error")
	failError := flag.String("fail-produce-error", "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
		"the error of -fail-produce: NOT_ENOUGH_REPLICAS_AFTER_APPEND, NOT_ENOUGH_REPLICAS or REQUEST_TIMED_OUT")
	flag.Parse()
	level, ok := levels[strings.ToLower(*logLevel)]
	failure, known := failures[strings.ToUpper(*failError)]
	if !ok || !known || flag.NArg() > 0 || *partitions < 1 || *failProduce < 0 {
		fmt.Fprintln(os.Stderr, "twinbook-kafka: bad arguments (see -h)")
		os.Exit(2)
	}
	b, err := kafka.Start(kafka.Config{
		Port:             *port,
		Partitions:       *partitions,
		NoAutoCreate:     *noAutoCreate,
		FailProduce:      *failProduce,
		FailProduceError: failure,
		Options:          []kfake.Opt{kfake.WithLogger(kfake.BasicLogger(os.Stderr, level))},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "twinbook-kafka:", err)
		os.Exit(1)
	}
	defer b.Close()
	// The listener is bound before Start returns; one real connection proves
	// that the address printed is the one clients reach.
	conn, err := net.DialTimeout("tcp", b.Addr(), 5*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "twinbook-kafka: the broker does not accept connections:", err)
		b.Close()
		os.Exit(1)
	}
	conn.Close()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if watchable(os.Stdin) {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}
	fmt.Printf("kafka: %s\n", b.Addr())
	<-ctx.Done()
}

// failures are the retriable produce errors -fail-produce can answer with.
var failures = map[string]*kerr.Error{
	"NOT_ENOUGH_REPLICAS_AFTER_APPEND": kerr.NotEnoughReplicasAfterAppend,
	"NOT_ENOUGH_REPLICAS":              kerr.NotEnoughReplicas,
	"REQUEST_TIMED_OUT":                kerr.RequestTimedOut,
}

var levels = map[string]kfake.LogLevel{
	"none":  kfake.LogLevelNone,
	"error": kfake.LogLevelError,
	"warn":  kfake.LogLevelWarn,
	"info":  kfake.LogLevelInfo,
	"debug": kfake.LogLevelDebug,
}

// watchable says whether f is a pipe or a socket: the stdin a parent process
// gives, whose end of file means the parent is gone.
func watchable(f *os.File) bool {
	info, err := f.Stat()
	if err != nil {
		return false
	}
	return info.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0
}
