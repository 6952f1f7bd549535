"""The outbox's metrics: backlog (rows waiting), lag (age of the oldest), parked."""

from __future__ import annotations

from twinbook.store import Store


def _count(store: Store, table: str) -> int:
    with store.transaction() as tx:
        return int(tx.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def backlog(store: Store) -> int:
    """How many events wait in the outbox: the relay's queue."""
    return _count(store, "outbox")


def parked(store: Store) -> int:
    """How many events were parked (poison or corrupt) and wait for a person."""
    return _count(store, "outbox_parked")


def lag(store: Store, now_ms: int) -> int:
    """The age in milliseconds, at ``now_ms``, of the oldest event waiting: how far
    behind the relay is (0 when the outbox is empty). A large but young backlog is a
    burst; a lag that grows is a relay that is stuck."""
    with store.transaction() as tx:
        oldest = tx.execute("SELECT MIN(created_ms) FROM outbox").fetchone()[0]
    return 0 if oldest is None else max(0, now_ms - int(oldest))
