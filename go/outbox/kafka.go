package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaPublisher publishes to a Kafka broker (chapter 4's embedded kfake or a real
// one) through a kgo producer that is idempotent with acks from every
// in-sync replica: a retried produce request is written once, and a
// partition's records keep their order. The key is the event's aggregate.
type KafkaPublisher struct {
	client *kgo.Client
}

// NewKafkaPublisher connects a producer to bootstrap; opts are more kgo options.
func NewKafkaPublisher(bootstrap string, opts ...kgo.Opt) (*KafkaPublisher, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(bootstrap),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0),
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("outbox: kafka producer: %w", err)
	}
	return &KafkaPublisher{client: cl}, nil
}

// Close flushes nothing (Publish waits for every record) and disconnects.
func (k *KafkaPublisher) Close() { k.client.Close() }

// poison are the broker's answers that no retry changes.
var poison = []error{
	kerr.MessageTooLarge, kerr.RecordListTooLarge, kerr.InvalidTopicException,
	kerr.TopicAuthorizationFailed, kerr.InvalidRecord, kerr.CorruptMessage,
}

// Publish produces every event and waits for each acknowledgement (or for
// ctx to end: the events not acknowledged by then fail, transiently).
func (k *KafkaPublisher) Publish(ctx context.Context, events []Event) []error {
	recs := make([]*kgo.Record, len(events))
	for i, ev := range events {
		hs := make([]kgo.RecordHeader, 0, len(ev.Headers)+2)
		hs = append(hs, kgo.RecordHeader{Key: HeaderEventID, Value: []byte(ev.ID)},
			kgo.RecordHeader{Key: HeaderEventType, Value: []byte(ev.Type)})
		for name, v := range ev.Headers {
			hs = append(hs, kgo.RecordHeader{Key: name, Value: []byte(v)})
		}
		recs[i] = &kgo.Record{Topic: ev.Topic, Key: []byte(ev.Aggregate), Value: ev.Payload, Headers: hs}
	}
	index := make(map[*kgo.Record]int, len(recs))
	for i, r := range recs {
		index[r] = i
	}
	errs := make([]error, len(events))
	// Results arrive in the order the broker answered, not the batch's.
	for _, res := range k.client.ProduceSync(ctx, recs...) {
		if res.Err == nil {
			continue
		}
		err := fmt.Errorf("outbox: produce %s: %w", events[index[res.Record]].ID, res.Err)
		for _, p := range poison {
			if errors.Is(res.Err, p) {
				err = fmt.Errorf("%w: %w", ErrPoison, err)
				break
			}
		}
		errs[index[res.Record]] = err
	}
	return errs
}
