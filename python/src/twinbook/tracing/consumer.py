"""The consumer span around an inbox's ``process``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode

from twinbook.inbox import Inbox
from twinbook.outbox import HEADER_EVENT_ID
from twinbook.store import Tx

from .propagate import extract, tracer

ATTR_DUPLICATE = "twinbook.inbox.duplicate"
"""The consumer span's boolean attribute saying the inbox absorbed the message as a
redelivery (its effect did not run)."""


class Record(Protocol):
    """What the consumer reads of a Kafka message: confluent-kafka's ``Message`` is
    one."""

    def topic(self) -> str | None: ...
    def partition(self) -> int | None: ...
    def offset(self) -> int | None: ...
    def key(self) -> str | bytes | None: ...
    def value(self) -> str | bytes | None: ...
    def headers(self) -> Sequence[tuple[str, bytes | str | None]] | None: ...


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def message_id(record: Record) -> str:
    """The record's ``event-id`` header (the outbox's), or "" when it has none."""
    for key, value in record.headers() or ():
        if key == HEADER_EVENT_ID:
            return _text(value)
    return ""


class Consumer:
    """Traces a consumer group's processing of Kafka records."""

    def __init__(self, group: str, tracer_provider: trace.TracerProvider | None = None):
        self.group = group
        self._tracer = tracer(tracer_provider)

    @contextmanager
    def start(self, record: Record) -> Iterator[Span]:
        """The consumer span ``process <topic>`` for ``record``, current inside the
        block: a child of the producer span in the record's ``traceparent`` (and linked
        to it, as the messaging conventions ask of a process span), or the root of a
        trace of its own when there is none. An exception marks it as an error."""
        parent = extract(record.headers())
        remote = trace.get_current_span(parent).get_span_context()
        topic = record.topic() or ""
        with self._tracer.start_as_current_span(
            f"process {topic}",
            context=parent,
            kind=SpanKind.CONSUMER,
            links=[Link(remote)] if remote.is_valid else None,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                "messaging.operation.name": "process",
                "messaging.operation.type": "process",
                "messaging.consumer.group.name": self.group,
                "messaging.destination.partition.id": str(record.partition()),
                "messaging.kafka.offset": record.offset() or 0,
                "messaging.kafka.message.key": _text(record.key()),
                "messaging.message.id": message_id(record),
                "messaging.message.body.size": len(record.value() or b""),
            },
        ) as span:
            yield span

    def process(self, inbox: Inbox, record: Record, effect: Callable[[Tx], object]) -> bool:
        """Apply ``record`` once through ``inbox``, inside the consumer span: the message
        id is its ``event-id`` header, ``effect`` runs in the inbox's transaction with
        the span current (for child spans of its own). Say whether the effect ran; the
        span says so too (:data:`ATTR_DUPLICATE`). Exceptions (the inbox's
        :class:`~twinbook.inbox.InboxError` for a record without an id, the effect's)
        mark the span and go on."""
        with self.start(record) as span:
            try:
                fresh = inbox.process(message_id(record), effect)
            except Exception as e:
                span.set_status(Status(StatusCode.ERROR, str(e)))
                raise
            span.set_attribute(ATTR_DUPLICATE, not fresh)
            return fresh
