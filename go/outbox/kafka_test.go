package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
	"twinbook/kafka"
	"twinbook/kafka/kafkatest"
	"twinbook/outbox"
	"twinbook/store"
)

// record is what a consumer read: the relay's headers decoded.
type record struct {
	key, id, traceparent string
	value                []byte
	partition            int32
}

// consume reads topic from the start until it has n records or ctx ends.
func consume(t *testing.T, ctx context.Context, bootstrap, topic string, n int) []record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records: %v", len(out), n, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) {
			rec := record{key: string(r.Key), value: r.Value, partition: r.Partition}
			for _, h := range r.Headers {
				switch h.Key {
				case outbox.HeaderEventID:
					rec.id = string(h.Value)
				case outbox.HeaderTraceparent:
					rec.traceparent = string(h.Value)
				}
			}
			out = append(out, rec)
		})
	}
	return out
}

// newTopic makes a topic of the test's own (kgo, as the relay's producer,
// does not create topics by naming them).
func newTopic(t testing.TB, ctx context.Context, bootstrap string) string {
	t.Helper()
	topic := kafkatest.Name(t)
	if err := events.CreateTopic(ctx, events.Config{Bootstrap: bootstrap, Timeout: 10 * time.Second}, topic, 3); err != nil {
		t.Fatal(err)
	}
	return topic
}

// addTo adds n events for topic over aggregates, ids "<prefix>-0000"...
func addTo(t *testing.T, ctx context.Context, db *store.DB, topic, prefix string, n, aggregates int, tp string) {
	t.Helper()
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			ev := outbox.Event{ID: fmt.Sprintf("%s-%04d", prefix, i), Aggregate: fmt.Sprintf("agg-%d", i%aggregates),
				Topic: topic, Type: "t", Payload: []byte(fmt.Sprint(i))}
			if tp != "" {
				ev.Headers = map[string]string{outbox.HeaderTraceparent: tp}
			}
			if _, err := outbox.Add(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The Kafka publisher: the aggregate is the key (one aggregate, one
// partition, in order), the event id and the traceparent travel as headers.
func TestKafkaPublisher(t *testing.T) {
	db, ctx := setup(t)
	bootstrap := kafkatest.Bootstrap(t)
	topic := newTopic(t, ctx, bootstrap)
	tp := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	addTo(t, ctx, db, topic, "e", 60, 6, tp)
	pub, err := outbox.NewKafkaPublisher(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if res, err := runOnce(t, ctx, db, outbox.NewRelay(db, pub, outbox.RelayConfig{})); err != nil || res.Published != 60 {
		t.Fatalf("%+v, %v", res, err)
	}
	got := consume(t, ctx, bootstrap, topic, 60)
	last := map[string]string{}
	partition := map[string]int32{}
	for _, r := range got {
		if r.traceparent != tp || r.id == "" || !strings.HasPrefix(r.key, "agg-") {
			t.Errorf("record %+v lost its key or headers", r)
		}
		if p, ok := partition[r.key]; ok && p != r.partition {
			t.Errorf("aggregate %s in partitions %d and %d", r.key, p, r.partition)
		}
		partition[r.key] = r.partition
		if r.id <= last[r.key] {
			t.Errorf("aggregate %s: %s after %s", r.key, r.id, last[r.key])
		}
		last[r.key] = r.id
	}
}

// A record the producer will never send (larger than its batch limit) is
// the broker client's permanent refusal: parked, and the rest flows.
func TestKafkaPoisonIsParked(t *testing.T) {
	db, ctx := setup(t)
	bootstrap := kafkatest.Bootstrap(t)
	topic := newTopic(t, ctx, bootstrap)
	addTo(t, ctx, db, topic, "e", 5, 1, "")
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := outbox.Add(ctx, tx, outbox.Event{ID: "huge", Aggregate: "a", Topic: topic, Type: "t", Payload: make([]byte, 4096)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := outbox.NewKafkaPublisher(bootstrap, kgo.ProducerBatchMaxBytes(1024))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	res, err := runOnce(t, ctx, db, outbox.NewRelay(db, pub, outbox.RelayConfig{}))
	if err != nil || res.Published != 5 || res.Parked != 1 {
		t.Fatalf("%+v, %v; want 5 published, 1 parked", res, err)
	}
	if why := parkedErrors(t, ctx, db)["huge"]; !strings.Contains(why, "poison") || !strings.Contains(why, "MESSAGE_TOO_LARGE") {
		t.Errorf("parked with %q", why)
	}
	consume(t, ctx, bootstrap, topic, 5)
}

// The broker is down (an embedded broker of the test's own, stopped): no
// batch is acknowledged, nothing leaves the outbox; the broker comes back
// on the same address and the relay, still running, delivers everything.
func TestKafkaBrokerDown(t *testing.T) {
	db, ctx := setup(t)
	broker, err := kafka.Start(kafka.Config{})
	if err != nil {
		t.Fatal(err)
	}
	addr := broker.Addr()
	var port int
	fmt.Sscanf(addr[strings.LastIndex(addr, ":")+1:], "%d", &port)
	broker.Close()
	topic := kafkatest.Name(t)
	addTo(t, ctx, db, topic, "e", 20, 4, "")
	// Short client backoffs: the test waits for the reconnect, not for kgo's defaults.
	pub, err := outbox.NewKafkaPublisher(addr, kgo.MetadataMinAge(50*time.Millisecond),
		kgo.RetryBackoffFn(func(int) time.Duration { return 50 * time.Millisecond }))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	failures := make(chan error, 100)
	r := outbox.NewRelay(db, pub, outbox.RelayConfig{BatchSize: 10, PublishTimeout: 300 * time.Millisecond,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		OnError: func(err error) {
			select {
			case failures <- err:
			default:
			}
		}})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	defer func() { stop(); <-done }()
	for range 2 {
		select {
		case err := <-failures:
			if !errors.Is(err, outbox.ErrPublish) {
				t.Errorf("a failed batch said %v", err)
			}
		case <-ctx.Done():
			t.Fatal("no batch failed while the broker was down")
		}
	}
	if n := backlog(t, ctx, db); n != 20 {
		t.Fatalf("backlog %d while the broker is down, want 20", n)
	}
	back, err := kafka.Start(kafka.Config{Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if err := events.CreateTopic(ctx, events.Config{Bootstrap: addr, Timeout: 10 * time.Second}, topic, 3); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the outbox to drain", func() bool { return backlog(t, ctx, db) == 0 })
	consume(t, ctx, addr, topic, 20)
}
