// Package tracing follows one order across chapter 5's asynchronous flow
// with OpenTelemetry: the HTTP request that writes the order and its outbox
// row, the relay that publishes the row to Kafka, and the consumer that
// applies it through an inbox, all in one trace. W3C Trace Context's
// "traceparent" is what crosses each gap: the request's span context goes
// into the outbox row's headers ([Headers]), the relay's producer span
// replaces it in the Kafka message's headers ([Publisher]), and the
// consumer's span continues from there ([Consumer]).
//
// It is a package of its own, beside twinbook/outbox and twinbook/inbox,
// rather than files inside them: those two stay free of OpenTelemetry (the
// outbox only carries headers, and its [outbox.Publisher] interface is the
// hook a decorator needs), so a reader of chapter 5 meets the outbox before
// the tracing, and a program that does not trace does not link the SDK.
//
// The spans follow OpenTelemetry's messaging semantic conventions: the
// relay's span is of kind producer, named "send <topic>", a child of the
// request's span; the consumer's is of kind consumer, named
// "process <topic>", a child of the producer span (one message processed at
// a time) that also links to it. Both carry messaging.system "kafka",
// messaging.destination.name, messaging.operation.{name,type},
// messaging.message.id (the outbox event id) and messaging.kafka.message.key
// (the aggregate).
//
// One concern per file:
//
//   - propagate.go: [Headers] and [Extract], traceparent in and out of
//     header maps and Kafka record headers.
//   - http.go: [Middleware], the request's server span.
//   - publisher.go: [Publisher], the relay's producer spans around any
//     [outbox.Publisher].
//   - consumer.go: [Consumer], the consumer span around an inbox's Process.
//   - metrics.go: [ObserveOutbox] and [ObserveInbox], the backlog, lag and
//     duplicates as OpenTelemetry metrics.
//   - timeline.go: [Timeline], finished spans as rows for a plot.
//
// Python's twinbook.tracing has the same concepts under the same names.
package tracing

import "go.opentelemetry.io/otel/trace"

// ScopeName is the instrumentation scope of every span and metric the
// package makes.
const ScopeName = "twinbook/tracing"

// tracer returns the package's tracer from tp, or from the global provider
// when tp is nil.
func tracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		return otelTracerProvider().Tracer(ScopeName)
	}
	return tp.Tracer(ScopeName)
}
