"""The outbox row, written in the caller's transaction."""

from __future__ import annotations

import dataclasses
import json
import time

from twinbook.store import Tx

from .event import Event, new_id


# docs:start outbox-add
def add(tx: Tx, event: Event) -> str:
    """Write ``event`` as an outbox row inside ``tx``, the caller's transaction, and
    return its id. The business row and the event then commit or roll back together:
    there is no moment at which one exists without the other. Nothing is published here;
    the :class:`~twinbook.outbox.Relay` does that after the commit.

    Raises :class:`~twinbook.outbox.InvalidEventError` for an unusable event."""
    event.validate()
    if not event.id:
        event = dataclasses.replace(event, id=new_id())
    created = event.created_ms or time.time_ns() // 1_000_000
    tx.execute(
        "INSERT INTO outbox (event_id, aggregate, topic, type, payload, headers,"
        " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            event.id,
            event.aggregate,
            event.topic,
            event.type,
            bytes(event.payload),
            json.dumps(event.headers),
            created,
        ),
    )
    return event.id


# docs:end outbox-add
