"""At-most-once against at-least-once: when a consumer commits decides what a crash costs.

The Go twin is ``go/events/delivery.go``. A handler that raises stops
:func:`consume` at once, as a crash would: nothing after it is processed or
committed, and the group's next owner of the partition starts at the last
committed offset.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum

from confluent_kafka import Message as KafkaMessage

from .group import Member

__all__ = ["Handler", "Semantics", "consume"]


class Semantics(StrEnum):
    """When a consumer commits a record's offset: before or after processing it."""

    #: Commit, then process: a crash in between loses the record.
    AT_MOST_ONCE = "at-most-once"
    #: Process, then commit: a crash in between redelivers the record, so
    #: processing must tolerate seeing it twice.
    AT_LEAST_ONCE = "at-least-once"


Handler = Callable[[KafkaMessage], None]
"""Processes one record; an exception is a crash."""


# docs:start events-consume
def consume(
    member: Member,
    semantics: Semantics,
    handle: Handler,
    stop: threading.Event,
    timeout: float,
) -> None:
    """Poll ``member`` until ``stop`` is set, committing each record before
    (at-most-once) or after (at-least-once) handing it to ``handle``. One commit per
    record keeps the lesson exact; batching commits widens what a crash loses or
    repeats to the whole batch. ``TimeoutError`` if ``stop`` is not set in time."""
    semantics = Semantics(semantics)  # ValueError for anything else
    deadline = time.monotonic() + timeout
    while not stop.is_set():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{member.name}: not stopped within {timeout} s")
        for msg in member.poll(0.1):
            if semantics is Semantics.AT_MOST_ONCE:
                member.commit(msg)
            handle(msg)
            if semantics is Semantics.AT_LEAST_ONCE:
                member.commit(msg)


# docs:end events-consume
