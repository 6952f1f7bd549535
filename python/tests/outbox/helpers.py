"""Helpers of the outbox tests."""

from __future__ import annotations

from twinbook.outbox import Event, add
from twinbook.store import Store


def add_events(
    store: Store, prefix: str, n: int, aggregates: int, topic: str = "orders"
) -> list[str]:
    """Add ``n`` events in one transaction, ids ``<prefix>-0000``..., over aggregates."""
    ids = [f"{prefix}-{i:04d}" for i in range(n)]
    with store.transaction() as tx:
        for i, event_id in enumerate(ids):
            add(
                tx,
                Event(
                    id=event_id,
                    aggregate=f"agg-{i % aggregates}",
                    topic=topic,
                    type="t",
                    payload=event_id.encode(),
                ),
            )
    return ids


def count(store: Store, table: str) -> int:
    with store.transaction() as tx:
        return int(tx.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
