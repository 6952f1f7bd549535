package tracing

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"twinbook/inbox"
	"twinbook/outbox"
)

// AttrDuplicate is the consumer span's boolean attribute saying the inbox
// absorbed the message as a redelivery (its effect did not run).
const AttrDuplicate = attribute.Key("twinbook.inbox.duplicate")

// Consumer traces a consumer group's processing of Kafka records.
type Consumer struct {
	tracer trace.Tracer
	group  string
}

// NewConsumer traces for the consumer group group; tp nil means the global
// tracer provider.
func NewConsumer(tp trace.TracerProvider, group string) *Consumer {
	return &Consumer{tracer: tracer(tp), group: group}
}

// Start begins the consumer span "process <topic>" for rec: a child of the
// producer span in rec's "traceparent" (and linked to it, as the messaging
// conventions ask of a process span), or the root of a trace of its own
// when rec has none. The caller ends the span.
func (c *Consumer) Start(ctx context.Context, rec *kgo.Record) (context.Context, trace.Span) {
	parent := Extract(ctx, rec)
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(semconv.MessagingSystemKafka,
			semconv.MessagingDestinationName(rec.Topic),
			semconv.MessagingOperationName("process"),
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingConsumerGroupName(c.group),
			semconv.MessagingDestinationPartitionID(strconv.Itoa(int(rec.Partition))),
			semconv.MessagingKafkaOffset(int(rec.Offset)),
			semconv.MessagingKafkaMessageKey(string(rec.Key)),
			semconv.MessagingMessageID(recordCarrier{rec}.Get(outbox.HeaderEventID)),
			semconv.MessagingMessageBodySize(len(rec.Value)))}
	if sc := trace.SpanContextFromContext(parent); sc.IsRemote() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: sc}))
	}
	return c.tracer.Start(parent, "process "+rec.Topic, opts...)
}

// Process applies rec once through in, inside the consumer span: the
// message id is rec's "event-id" header (the outbox's), effect runs in the
// inbox's transaction with the span's context (for child spans of its
// own). It reports whether effect ran; the span says so too
// ([AttrDuplicate]), and an error marks it as failed.
func (c *Consumer) Process(ctx context.Context, in *inbox.Inbox, rec *kgo.Record,
	effect func(ctx context.Context, tx *sql.Tx) error) (bool, error) {
	ctx, span := c.Start(ctx, rec)
	defer span.End()
	fresh, err := in.Process(ctx, recordCarrier{rec}.Get(outbox.HeaderEventID), func(tx *sql.Tx) error {
		return effect(ctx, tx)
	})
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return false, fmt.Errorf("tracing: process %s/%d@%d: %w", rec.Topic, rec.Partition, rec.Offset, err)
	}
	span.SetAttributes(AttrDuplicate.Bool(!fresh))
	return fresh, nil
}
