package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultTopic is the topic Confluent's registry keeps its log in.
const DefaultTopic = "_schemas"

// ErrKafkaUnavailable is wrapped by the errors of OpenKafka when the broker
// does not answer within the timeout: the registry refuses to start rather
// than serve a state it could not read.
var ErrKafkaUnavailable = errors.New("registry: kafka unavailable")

// KafkaStore keeps the log in a compacted topic of one partition, as
// Confluent's registry does: each record's key is what it is about (a
// subject's version, a config), so compaction keeps the latest record per
// key and the topic still replays to the same state. One registry writes
// to a topic at a time (there is no leader election here).
type KafkaStore struct {
	client    *kgo.Client
	admin     *kadm.Client
	bootstrap string
	topic     string
	timeout   time.Duration
}

// KafkaConfig says where the log is.
type KafkaConfig struct {
	// Bootstrap is a broker's host:port.
	Bootstrap string
	// Topic defaults to DefaultTopic.
	Topic string
	// Timeout bounds opening, each write and the load (default 10s).
	Timeout time.Duration
}

// OpenKafka connects to the broker and creates the topic if it is missing
// (cleanup.policy=compact, 1 partition, replication factor 1). A broker
// that does not answer within the timeout gives ErrKafkaUnavailable.
func OpenKafka(ctx context.Context, cfg KafkaConfig) (*KafkaStore, error) {
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	client, err := kgo.NewClient(
		kgo.SeedBrokers(cfg.Bootstrap),
		kgo.DefaultProduceTopic(cfg.Topic),
		// One partition: the log's order is the registry's history.
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordDeliveryTimeout(max(cfg.Timeout, time.Second)), // kgo refuses less than 1s
		kgo.DialTimeout(cfg.Timeout),
		kgo.RetryTimeout(cfg.Timeout),
		kgo.ProducerLinger(0),
	)
	if err != nil {
		return nil, fmt.Errorf("registry: kafka client for %s: %w", cfg.Bootstrap, err)
	}
	s := &KafkaStore{client: client, admin: kadm.NewClient(client), bootstrap: cfg.Bootstrap, topic: cfg.Topic, timeout: cfg.Timeout}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	compact := "compact"
	_, err = s.admin.CreateTopic(ctx, 1, 1, map[string]*string{"cleanup.policy": &compact}, cfg.Topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		client.Close()
		var refused *kerr.Error
		if errors.As(err, &refused) { // the broker answered, and said no
			return nil, fmt.Errorf("registry: create topic %s on %s: %w", cfg.Topic, cfg.Bootstrap, err)
		}
		return nil, fmt.Errorf("%w: %s (waited up to %s): %v", ErrKafkaUnavailable, cfg.Bootstrap, cfg.Timeout, err)
	}
	return s, nil
}

// Topic returns the topic the log is in.
func (s *KafkaStore) Topic() string { return s.topic }

// Load implements Store: it reads the topic from its start to the end
// offset it had when Load began, with a client of its own that it closes.
func (s *KafkaStore) Load(ctx context.Context, apply func(Record) error) error {
	end, err := s.endOffset(ctx)
	if err != nil {
		return err
	}
	if end.Offset == 0 {
		return nil
	}
	consumer, err := kgo.NewClient(
		kgo.SeedBrokers(s.bootstrap),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{s.topic: {0: kgo.NewOffset().AtStart()}}),
		kgo.DialTimeout(s.timeout),
	)
	if err != nil {
		return fmt.Errorf("registry: kafka consumer for %s: %w", s.bootstrap, err)
	}
	defer consumer.Close()
	for {
		fetches := consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("registry: reading %s to offset %d: %w", s.topic, end.Offset, err)
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return fmt.Errorf("registry: reading %s: %w", s.topic, errs[0].Err)
		}
		done := false
		var applyErr error
		fetches.EachRecord(func(r *kgo.Record) {
			if done || applyErr != nil {
				return
			}
			if r.Offset >= end.Offset {
				done = true
				return
			}
			key, err := ParseKey(r.Key)
			if err != nil {
				applyErr = err
				return
			}
			applyErr = apply(Record{Key: key, Value: r.Value})
			if r.Offset == end.Offset-1 {
				done = true
			}
		})
		if applyErr != nil {
			return fmt.Errorf("registry: replaying %s: %w", s.topic, applyErr)
		}
		if done {
			return nil
		}
	}
}

// endOffset returns the topic's end offset. A topic just created may not
// be known yet to the broker that leads it (real Kafka propagates metadata
// after CreateTopics answers): it asks again until ctx ends.
func (s *KafkaStore) endOffset(ctx context.Context) (kadm.ListedOffset, error) {
	for {
		ends, err := s.admin.ListEndOffsets(ctx, s.topic)
		if err != nil {
			return kadm.ListedOffset{}, fmt.Errorf("%w: end offset of %s: %v", ErrKafkaUnavailable, s.topic, err)
		}
		end, ok := ends.Lookup(s.topic, 0)
		switch {
		case ok && end.Err == nil:
			return end, nil
		case ok && !errors.Is(end.Err, kerr.UnknownTopicOrPartition) && !errors.Is(end.Err, kerr.LeaderNotAvailable) &&
			!errors.Is(end.Err, kerr.NotLeaderForPartition):
			return end, fmt.Errorf("registry: end offset of %s partition 0: %w", s.topic, end.Err)
		}
		select {
		case <-ctx.Done():
			return end, fmt.Errorf("%w: end offset of %s: %v", ErrKafkaUnavailable, s.topic, ctx.Err())
		case <-time.After(50 * time.Millisecond): // a retry's pace; the loop polls
		}
	}
}

// Append implements Store: the records are produced in order and Append
// returns when every broker in sync has them (acks=all).
func (s *KafkaStore) Append(ctx context.Context, recs ...Record) error {
	krecs := make([]*kgo.Record, len(recs))
	for i, rec := range recs {
		krecs[i] = &kgo.Record{Topic: s.topic, Partition: 0, Key: rec.Key.MarshalKey(), Value: rec.Value}
	}
	if err := s.client.ProduceSync(ctx, krecs...).FirstErr(); err != nil {
		return fmt.Errorf("produce to %s: %w", s.topic, err)
	}
	return nil
}

// Close implements Store.
func (s *KafkaStore) Close() error {
	s.client.Close()
	return nil
}
