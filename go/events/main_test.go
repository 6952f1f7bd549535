package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"

	"twinbook/events"
	"twinbook/kafka/kafkatest"
)

// TestMain fails the run if any test leaves a goroutine behind: every
// client a test makes must be closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// deadline bounds every wait of a test; real Kafka's first group join and
// first transaction take seconds, so it is generous.
const deadline = 30 * time.Second

// setup returns the broker's config and a context that ends with the test.
func setup(t *testing.T) (events.Config, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	return events.Config{Bootstrap: kafkatest.Bootstrap(t), Timeout: 10 * time.Second},
		ctx
}

// name is unique per test and per run (kafkatest.Name), so tests never
// share a topic or a group, on a shared broker either.
func name(t *testing.T, what string) string {
	return kafkatest.Name(t) + "-" + what
}

func topic(t *testing.T, c events.Config, ctx context.Context, what string,
	partitions int32) string {
	t.Helper()
	tp := name(t, what)
	if err := events.CreateTopic(ctx, c, tp, partitions); err != nil {
		t.Fatal(err)
	}
	return tp
}

// produce writes values with key "k" (one partition topics keep order).
func produce(t *testing.T, c events.Config, ctx context.Context, tp string,
	values ...string) {
	t.Helper()
	cl, err := events.NewProducer(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	msgs := make([]events.Message, len(values))
	for i, v := range values {
		msgs[i] = events.Message{Key: "k", Value: []byte(v)}
	}
	if _, err := events.ProduceKeyed(ctx, cl, tp, msgs...); err != nil {
		t.Fatal(err)
	}
}

// readUntil reads tp from the start, outside any group, until a record
// with value last, and returns every value it read (last included).
func readUntil(t *testing.T, c events.Config, ctx context.Context, tp, last string,
	committed bool) []*kgo.Record {
	t.Helper()
	opts := []kgo.Opt{kgo.SeedBrokers(c.Bootstrap), kgo.ConsumeTopics(tp),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if committed {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var got []*kgo.Record
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s: no %q within the deadline; read %d records", tp, last, len(got))
		}
		for _, r := range fetches.Records() {
			got = append(got, r)
			if string(r.Value) == last {
				return got
			}
		}
	}
}

// readAll reads tp from the start, outside any group, until n records.
func readAll(t *testing.T, c events.Config, ctx context.Context, tp string,
	n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Bootstrap), kgo.ConsumeTopics(tp),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var got []*kgo.Record
	for len(got) < n {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s: read %d records of %d within the deadline", tp, len(got), n)
		}
		got = append(got, fetches.Records()...)
	}
	return got
}

func values(recs []*kgo.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Value)
	}
	return out
}

// waitFor polls cond until it holds or the test's context ends.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-tick.C:
		}
	}
}
