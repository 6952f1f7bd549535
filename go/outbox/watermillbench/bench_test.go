package watermillbench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"twinbook/events"
	"twinbook/kafka/kafkatest"
	"twinbook/outbox"
	"twinbook/store"
	"twinbook/store/storetest"
)

// BenchmarkWatermillSQLToKafka is the peer of outbox's BenchmarkRelayKafka:
// b.N messages written to watermill-sql's PostgreSQL messages table (one
// transaction, outside the timer), then its subscriber reads them (batch
// 100 a query, its default, as the relay's batch=100) and each is produced
// to Kafka with the same producer the relay uses (outbox.KafkaPublisher:
// idempotent, acks from every in-sync replica) and acked once the broker
// has acknowledged it. ns/op is per message; "events/s" is reported.
// PostgreSQL only: watermill-sql has no SQLite adapter, so on SQLite the
// benchmark says so and skips.
func BenchmarkWatermillSQLToKafka(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	db := storetest.Open(b)
	if db.Dialect() != store.Postgres {
		b.Skip("watermill-sql needs PostgreSQL (set TWINBOOK_PG)")
	}
	bootstrap := kafkatest.Bootstrap(b)
	topic := kafkatest.Name(b)
	if err := events.CreateTopic(ctx, events.Config{Bootstrap: bootstrap, Timeout: 10 * time.Second}, topic, 3); err != nil {
		b.Fatal(err)
	}
	pub, err := outbox.NewKafkaPublisher(bootstrap)
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()

	schema := wsql.DefaultPostgreSQLSchema{
		GeneratePayloadType: func(string) string { return "BYTEA" }, // the relay's payloads are bytes
		SubscribeBatchSize:  100,
	}
	logger := watermill.NopLogger{}
	beginner := db.DB

	sub, err := wsql.NewSubscriber(beginner, wsql.SubscriberConfig{
		ConsumerGroup:    "bench",
		SchemaAdapter:    schema,
		OffsetsAdapter:   wsql.DefaultPostgreSQLOffsetsAdapter{},
		InitializeSchema: true,
		PollInterval:     time.Millisecond,
	}, logger)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()

	if err := sub.SubscribeInitialize(topic); err != nil { // the tables, before the writes
		b.Fatal(err)
	}

	// The service's side: the messages, written in one transaction as the
	// relay benchmark adds its events.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	writer, err := wsql.NewPublisher(tx, wsql.PublisherConfig{SchemaAdapter: schema}, logger)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i += 1000 {
		msgs := make([]*message.Message, 0, 1000)
		for j := i; j < min(b.N, i+1000); j++ {
			m := message.NewMessage(fmt.Sprintf("e%09d", j), make([]byte, 100))
			m.Metadata.Set("aggregate", fmt.Sprint(j%100))
			msgs = append(msgs, m)
		}
		if err := writer.Publish(topic, msgs...); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	in, err := sub.Subscribe(ctx, topic)
	if err != nil {
		b.Fatal(err)
	}
	for delivered := 0; delivered < b.N; delivered++ {
		var m *message.Message
		select {
		case m = <-in:
		case <-ctx.Done():
			b.Fatalf("%d of %d messages delivered: %v", delivered, b.N, ctx.Err())
		}
		ev := outbox.Event{ID: m.UUID, Aggregate: m.Metadata.Get("aggregate"), Topic: topic, Type: "t", Payload: m.Payload}
		if errs := pub.Publish(ctx, []outbox.Event{ev}); errs[0] != nil {
			b.Fatal(errs[0])
		}
		m.Ack()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
