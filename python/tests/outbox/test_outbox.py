"""Add, the relay and its faults, the metrics: on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from twinbook.clock import SystemClock
from twinbook.outbox import (
    CorruptRowError,
    Event,
    InvalidEventError,
    MemoryPublisher,
    PoisonError,
    PublishError,
    Relay,
    RelayConfig,
    add,
    backlog,
    lag,
    parked,
)
from twinbook.store import Dialect, Store

from .helpers import add_events, count, run_once, settle

TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
PLACED = Event(id="ev-o1", aggregate="o1", topic="orders", type="order.placed", payload=b"{}")


class ServiceFailed(Exception):
    pass


@pytest.mark.parametrize("fail", [False, True], ids=["commit", "rollback"])
def test_add_commits_or_rolls_back_with_the_business_row(store: Store, fail: bool) -> None:
    try:
        with store.transaction() as tx:
            tx.execute("INSERT INTO orders (id, total) VALUES (?, ?)", ("o1", 100))
            add(tx, PLACED)
            if fail:
                raise ServiceFailed
    except ServiceFailed:
        pass
    want = 0 if fail else 1
    assert (count(store, "orders"), count(store, "outbox")) == (want, want)


@pytest.mark.parametrize(
    "change",
    [
        {"aggregate": ""},
        {"topic": ""},
        {"type": ""},
        {"id": "x" * 256},
        {"headers": {"event-id": "x"}},
        {"headers": {"traceparent": "00-xyz"}},
        {"headers": {"traceparent": "00-" + "0" * 32 + TP[35:]}},
    ],
)
def test_add_refuses_invalid_events(store: Store, change: dict[str, object]) -> None:
    with pytest.raises(InvalidEventError), store.transaction() as tx:
        add(tx, dataclasses.replace(PLACED, **change))  # type: ignore[arg-type]
    assert count(store, "outbox") == 0


def test_add_makes_an_id_and_keeps_a_traceparent(store: Store) -> None:
    with store.transaction() as tx:
        event_id = add(tx, dataclasses.replace(PLACED, id="", headers={"traceparent": TP}))
    pub = MemoryPublisher()
    run_once(Relay(store, pub))
    [got] = pub.published
    assert got.id == event_id and len(event_id) == 32
    assert got.headers == {"traceparent": TP}


def test_relay_publishes_in_order_and_deletes(store: Store) -> None:
    want = add_events(store, "e", 250, 7)
    pub = MemoryPublisher()
    relay = Relay(store, pub, RelayConfig(batch_size=100))
    for claimed in (100, 100, 50, 0):
        result = run_once(relay)
        assert (result.claimed, result.published) == (claimed, claimed)
    assert [e.id for e in pub.published] == want
    assert pub.published[3] == Event(
        id=want[3],
        aggregate="agg-3",
        topic="orders",
        type="t",
        payload=want[3].encode(),
        created_ms=pub.published[3].created_ms,
    )
    assert backlog(store) == 0
    assert (relay.stats.published, relay.stats.batches) == (250, 4)


def test_relay_keeps_what_was_not_acknowledged(store: Store) -> None:
    want = add_events(store, "e", 60, 5)
    refused: set[str] = set()

    def fail(event: Event) -> Exception | None:
        if int(event.id[2:]) % 3 == 0 and event.id not in refused:
            refused.add(event.id)
            return ConnectionError("broker: not enough replicas")
        return None

    pub = MemoryPublisher(fail)
    relay = Relay(store, pub)
    with pytest.raises(PublishError, match="20 of 60"):
        run_once(relay)
    with store.transaction() as tx:
        left = [r[0] for r in tx.execute("SELECT event_id FROM outbox ORDER BY seq").fetchall()]
    assert left == sorted(refused)  # exactly the unacknowledged ones stay
    assert run_once(relay).published == 20
    assert sorted(e.id for e in pub.published) == want


def test_relay_parks_poison_events(store: Store) -> None:
    add_events(store, "e", 10, 3)
    with store.transaction() as tx:
        add(tx, Event(id="big", aggregate="a", topic="orders", type="t", payload=bytes(2000)))
        add(tx, Event(id="typo", aggregate="a", topic="ordres", type="t"))
        add(tx, Event(id="refused", aggregate="a", topic="orders", type="t"))
    pub = MemoryPublisher(lambda e: PoisonError("MESSAGE_TOO_LARGE") if e.id == "refused" else None)
    relay = Relay(store, pub, RelayConfig(max_payload_bytes=1000, topics=frozenset({"orders"})))
    result = run_once(relay)
    assert (result.published, result.parked) == (10, 3)
    with store.transaction() as tx:
        errors = dict(tx.execute("SELECT event_id, error FROM outbox_parked").fetchall())
    assert "2000 bytes" in errors["big"] and "'ordres'" in errors["typo"]
    assert "MESSAGE_TOO_LARGE" in errors["refused"]
    assert all(e.startswith("PoisonError") for e in errors.values())
    assert parked(store) == 3 and backlog(store) == 0


def test_relay_parks_corrupt_rows(store: Store) -> None:
    add_events(store, "e", 5, 2)
    with store.transaction() as tx:
        for event_id, topic, headers in (
            ("bad-headers", "orders", "{not json"),
            ("no-topic", "", "{}"),
        ):
            tx.execute(
                "INSERT INTO outbox (event_id, aggregate, topic, type, payload, headers,"
                " created_ms) VALUES (?, 'a', ?, 't', ?, ?, 0)",
                (event_id, topic, b"", headers),
            )
    add_events(store, "f", 5, 2)
    result = run_once(Relay(store, MemoryPublisher()))
    assert (result.published, result.parked) == (10, 2)
    with store.transaction() as tx:
        rows = tx.execute("SELECT event_id, headers, error FROM outbox_parked").fetchall()
    by_id = {r[0]: r for r in rows}
    assert by_id["bad-headers"][1] == "{not json"  # parked as it was
    assert all(r[2].startswith(CorruptRowError.__name__) for r in rows)


class RecordingClock(SystemClock):
    """The system clock, but every pause is noted and lasts a millisecond: the test
    reads the pauses the relay asked for instead of timing them."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        self.pauses.append(seconds)
        return super().sleep(0.001, cancel)


