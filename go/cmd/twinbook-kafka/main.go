// Command twinbook-kafka runs the embedded Kafka broker (franz-go's kfake,
// through twinbook/kafka) as a program, for the Python side and for readers:
//
//	twinbook-kafka [-port 0] [-partitions 3] [-no-auto-create] [-log-level none]
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

	"github.com/twmb/franz-go/pkg/kfake"

	"twinbook/kafka"
)

func main() {
	port := flag.Int("port", 0, "port to listen on, on 127.0.0.1 (0: a free one)")
	partitions := flag.Int("partitions", kafka.DefaultPartitions, "partitions of a topic created without a count")
	noAutoCreate := flag.Bool("no-auto-create", false, "create topics only on CreateTopics, not when a client names one")
	logLevel := flag.String("log-level", "none", "kfake's log on stderr: none, error, warn, info, debug")
	flag.Parse()
	level, ok := levels[strings.ToLower(*logLevel)]
	if !ok || flag.NArg() > 0 || *partitions < 1 {
		fmt.Fprintln(os.Stderr, "twinbook-kafka: bad arguments (see -h)")
		os.Exit(2)
	}
	b, err := kafka.Start(kafka.Config{
		Port:         *port,
		Partitions:   *partitions,
		NoAutoCreate: *noAutoCreate,
		Options:      []kfake.Opt{kfake.WithLogger(kfake.BasicLogger(os.Stderr, level))},
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
