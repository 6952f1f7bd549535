"""Chapter 5's transactional outbox and its relay: the answer to the dual write.

A service that saves an order and then produces "order placed" to Kafka loses the event
when it dies between the two, or announces an order that was rolled back. Instead it
writes the event as an outbox row in the same transaction as the order (:func:`add`); a
:class:`Relay` reads the outbox and publishes it, deleting each row in the transaction
that claimed it, once the broker acknowledged it. A relay killed between the broker's
acknowledgement and its commit publishes that batch again: delivery is at least once,
and consumers deduplicate on the event id the relay sends in the header ``event-id``
(:mod:`twinbook.inbox`). The Go twin is ``go/outbox``. One concern per module:

==========  =============================================================================
module      what it holds
==========  =============================================================================
event       :class:`Event`, :class:`InvalidEventError`, :class:`CorruptRowError`
schema      :func:`migrate`: the tables ``outbox`` and ``outbox_parked``
add         :func:`add`: the row written in the caller's transaction
publisher   :class:`Publisher`, :class:`MemoryPublisher`, :class:`PoisonError`
kafka       :class:`KafkaPublisher`: chapter 4's broker, key = aggregate
relay       :class:`Relay`, :class:`RelayConfig`, :class:`Result`, :class:`Stats`
metrics     :func:`backlog`, :func:`lag`, :func:`parked`
==========  =============================================================================

    with store.transaction() as tx:
        tx.execute("INSERT INTO orders (id, total) VALUES (?, ?)", (order_id, total))
        add(tx, Event(aggregate=order_id, topic="orders", type="order.placed", payload=b"..."))

``python -m twinbook.outbox --store URL --bootstrap HOST:PORT`` runs a relay as a process.
"""

from __future__ import annotations

from .add import add
from .event import (
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_TRACEPARENT,
    CorruptRowError,
    Event,
    InvalidEventError,
    new_id,
)
from .kafka import KafkaPublisher
from .metrics import backlog, lag, parked
from .publisher import MemoryPublisher, PoisonError, Publisher
from .relay import PublishError, Relay, RelayConfig, Result, Stats
from .schema import migrate

__all__ = [
    "HEADER_EVENT_ID",
    "HEADER_EVENT_TYPE",
    "HEADER_TRACEPARENT",
    "CorruptRowError",
    "Event",
    "InvalidEventError",
    "KafkaPublisher",
    "MemoryPublisher",
    "PoisonError",
    "PublishError",
    "Publisher",
    "Relay",
    "RelayConfig",
    "Result",
    "Stats",
    "add",
    "backlog",
    "lag",
    "migrate",
    "new_id",
    "parked",
]
