package events

import (
	"context"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The headers of a dead letter: why it failed and where it came from.
const (
	HeaderError     = "dlq.error"
	HeaderTopic     = "dlq.topic"
	HeaderPartition = "dlq.partition"
	HeaderOffset    = "dlq.offset"
)

// DLQTopic is where records of topic that cannot be processed go.
func DLQTopic(topic string) string { return topic + ".dlq" }

// docs:start events-dead-letter

// DeadLetter is r on its way to the dead-letter topic: the same key, value
// and headers, plus the error and r's origin, so that someone can find the
// cause, fix it and replay the record to its topic.
func DeadLetter(r *kgo.Record, cause error) *kgo.Record {
	headers := append(r.Headers[:len(r.Headers):len(r.Headers)],
		kgo.RecordHeader{Key: HeaderError, Value: []byte(cause.Error())},
		kgo.RecordHeader{Key: HeaderTopic, Value: []byte(r.Topic)},
		kgo.RecordHeader{Key: HeaderPartition,
			Value: []byte(strconv.Itoa(int(r.Partition)))},
		kgo.RecordHeader{Key: HeaderOffset,
			Value: []byte(strconv.FormatInt(r.Offset, 10))})
	return &kgo.Record{Topic: DLQTopic(r.Topic), Key: r.Key, Value: r.Value,
		Headers: headers}
}

// docs:end events-dead-letter

// docs:start events-consume-dlq

// ConsumeWithDLQ is at-least-once consuming where a record that handle
// rejects does not stop the partition behind it: it is written to the
// dead-letter topic (and that write confirmed) before its offset is
// committed, and consuming goes on. It returns when ctx ends.
func ConsumeWithDLQ(ctx context.Context, m *Member, handle Handler) error {
	for ctx.Err() == nil {
		recs, err := m.Poll(ctx)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if herr := handle(r); herr != nil {
				if err := m.deadLetter(ctx, DeadLetter(r, herr)); err != nil {
					return err
				}
			}
			if err := m.Commit(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// docs:end events-consume-dlq

// deadLetter writes dl and waits for it, like a commit, even after ctx is
// cancelled (within the timeout).
func (m *Member) deadLetter(ctx context.Context, dl *kgo.Record) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.timeout)
	defer cancel()
	if err := m.cl.ProduceSync(ctx, dl).FirstErr(); err != nil {
		return fmt.Errorf("events: dead letter to %s: %w", dl.Topic, err)
	}
	return nil
}
