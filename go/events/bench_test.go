package events_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/events"
	"twinbook/kafka/kafkatest"
)

// benchSetup is setup for benchmarks: the broker, its config, a context.
func benchSetup(b *testing.B) (events.Config, context.Context) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return events.Config{Bootstrap: kafkatest.Bootstrap(b)}, ctx
}

// benchTopic makes a topic of three partitions and writes one record to
// it: a new topic on real Kafka takes a moment to get leaders, which must
// not count as the first round's time.
func benchTopic(b *testing.B, c events.Config, ctx context.Context, what string) string {
	b.Helper()
	tp := kafkatest.Name(b) + "-" + what
	if err := events.CreateTopic(ctx, c, tp, 3); err != nil {
		b.Fatal(err)
	}
	fill(b, c, ctx, tp, 1)
	return tp
}

// fill writes n records of 100 bytes over 100 keys, 1000 at a time.
func fill(b *testing.B, c events.Config, ctx context.Context, tp string, n int) {
	b.Helper()
	cl, err := events.NewProducer(ctx, c)
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	value := make([]byte, 100)
	for start := 0; start < n; start += 1000 {
		msgs := make([]events.Message, 0, 1000)
		for i := start; i < min(n, start+1000); i++ {
			msgs = append(msgs, events.Message{Key: fmt.Sprint("key-", i%100), Value: value})
		}
		if _, err := events.ProduceKeyed(ctx, cl, tp, msgs...); err != nil {
			b.Fatal(err)
		}
	}
}

func perSecond(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkProduce is the keyed, idempotent producer's throughput: b.N
// records of 100 bytes, waited for 1000 at a time.
func BenchmarkProduce(b *testing.B) {
	c, ctx := benchSetup(b)
	tp := benchTopic(b, c, ctx, "produce")
	b.ResetTimer()
	fill(b, c, ctx, tp, b.N)
	perSecond(b)
}

// BenchmarkConsume is one group member reading b.N records that were there
// before it joined (the join and the first fetch are not timed), with one
// commit at the end.
func BenchmarkConsume(b *testing.B) {
	c, ctx := benchSetup(b)
	tp := benchTopic(b, c, ctx, "consume")
	fill(b, c, ctx, tp, b.N)
	m, err := events.Join(ctx, events.GroupConfig{Config: c,
		Group: kafkatest.Name(b), Topics: []string{tp}})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	last, err := m.Poll(ctx)
	if err != nil {
		b.Fatal(err)
	}
	got := len(last)
	first := got
	b.ResetTimer()
	for got < b.N+1 { // the warm-up record too
		recs, err := m.Poll(ctx)
		if err != nil {
			b.Fatal(err)
		}
		got += len(recs)
		last = recs
	}
	if err := m.Commit(ctx, last...); err != nil {
		b.Fatal(err)
	}
	// The records that came in the untimed first fetch do not count.
	b.ReportMetric(float64(got-first)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPipeline is consume-transform-produce in each mode: batched
// transactions (exactly-once), no transactions (at-least-once), and one
// transaction per record. records/s counts input records.
func BenchmarkPipeline(b *testing.B) {
	identity := func(r *kgo.Record) ([]events.Message, error) {
		return []events.Message{{Key: string(r.Key), Value: r.Value}}, nil
	}
	for _, mode := range []events.Mode{events.Batched, events.Plain, events.PerMessage} {
		b.Run(string(mode), func(b *testing.B) {
			c, ctx := benchSetup(b)
			in, out := benchTopic(b, c, ctx, "in"), benchTopic(b, c, ctx, "out")
			p, err := events.NewPipeline(ctx, events.PipelineConfig{Config: c,
				Group: kafkatest.Name(b), Input: in, Output: out,
				TransactionalID: kafkatest.Name(b), Mode: mode})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			// The group's join and the first transaction are not the rounds'.
			for done := 0; done < 1; {
				n, err := p.Step(ctx, identity)
				if err != nil {
					b.Fatal(err)
				}
				done += n
			}
			fill(b, c, ctx, in, b.N)
			b.ResetTimer()
			for done := 0; done < b.N; {
				n, err := p.Step(ctx, identity)
				if err != nil {
					b.Fatal(err)
				}
				done += n
			}
			perSecond(b)
		})
	}
}
