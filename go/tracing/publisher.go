package tracing

import (
	"context"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"twinbook/outbox"
)

// Publisher is an [outbox.Publisher] that traces another: each event gets a
// producer span "send <topic>", a child of the span context in the event's
// own "traceparent" header (the request that wrote the row; the relay's ctx
// when the row has none), and the message goes out with that producer
// span's traceparent instead, so the consumer's span becomes its child. A
// publish error marks the span as an error; a redelivered event gets a
// second producer span in the same trace.
type Publisher struct {
	next   outbox.Publisher
	tracer trace.Tracer
}

// NewPublisher wraps next; tp nil means the global tracer provider.
func NewPublisher(next outbox.Publisher, tp trace.TracerProvider) *Publisher {
	return &Publisher{next: next, tracer: tracer(tp)}
}

// Publish starts a span per event, publishes the events with the spans'
// traceparents through the wrapped publisher, and ends each span with that
// event's verdict.
func (p *Publisher) Publish(ctx context.Context, events []outbox.Event) []error {
	spans := make([]trace.Span, len(events))
	sent := make([]outbox.Event, len(events))
	for i, ev := range events {
		parent := ctx
		if _, ok := ev.Headers["traceparent"]; ok {
			parent = w3c.Extract(ctx, mapCarrier(ev.Headers))
		}
		sctx, span := p.tracer.Start(parent, "send "+ev.Topic, trace.WithSpanKind(trace.SpanKindProducer),
			trace.WithAttributes(semconv.MessagingSystemKafka,
				semconv.MessagingDestinationName(ev.Topic),
				semconv.MessagingOperationName("send"),
				semconv.MessagingOperationTypeSend,
				semconv.MessagingMessageID(ev.ID),
				semconv.MessagingKafkaMessageKey(ev.Aggregate),
				semconv.MessagingMessageBodySize(len(ev.Payload))))
		spans[i] = span
		ev.Headers = inject(sctx, ev.Headers)
		sent[i] = ev
	}
	errs := p.next.Publish(ctx, sent)
	for i, span := range spans {
		if i < len(errs) && errs[i] != nil {
			span.RecordError(errs[i])
			span.SetStatus(codes.Error, errs[i].Error())
		}
		span.End()
	}
	return errs
}
