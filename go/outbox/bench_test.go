package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"twinbook/kafka/kafkatest"
	"twinbook/outbox"

	"twinbook/store/storetest"
)

// BenchmarkRelay measures the relay from the store into memory (no broker:
// the store's side alone), batched against one event per transaction;
// ns/op is per event, and "events/s" is reported. Each round adds b.N
// events first (outside the timer), then relays them all.
func BenchmarkRelay(b *testing.B) {
	for _, batch := range []int{100, 1} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			benchRelay(b, batch, &outbox.MemoryPublisher{}, "t")
		})
	}
}

// BenchmarkRelayKafka is BenchmarkRelay into Kafka: chapter 4's embedded
// kfake, or the broker TWINBOOK_KAFKA names, through the relay's
// KafkaPublisher (idempotent producer, acks from every in-sync replica), so
// each batch waits for the broker's acknowledgement before its rows are
// deleted. Batched (100 and 1000 a transaction) against one event per
// transaction; ns/op is per event, and "events/s" is reported. The store is
// SQLite, or PostgreSQL when TWINBOOK_PG names a server.
func BenchmarkRelayKafka(b *testing.B) {
	bootstrap := kafkatest.Bootstrap(b)
	for _, batch := range []int{1000, 100, 1} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			pub, err := outbox.NewKafkaPublisher(bootstrap)
			if err != nil {
				b.Fatal(err)
			}
			defer pub.Close()
			benchRelay(b, batch, pub, newTopic(b, context.Background(), bootstrap))
		})
	}
}

// benchRelay adds b.N events (outside the timer), then times the relay
// publishing them all through pub, batch events a transaction.
func benchRelay(b *testing.B, batch int, pub outbox.Publisher, topic string) {
	ctx := context.Background()
	db := storetest.Open(b)
	if err := outbox.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range b.N {
			ev := outbox.Event{ID: fmt.Sprintf("e%09d", i), Aggregate: fmt.Sprint(i % 100), Topic: topic, Type: "t", Payload: make([]byte, 100)}
			if _, err := outbox.Add(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	r := outbox.NewRelay(db, pub, outbox.RelayConfig{BatchSize: batch})
	settle(b, ctx, db) // a shared server's other transactions, not the relay's time
	b.ResetTimer()
	published := 0
	for published < b.N {
		res, err := r.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if res.Claimed == 0 {
			b.Fatalf("the relay claimed nothing with %d events left", b.N-published)
		}
		published += res.Published
	}
	b.StopTimer()
	if n, err := outbox.Backlog(ctx, db); err != nil || n != 0 {
		b.Fatalf("%d events left in the outbox (%v)", n, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
