package tracing_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"twinbook/events"
	"twinbook/inbox"
	"twinbook/kafka/kafkatest"
	"twinbook/outbox"
	"twinbook/store"
	"twinbook/store/storetest"
	"twinbook/tracing"
)

// deadline bounds every wait of a test.
const deadline = 60 * time.Second

// provider returns a tracer provider that exports each span, synchronously,
// to the in-memory exporter it also returns.
func provider(t *testing.T) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp
}

// setup returns a fresh store with the outbox, the inbox and a table
// "orders" (and "payments", the consumer's effect), and a context that
// ends with the test.
func setup(t *testing.T) (*store.DB, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	db := storetest.Open(t)
	if err := outbox.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := inbox.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`CREATE TABLE orders (id TEXT PRIMARY KEY)`, `CREATE TABLE payments (order_id TEXT PRIMARY KEY)`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return db, ctx
}

// orderHandler saves the order named by the path's last part with its
// "order.placed" event, carrying the request's trace, in one transaction.
func orderHandler(db *store.DB, topic string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		err := db.InTx(r.Context(), func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(r.Context(), db.Rebind(`INSERT INTO orders (id) VALUES (?)`), id); err != nil {
				return err
			}
			_, err := outbox.Add(r.Context(), tx, outbox.Event{ID: "ev-" + id, Aggregate: id, Topic: topic,
				Type: "order.placed", Payload: []byte(id), Headers: tracing.Headers(r.Context())})
			return err
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
}

// consumeAll reads n records of topic from its start.
func consumeAll(t *testing.T, ctx context.Context, bootstrap, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records: %v", len(out), n, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}

// drain runs relay until it has published n events. On PostgreSQL a
// committed row stays out of the relay's reach while any older transaction
// of the shared test cluster is open (the outbox's commit-order gap), so
// one batch may not see them all.
func drain(t *testing.T, ctx context.Context, relay *outbox.Relay, n int) {
	t.Helper()
	published := 0
	for published < n {
		res, err := relay.RunOnce(ctx)
		if err != nil {
			t.Fatalf("relay: %+v, %v", res, err)
		}
		published += res.Published
		if res.Published == 0 {
			select {
			case <-ctx.Done():
				t.Fatalf("relay published %d of %d events", published, n)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	if published != n {
		t.Fatalf("relay published %d events, want %d", published, n)
	}
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) string {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value.String()
		}
	}
	return "<absent>"
}

// One trace per order, across HTTP -> outbox row -> relay -> Kafka ->
// consumer and inbox: every order's request, producer and consumer spans
// share a trace id and chain parent to child, with the kinds and
// attributes of the messaging conventions; a redelivered message gets a
// consumer span of its own in the same trace, marked as a duplicate; a
// caller's own traceparent is continued.
func TestOneTracePerOrder(t *testing.T) {
	db, ctx := setup(t)
	tp, exp := provider(t)
	bootstrap := kafkatest.Bootstrap(t)
	topic := kafkatest.Name(t)
	if err := events.CreateTopic(ctx, events.Config{Bootstrap: bootstrap, Timeout: 10 * time.Second}, topic, 3); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(tracing.Middleware(tp, "/orders/{id}", orderHandler(db, topic)))
	defer srv.Close()

	orders := []string{"o1", "o2", "o3", "o4"}
	callerTrace := "4bf92f3577b34da6a3ce929d0e0e4736"
	for i, id := range orders {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/orders/"+id, nil)
		if i == 0 { // a caller that traces: its trace goes on
			req.Header.Set("traceparent", "00-"+callerTrace+"-00f067aa0ba902b7-01")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %s", id, resp.Status)
		}
	}

	kp, err := outbox.NewKafkaPublisher(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	defer kp.Close()
	relay := outbox.NewRelay(db, tracing.NewPublisher(kp, tp), outbox.RelayConfig{})
	drain(t, ctx, relay, len(orders))

	in := inbox.New(db, "payments")
	consumer := tracing.NewConsumer(tp, "payments")
	recs := consumeAll(t, ctx, bootstrap, topic, len(orders))
	redelivered := recs[0]
	for _, rec := range recs {
		if string(rec.Key) == "o1" {
			redelivered = rec
		}
	}
	for i, rec := range append(recs, redelivered) { // o1's twice: a redelivery
		id := string(rec.Key)
		fresh, err := consumer.Process(ctx, in, rec, func(ctx context.Context, tx *sql.Tx) error {
			if !trace.SpanContextFromContext(ctx).IsValid() {
				return fmt.Errorf("the effect of %s runs outside the consumer span", id)
			}
			_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO payments (order_id) VALUES (?)`), id)
			return err
		})
		if err != nil || fresh != (i < len(recs)) {
			t.Fatalf("record %d (%s): fresh %v, %v", i, id, fresh, err)
		}
	}

	spans := exp.GetSpans().Snapshots()
	byTrace := map[trace.TraceID][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byTrace[s.SpanContext().TraceID()] = append(byTrace[s.SpanContext().TraceID()], s)
	}
	if len(byTrace) != len(orders) {
		t.Fatalf("%d traces for %d orders", len(byTrace), len(orders))
	}
	for _, id := range orders {
		var server, producer sdktrace.ReadOnlySpan
		var consumers []sdktrace.ReadOnlySpan
		for _, s := range spans {
			switch {
			case s.SpanKind() == trace.SpanKindServer && attr(s, "url.path") == "/orders/"+id:
				server = s
			case s.SpanKind() == trace.SpanKindProducer && attr(s, "messaging.kafka.message.key") == id:
				producer = s
			case s.SpanKind() == trace.SpanKindConsumer && attr(s, "messaging.kafka.message.key") == id:
				consumers = append(consumers, s)
			}
		}
		if server == nil || producer == nil || len(consumers) == 0 {
			t.Fatalf("order %s: server %v, producer %v, %d consumer spans", id, server != nil, producer != nil, len(consumers))
		}
		tid := server.SpanContext().TraceID()
		if len(byTrace[tid]) != 2+len(consumers) {
			t.Errorf("order %s: trace %s has %d spans, want %d", id, tid, len(byTrace[tid]), 2+len(consumers))
		}
		if id == "o1" && (tid.String() != callerTrace || len(consumers) != 2) {
			t.Errorf("order o1: trace %s (want the caller's %s), %d consumer spans (want 2)", tid, callerTrace, len(consumers))
		}
		if producer.Parent().SpanID() != server.SpanContext().SpanID() || producer.SpanContext().TraceID() != tid {
			t.Errorf("order %s: the producer span is not the request span's child", id)
		}
		if server.Name() != "POST /orders/{id}" || attr(server, "http.response.status_code") != "201" {
			t.Errorf("order %s: server span %q, status %s", id, server.Name(), attr(server, "http.response.status_code"))
		}
		wantProducer := map[attribute.Key]string{"messaging.system": "kafka", "messaging.destination.name": topic,
			"messaging.operation.type": "send", "messaging.operation.name": "send", "messaging.message.id": "ev-" + id}
		for k, v := range wantProducer {
			if got := attr(producer, k); got != v {
				t.Errorf("order %s: producer %s = %q, want %q", id, k, got, v)
			}
		}
		if producer.Name() != "send "+topic {
			t.Errorf("producer span named %q", producer.Name())
		}
		for i, c := range consumers {
			if c.Parent().SpanID() != producer.SpanContext().SpanID() || !c.Parent().IsRemote() || c.SpanContext().TraceID() != tid {
				t.Errorf("order %s: consumer span %d is not the producer span's child", id, i)
			}
			if len(c.Links()) != 1 || c.Links()[0].SpanContext.SpanID() != producer.SpanContext().SpanID() {
				t.Errorf("order %s: consumer span %d does not link to the producer span", id, i)
			}
			wantConsumer := map[attribute.Key]string{"messaging.system": "kafka", "messaging.destination.name": topic,
				"messaging.operation.type": "process", "messaging.consumer.group.name": "payments",
				"messaging.message.id": "ev-" + id, "twinbook.inbox.duplicate": fmt.Sprint(i > 0)}
			for k, v := range wantConsumer {
				if got := attr(c, k); got != v {
					t.Errorf("order %s: consumer span %d %s = %q, want %q", id, i, k, got, v)
				}
			}
		}
	}
	if in.Duplicates() != 1 || in.Applied() != int64(len(orders)) {
		t.Errorf("inbox: %d applied, %d duplicates", in.Applied(), in.Duplicates())
	}
	rows := tracing.Timeline(spans)
	if len(rows) != len(spans) || rows[0].Kind != "server" || rows[len(rows)-1].Kind != "consumer" {
		t.Errorf("timeline: %d rows, first %+v, last %+v", len(rows), rows[0], rows[len(rows)-1])
	}
}
