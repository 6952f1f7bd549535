// Command twinbook-registry serves the project's schema registry
// (Confluent's REST API) with its log in a compacted Kafka topic:
//
//	twinbook-registry --kafka HOST:PORT [--addr 127.0.0.1:0] [--topic _schemas] [--timeout 10s]
//
// --kafka defaults to $TWINBOOK_KAFKA. Once the topic is read to its end,
// it prints one line, "registry: http://127.0.0.1:PORT", and serves until
// SIGTERM or SIGINT or until its standard input, when that is a pipe,
// closes (so that it ends with the program that started it). A broker that does not answer within
// --timeout ends it with status 1 and a message naming the broker.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"twinbook/registry"
)

func main() {
	bootstrap := flag.String("kafka", os.Getenv("TWINBOOK_KAFKA"), "the broker's host:port (default $TWINBOOK_KAFKA)")
	addr := flag.String("addr", "127.0.0.1:0", "where to listen")
	topic := flag.String("topic", registry.DefaultTopic, "the compacted topic that keeps the registry's log")
	timeout := flag.Duration("timeout", 10*time.Second, "how long to wait for the broker, at start and on each write")
	flag.Parse()
	if *bootstrap == "" {
		fmt.Fprintln(os.Stderr, "twinbook-registry: --kafka (or $TWINBOOK_KAFKA) is required")
		os.Exit(2)
	}
	if err := run(*bootstrap, *addr, *topic, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "twinbook-registry:", err)
		os.Exit(1)
	}
}

func run(bootstrap, addr, topic string, timeout time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// Standard input closing (the parent gone, even killed with SIGKILL)
	// stops the server too; only a pipe is watched: a terminal or /dev/null
	// is not a parent's lifeline (/dev/null would stop it at once).
	stdinClosed := make(chan struct{})
	if info, err := os.Stdin.Stat(); err == nil && info.Mode()&os.ModeNamedPipe != 0 {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			close(stdinClosed)
		}()
	}
	store, err := registry.OpenKafka(ctx, registry.KafkaConfig{Bootstrap: bootstrap, Topic: topic, Timeout: timeout})
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := registry.New(ctx, store, registry.AvroChecker{}, registry.Options{Timeout: timeout})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	// Every wait of a connection is bounded: a client that stalls mid-request
	// holds a goroutine for 30s at most, never the server.
	srv := &http.Server{Handler: registry.NewHandler(svc), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	fmt.Printf("registry: http://%s\n", lis.Addr())
	select {
	case <-ctx.Done():
	case <-stdinClosed:
	case err := <-served:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
