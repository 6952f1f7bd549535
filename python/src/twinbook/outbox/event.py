"""What an outbox row carries, and what makes one unusable."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

HEADER_EVENT_ID = "event-id"
"""The header that carries :attr:`Event.id`, which a consumer's inbox deduplicates on."""
HEADER_EVENT_TYPE = "event-type"
"""The header that carries :attr:`Event.type`."""
HEADER_TRACEPARENT = "traceparent"
"""W3C Trace Context's header: given in :attr:`Event.headers`, it travels from the
request that wrote the row to the consumer, so one trace spans the asynchronous hop."""

_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")


class InvalidEventError(ValueError):
    """An event :func:`~twinbook.outbox.add` refuses: no row is written, and the caller's
    transaction decides what to do."""


class CorruptRowError(ValueError):
    """An outbox row that cannot be an event (edited by hand, written by another
    program): the relay parks it with this error rather than lose it or stall on it."""


def new_id() -> str:
    """A random event id."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Event:
    """One message to publish, stored as one outbox row."""

    aggregate: str
    """The entity the event is about (an order id): the Kafka key, so that one
    aggregate's events stay in order in one partition."""
    topic: str
    type: str
    """What happened ("order.placed")."""
    payload: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    """Message headers (a ``traceparent`` among them when the caller traces)."""
    id: str = ""
    """Identifies the event across redeliveries; :func:`add` makes one when empty."""
    created_ms: int = 0
    """When it was added, in Unix milliseconds (:func:`add` sets it when 0); the relay
    lag is measured from it."""

    def validate(self) -> None:
        """Raise :class:`InvalidEventError` saying what makes this event unusable."""
        if not self.aggregate:
            raise InvalidEventError("no aggregate (the message key)")
        if not self.topic:
            raise InvalidEventError("no topic")
        if not self.type:
            raise InvalidEventError("no type")
        if len(self.id) > 255:
            raise InvalidEventError(f"an id of {len(self.id)} characters (at most 255)")
        for reserved in (HEADER_EVENT_ID, HEADER_EVENT_TYPE):
            if reserved in self.headers:
                raise InvalidEventError(f"header {reserved!r} is the relay's")
        tp = self.headers.get(HEADER_TRACEPARENT)
        if tp is not None:
            m = _TRACEPARENT.fullmatch(tp)
            if m is None or set(m[1]) == {"0"} or set(m[2]) == {"0"}:
                raise InvalidEventError(
                    f"traceparent {tp!r} is not W3C's 00-TRACEID-PARENTID-FLAGS"
                )
