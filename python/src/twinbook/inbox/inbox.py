"""The inbox table, :func:`handle` and :class:`Inbox`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from twinbook.store import Dialect, Store, Tx


class InboxError(ValueError):
    """A message that cannot be deduplicated (no id) or a consumer without a name: it is
    refused rather than applied blindly."""


SCHEMA: dict[Dialect, tuple[str, ...]] = {
    Dialect.SQLITE: (
        """CREATE TABLE IF NOT EXISTS inbox (
            consumer TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            PRIMARY KEY (consumer, message_id))""",
    ),
    Dialect.POSTGRES: (
        "SELECT pg_advisory_xact_lock(5051)",
        """CREATE TABLE IF NOT EXISTS inbox (
            consumer TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_ms BIGINT NOT NULL,
            PRIMARY KEY (consumer, message_id))""",
    ),
}


def migrate(store: Store) -> None:
    """Create the inbox table when it does not exist."""
    with store.transaction() as tx:
        for statement in SCHEMA[store.dialect]:
            tx.execute(statement)


# docs:start inbox-handle
def handle(tx: Tx, message_id: str, consumer: str) -> bool:
    """Record ``message_id`` for ``consumer`` inside ``tx``, the transaction that
    applies the message's effect, and say whether it is new. When it is not, apply
    nothing. Two transactions handling one id at once cannot both see it new: the
    second waits on the first's key and finds it taken once the first commits (or
    takes it, if it rolled back)."""
    if not message_id:
        raise InboxError("the message has no id")
    if not consumer:
        raise InboxError("no consumer name")
    cursor = tx.execute(
        "INSERT INTO inbox (consumer, message_id, received_ms) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (consumer, message_id, time.time_ns() // 1_000_000),
    )
    return cursor.rowcount == 1


# docs:end inbox-handle


class Inbox:
    """One consumer's inbox on a store (:func:`migrate` first), counting what it
    applied and the duplicates it absorbed. Safe to use from many threads."""

    def __init__(self, store: Store, consumer: str):
        self.store = store
        self.consumer = consumer
        self._lock = threading.Lock()
        self._applied = 0
        self._duplicates = 0

    # docs:start inbox-process
    def process(self, message_id: str, effect: Callable[[Tx], object]) -> bool:
        """Apply a message once: in one transaction, record ``message_id`` and, if it is
        new, run ``effect``. Say whether the effect ran. An exception from ``effect``
        rolls the id back too (and goes on), so a later delivery retries it."""
        with self.store.transaction() as tx:
            fresh = handle(tx, message_id, self.consumer)
            if fresh:
                effect(tx)
        with self._lock:
            if fresh:
                self._applied += 1
            else:
                self._duplicates += 1
        return fresh

    # docs:end inbox-process

    @property
    def duplicates(self) -> int:
        """Redelivered messages this inbox absorbed (the metric "duplicates absorbed")."""
        with self._lock:
            return self._duplicates

    @property
    def applied(self) -> int:
        """Messages this inbox applied."""
        with self._lock:
            return self._applied


def seen(store: Store, consumer: str) -> int:
    """How many message ids ``consumer``'s inbox holds, across processes and restarts."""
    with store.transaction() as tx:
        row = tx.execute("SELECT COUNT(*) FROM inbox WHERE consumer = ?", (consumer,)).fetchone()
    return int(row[0])
