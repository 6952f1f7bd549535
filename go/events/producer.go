package events

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Message is a key and a value; records with the same key keep their order.
type Message struct {
	Key   string
	Value []byte
}

// Delivered says where the broker wrote a message.
type Delivered struct {
	Key       string
	Partition int32
	Offset    int64
}

// docs:start events-producer

// NewProducer makes a producer for the chapter: acks from every in-sync
// replica, and idempotent (kgo's default; it needs acks=all): the broker
// numbers each partition's batches by producer id and sequence, so a
// retried batch is written once and never overtakes the batch before it,
// which keeps per-key order with up to five requests in flight. The
// default partitioner hashes keys with murmur2 ([Partition]).
func NewProducer(ctx context.Context, c Config, opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{kgo.RequiredAcks(kgo.AllISRAcks())}
	return connect(ctx, c, append(base, opts...)...)
}

// docs:end events-producer

// docs:start events-produce-keyed

// ProduceKeyed writes msgs to topic in order and waits for every one,
// returning where each went (same order as msgs).
func ProduceKeyed(ctx context.Context, cl *kgo.Client, topic string,
	msgs ...Message) ([]Delivered, error) {
	recs := make([]*kgo.Record, len(msgs))
	for i, m := range msgs {
		recs[i] = &kgo.Record{Topic: topic, Key: []byte(m.Key), Value: m.Value}
	}
	// Results come in the order the broker acknowledged them; each
	// record, finished, knows its partition and offset.
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return nil, fmt.Errorf("events: produce to %s: %w", topic, err)
	}
	out := make([]Delivered, len(msgs))
	for i, r := range recs {
		out[i] = Delivered{msgs[i].Key, r.Partition, r.Offset}
	}
	return out, nil
}

// docs:end events-produce-keyed
