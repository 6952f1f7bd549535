"""Helpers of the outbox tests."""

from __future__ import annotations

import time

from twinbook.outbox import Event, Relay, Result, add
from twinbook.store import Dialect, Store


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


def settle(store: Store, timeout: float = 30.0) -> None:
    """Wait until every outbox row is visible to a relay. On PostgreSQL the relay reads
    only rows below the oldest transaction still running in the whole cluster (see
    twinbook.outbox.relay.CLAIM), and the tests share one cluster with other tests: a
    row committed here stays out of reach while another test's write transaction is
    open. SQLite: no wait."""
    if store.dialect is not Dialect.POSTGRES:
        return
    deadline = time.monotonic() + timeout
    while True:
        with store.transaction() as tx:
            hidden = tx.execute(
                "SELECT COUNT(*) FROM outbox WHERE txid >= pg_snapshot_xmin(pg_current_snapshot())"
            ).fetchone()[0]
        if hidden == 0:
            return
        assert time.monotonic() < deadline, f"{hidden} outbox rows stayed out of the relay's reach"
        time.sleep(0.005)


def run_once(relay: Relay) -> Result:
    """``relay.run_once()`` once every row of the outbox is within its reach."""
    settle(relay.store)
    return relay.run_once()