def test_relay_backs_off_while_the_broker_is_down(store: Store) -> None:
    want = add_events(store, "e", 30, 3)
    down = threading.Event()
    down.set()
    pub = MemoryPublisher(lambda e: ConnectionError("refused") if down.is_set() else None)
    failures: list[Exception] = []
    clock = RecordingClock()
    relay = Relay(
        store,
        pub,
        RelayConfig(
            batch_size=10,
            min_backoff=0.002,
            max_backoff=0.016,
            poll_interval=1.0,
            clock=clock,
            on_error=failures.append,
        ),
    )
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop,))
    worker.start()
    try:
        _wait_for(lambda: len(failures) >= 6)
        assert backlog(store) == 30 and pub.published == []
        down.clear()
        _wait_for(lambda: backlog(store) == 0)
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
    assert all(isinstance(f, PublishError) for f in failures)
    # pauses that double from min_backoff to max_backoff while batches fail
    assert clock.pauses[:6] == [0.002, 0.004, 0.008, 0.016, 0.016, 0.016]
    assert [e.id for e in pub.published] == want


def test_backoff_doubles_up_to_the_ceiling(store: Store) -> None:
    relay = Relay(store, MemoryPublisher(), RelayConfig(min_backoff=0.01, max_backoff=0.05))
    assert [relay.backoff(n) for n in range(1, 6)] == [0.01, 0.02, 0.04, 0.05, 0.05]


def test_concurrent_relays_publish_each_event_once(store: Store) -> None:
    pub = MemoryPublisher()
    stop = threading.Event()
    relays = [
        threading.Thread(
            target=Relay(store, pub, RelayConfig(batch_size=50, poll_interval=0.001)).run,
            args=(stop,),
        )
        for _ in range(3)
    ]
    for r in relays:
        r.start()

    def write(w: int) -> None:
        for i in range(25):
            with store.transaction() as tx:
                for j in range(10):
                    add(
                        tx,
                        Event(
                            id=f"w{w}-{i * 10 + j:03d}", aggregate=str(w), topic="orders", type="t"
                        ),
                    )

    writers = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    try:
        _wait_for(lambda: len(pub.published) >= 1000)
    finally:
        stop.set()
        for r in relays:
            r.join(10)
    ids = [e.id for e in pub.published]
    assert len(ids) == len(set(ids)) == 1000


def test_backlog_and_lag(store: Store) -> None:
    now = 1_700_000_000_000
    assert lag(store, now) == 0
    with store.transaction() as tx:
        for i, age in enumerate((3_000, 90_000, 1_000)):
            add(tx, Event(id=str(i), aggregate="a", topic="t", type="t", created_ms=now - age))
    assert backlog(store) == 3 and lag(store, now) == 90_000
    run_once(Relay(store, MemoryPublisher()))
    assert backlog(store) == 0 and lag(store, now) == 0


class _Cut(MemoryPublisher):
    """Publishes, then takes the database away from the relay mid-batch."""

    def __init__(self, cut: object) -> None:
        super().__init__()
        self.cut = cut
        self.cuts = 0

    def publish(self, events, timeout):  # type: ignore[no-untyped-def]
        results = super().publish(events, timeout)
        self.cuts += 1
        if self.cuts == 1:
            self.cut()  # type: ignore[operator]
        return results


def test_database_gone_mid_batch(store: Store, store_url: str) -> None:
    """After the broker acknowledged a batch, before the relay's delete committed, the
    database goes away: every row stays, the batch is published again (duplicates, never
    loss). PostgreSQL: the relay's session is terminated. SQLite has no session to cut:
    the relay's connection is closed under it instead."""
    want = add_events(store, "e", 30, 3)
    relay_store_conn: list[object] = []

    def cut() -> None:
        if store.dialect is Dialect.POSTGRES:
            import psycopg

            with psycopg.connect(store_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
                    " datname = current_database() AND state = 'idle in transaction'"
                )
        else:
            conn = store._connection()  # noqa: SLF001  (this thread's, the relay's)
            relay_store_conn.append(conn)
            conn.close()

    pub = _Cut(cut)
    relay = Relay(store, pub, RelayConfig(batch_size=10))
    settle(store)
    with pytest.raises(Exception):  # noqa: B017, PT011  (the driver's own error)
        relay.run_once()
    store.close()
    from twinbook.store import connect

    with connect(store_url) as again:
        assert backlog(again) == 30
        relay = Relay(again, pub, RelayConfig(batch_size=10))
        while backlog(again):
            run_once(relay)
    ids = [e.id for e in pub.published]
    assert ids[:10] == want[:10] and ids[10:] == want


def _wait_for(cond: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.002)
