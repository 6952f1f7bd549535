"""The commit-order gap, reproduced on PostgreSQL, and the relay that does not skip."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from twinbook.outbox import Event, MemoryPublisher, Relay, add
from twinbook.store import Dialect, Store, connect

from .helpers import run_once


def test_commit_order_gap(store: Store, store_url: str) -> None:
    """Transaction A adds "a" (seq 1), transaction B adds "b" (seq 2) and commits first.
    A reader that follows seq reads b, moves past 2, and never sees a once A commits. The
    relay publishes nothing while A is open (b's transaction is newer than the oldest
    running one), then both, a first. SQLite cannot show it: one writer at a time (BEGIN
    IMMEDIATE), so transactions commit in the order they took their seqs."""
    last = 0

    def naive_read() -> list[str]:
        nonlocal last
        with store.transaction() as tx:
            rows = tx.execute(
                "SELECT seq, event_id FROM outbox WHERE seq > ? ORDER BY seq", (last,)
            ).fetchall()
        if rows:
            last = rows[-1][0]
        return [r[1] for r in rows]

    if store.dialect is Dialect.SQLITE:
        _sqlite_has_no_gap(store, store_url, naive_read)
        return
    pub = MemoryPublisher()
    relay = Relay(store, pub)
    with connect(store_url) as writer_a, connect(store_url) as writer_b:
        with writer_a.transaction() as tx_a:
            add(tx_a, Event(id="a", aggregate="o", topic="orders", type="t"))
            with writer_b.transaction() as tx_b:
                add(tx_b, Event(id="b", aggregate="o", topic="orders", type="t"))
            assert naive_read() == ["b"]
            assert relay.run_once().claimed == 0  # b waits behind the open transaction A
        assert naive_read() == []  # a was skipped: the gap
        assert run_once(relay).published == 2
    assert [e.id for e in pub.published] == ["a", "b"]


def _sqlite_has_no_gap(store: Store, store_url: str, naive_read: Callable[[], list[str]]) -> None:
    """The same two writers on SQLite: while A is open, B cannot even begin (one writer at
    a time), so the seqs are taken in commit order and the naive reader misses nothing."""
    path = store_url.removeprefix("sqlite:")
    with connect(store_url) as writer_a:
        with writer_a.transaction() as tx_a:
            add(tx_a, Event(id="a", aggregate="o", topic="orders", type="t"))
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
        with writer_a.transaction() as tx_b:  # B, after A
            add(tx_b, Event(id="b", aggregate="o", topic="orders", type="t"))
    assert naive_read() == ["a", "b"]
