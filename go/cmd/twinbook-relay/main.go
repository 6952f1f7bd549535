// Command twinbook-relay runs chapter 5's outbox relay as a process: it
// publishes the outbox of a store to Kafka until it is stopped (SIGINT or
// SIGTERM end it cleanly; the kill -9 tests end it any other way and start
// it again, which is what the outbox must survive).
//
//	twinbook-relay -store sqlite:PATH|postgres://... [-bootstrap HOST:PORT] [-batch N]
//
// -bootstrap defaults to TWINBOOK_KAFKA. It creates the outbox tables when
// they do not exist, prints "ready" once it relays, and errors to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"twinbook/kafka"
	"twinbook/outbox"
	"twinbook/store"
)

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "twinbook-relay:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("twinbook-relay", flag.ContinueOnError)
	url := fs.String("store", "", "the store: sqlite:PATH or postgres://...")
	bootstrap := fs.String("bootstrap", "", "a Kafka broker's host:port (default $"+kafka.EnvVar+")")
	batch := fs.Int("batch", 100, "events per transaction")
	poll := fs.Duration("poll", 20*time.Millisecond, "pause when the outbox is empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bootstrap == "" {
		*bootstrap, _ = kafka.FromEnv()
	}
	if *url == "" || *bootstrap == "" {
		return errors.New("-store and -bootstrap (or $" + kafka.EnvVar + ") are required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := outbox.Migrate(ctx, db); err != nil {
		return err
	}
	pub, err := outbox.NewKafkaPublisher(*bootstrap)
	if err != nil {
		return err
	}
	defer pub.Close()
	relay := outbox.NewRelay(db, pub, outbox.RelayConfig{
		BatchSize:    *batch,
		PollInterval: *poll,
		OnError:      func(err error) { fmt.Fprintln(os.Stderr, "twinbook-relay:", err) },
	})
	fmt.Println("ready")
	return relay.Run(ctx)
}
