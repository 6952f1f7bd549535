"""The relay's producer spans, around any outbox publisher."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from twinbook.outbox import Event
from twinbook.outbox import Publisher as OutboxPublisher

from .propagate import W3C, inject, tracer


class Publisher:
    """An outbox publisher that traces another: each event gets a producer span
    ``send <topic>``, a child of the span context in the event's own ``traceparent``
    (the request that wrote the row; none: a trace of its own), and the message goes
    out with that producer span's traceparent instead, so the consumer's span becomes
    its child. A failed publish marks its span; a redelivered event gets a second
    producer span in the same trace."""

    def __init__(self, inner: OutboxPublisher, tracer_provider: trace.TracerProvider | None = None):
        self.inner = inner
        self._tracer = tracer(tracer_provider)

    def publish(self, events: Sequence[Event], timeout: float) -> list[Exception | None]:
        spans: list[Span] = []
        sent: list[Event] = []
        for event in events:
            span = self._tracer.start_span(
                f"send {event.topic}",
                context=W3C.extract(event.headers),
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": event.topic,
                    "messaging.operation.name": "send",
                    "messaging.operation.type": "send",
                    "messaging.message.id": event.id,
                    "messaging.kafka.message.key": event.aggregate,
                    "messaging.message.body.size": len(event.payload),
                },
            )
            spans.append(span)
            sent.append(
                replace(event, headers=inject(trace.set_span_in_context(span), event.headers))
            )
        try:
            results = self.inner.publish(sent, timeout)
        except BaseException as e:
            for span in spans:
                span.record_exception(e)
                span.set_status(Status(StatusCode.ERROR, str(e)))
                span.end()
            raise
        for span, error in zip(spans, results, strict=False):
            if error is not None:
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, str(error)))
            span.end()
        return results
