// Command twinbook-events is the Go side of chapter 4's cross-language
// tests and notebooks: it produces keyed records with package events (kgo)
// or reads records back, and prints one JSON object a line, so a Python
// program can check that both languages agree on partitions and bytes.
//
//	twinbook-events produce -bootstrap HOST:PORT -topic T KEY=VALUE...
//	twinbook-events consume -bootstrap HOST:PORT -topic T -n N
//
// produce prints {"key","partition","offset"} per record, in order;
// consume reads the topic from the start, outside any group, until it has
// N records, and prints {"key","value","partition","offset"} per record.
// Every wait is bounded by -timeout; a broker that is not there exits 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "twinbook-events:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: twinbook-events produce|consume -bootstrap B -topic T")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	bootstrap := fs.String("bootstrap", "", "a broker's host:port")
	topic := fs.String("topic", "", "the topic")
	n := fs.Int("n", 0, "consume: how many records to read")
	timeout := fs.Duration("timeout", 20*time.Second, "the longest the command may take")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *bootstrap == "" || *topic == "" {
		return errors.New("-bootstrap and -topic are required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	cfg := events.Config{Bootstrap: *bootstrap, Timeout: *timeout}
	enc := json.NewEncoder(out)
	switch args[0] {
	case "produce":
		return produce(ctx, cfg, *topic, fs.Args(), enc)
	case "consume":
		return consume(ctx, cfg, *topic, *n, enc)
	}
	return fmt.Errorf("unknown command %q (produce, consume)", args[0])
}

func produce(ctx context.Context, cfg events.Config, topic string, pairs []string,
	enc *json.Encoder) error {
	msgs := make([]events.Message, len(pairs))
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return fmt.Errorf("%q is not KEY=VALUE", p)
		}
		msgs[i] = events.Message{Key: k, Value: []byte(v)}
	}
	cl, err := events.NewProducer(ctx, cfg)
	if err != nil {
		return err
	}
	defer cl.Close()
	delivered, err := events.ProduceKeyed(ctx, cl, topic, msgs...)
	if err != nil {
		return err
	}
	for _, d := range delivered {
		if err := enc.Encode(map[string]any{"key": d.Key, "partition": d.Partition,
			"offset": d.Offset}); err != nil {
			return err
		}
	}
	return nil
}

func consume(ctx context.Context, cfg events.Config, topic string, n int,
	enc *json.Encoder) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Bootstrap), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer cl.Close()
	for got := 0; got < n; {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %d of %d records before the timeout", topic, got, n)
		}
		for _, r := range fetches.Records() {
			got++
			if err := enc.Encode(map[string]any{"key": string(r.Key),
				"value": string(r.Value), "partition": r.Partition,
				"offset": r.Offset}); err != nil {
				return err
			}
		}
	}
	return nil
}
