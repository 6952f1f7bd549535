"""The relay: claim a batch, publish it, delete what the broker acknowledged, in one
transaction; back off while the broker or the database is away."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from twinbook.clock import Clock
from twinbook.clock.system import SystemClock
from twinbook.store import Dialect, Store, Tx

from .event import CorruptRowError, Event
from .publisher import PoisonError, Publisher


class PublishError(Exception):
    """Some events of a batch were not acknowledged: they stay in the outbox for the
    next attempt, and :meth:`Relay.run` backs off before it."""


@dataclass(frozen=True)
class RelayConfig:
    """How a :class:`Relay` works."""

    batch_size: int = 100
    """Rows one transaction claims; it bounds what a crash duplicates (one batch)."""
    poll_interval: float = 0.1
    """Seconds of pause after a batch that was not full: an idle outbox is polled."""
    min_backoff: float = 0.05
    """Seconds of pause after a failed batch, doubling per failure in a row..."""
    max_backoff: float = 5.0
    """...up to this."""
    publish_timeout: float = 10.0
    """Seconds the relay waits for the broker's acknowledgements of one batch."""
    max_payload_bytes: int = 1 << 20
    """A larger payload is parked unsent (Kafka's default message.max.bytes)."""
    topics: frozenset[str] = frozenset()
    """When not empty, the only topics published to; an event for another is parked (a
    typo would otherwise create a topic on a broker that auto-creates)."""
    clock: Clock = field(default_factory=SystemClock)
    on_error: Callable[[Exception], None] | None = None
    """Hears every failed batch (the relay goes on)."""


@dataclass
class Result:
    """What one batch did."""

    claimed: int = 0
    published: int = 0
    parked: int = 0
    failed: int = 0


@dataclass
class Stats:
    """A relay's running totals (:attr:`Relay.stats`)."""

    batches: int = 0
    published: int = 0
    parked: int = 0
    failed: int = 0


# PostgreSQL: FOR UPDATE SKIP LOCKED lets relays claim disjoint batches without waiting
# for each other. And a serial id does not give commit order: transaction A takes seq 1,
# transaction B takes seq 2 and commits first, so a reader that has read up to 2 never
# goes back for 1 (the commit-order gap), and a relay that picks "whatever is there"
# publishes 2 before 1. Each row therefore records its writer's transaction id (txid),
# and the relay reads only rows below pg_snapshot_xmin(pg_current_snapshot()), the oldest
# transaction still running: every writer below it has finished, so no row can still
# appear before what the relay reads, and (txid, seq) is an order that never changes
# behind the reader (watermill-sql's PostgreSQL schema does the same). The price:
# transaction ids are the server's, not one database's, so a long write transaction in
# any database of the server holds the relay back until it ends.
#
# SQLite has no gap: one writer at a time (BEGIN IMMEDIATE takes the database's write
# lock), so transactions commit in the order they took their seqs, and a visible row has
# no invisible row before it.
_COLUMNS = "seq, event_id, aggregate, topic, type, payload, headers, created_ms"
# docs:start outbox-claim-sql
CLAIM: dict[Dialect, str] = {
    Dialect.SQLITE: f"SELECT {_COLUMNS} FROM outbox ORDER BY seq LIMIT ?",
    Dialect.POSTGRES: f"SELECT {_COLUMNS} FROM outbox"
    " WHERE txid < pg_snapshot_xmin(pg_current_snapshot())"
    " ORDER BY txid, seq LIMIT ? FOR UPDATE SKIP LOCKED",
}
# docs:end outbox-claim-sql


def decode(raw: Sequence[Any]) -> Event:
    """The event of an outbox row's columns, or :class:`CorruptRowError` saying why not."""
    seq = raw[0]
    texts = dict(zip(("event_id", "aggregate", "topic", "type"), raw[1:5], strict=True))
    for name, value in texts.items():
        if not isinstance(value, str) or not value:
            raise CorruptRowError(f"seq {seq}: {name} is {value!r}")
    payload = raw[5]
    if isinstance(payload, str):  # SQLite keeps what it is given: text where a blob belongs
        payload = payload.encode()
    if not isinstance(payload, (bytes, memoryview)):
        raise CorruptRowError(f"seq {seq}: payload is {type(payload).__name__}")
    try:
        headers = json.loads(raw[6])
    except (TypeError, ValueError) as exc:
        raise CorruptRowError(f"seq {seq}: headers {raw[6]!r}: {exc}") from exc
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise CorruptRowError(f"seq {seq}: headers {raw[6]!r} are not names and texts")
    if not isinstance(raw[7], int):
        raise CorruptRowError(f"seq {seq}: created_ms is {raw[7]!r}")
    return Event(
        id=texts["event_id"],
        aggregate=texts["aggregate"],
        topic=texts["topic"],
        type=texts["type"],
        payload=bytes(payload),
        headers=headers,
        created_ms=raw[7],
    )


class Relay:
    """Moves events from ``store``'s outbox to ``publisher``. Several relays may run on
    one PostgreSQL store (each claims other rows); on SQLite they take turns."""

    def __init__(self, store: Store, publisher: Publisher, config: RelayConfig | None = None):
        self.store = store
        self.publisher = publisher
        self.config = config or RelayConfig()
        self._stats = Stats()
        self._lock = threading.Lock()

    @property
    def stats(self) -> Stats:
        """The relay's totals so far (a copy)."""
        with self._lock:
            return dataclasses.replace(self._stats)

    # docs:start outbox-relay-once
    def run_once(self) -> Result:
        """Relay one batch in one transaction: claim the oldest rows, publish them,
        wait for the broker, delete the acknowledged ones and park the poison ones,
        commit. A crash before the commit leaves every row in place (the batch goes
        again: duplicates, never loss); a row is deleted only after the broker
        acknowledged it. Raises :class:`PublishError` when some events were not
        acknowledged (they stay)."""
        result = Result()
        try:
            with self.store.transaction() as tx:
                claim = CLAIM[self.store.dialect]
                rows = tx.execute(claim, (self.config.batch_size,)).fetchall()
                result.claimed = len(rows)
                done = self._deliver(tx, rows, result)
                if done:
                    marks = ", ".join("?" * len(done))
                    tx.execute(f"DELETE FROM outbox WHERE seq IN ({marks})", done)
        except BaseException:
            with self._lock:  # nothing committed: whatever was claimed goes again
                self._stats.failed += result.claimed
            raise
        self._count(result)
        return result

    # docs:end outbox-relay-once

    def _count(self, result: Result) -> None:
        """Add a committed batch to the totals; raise :class:`PublishError` when some of
        its events were not acknowledged."""
        with self._lock:
            self._stats.batches += 1
            self._stats.published += result.published
            self._stats.parked += result.parked
            self._stats.failed += result.failed
        if result.failed:
            raise PublishError(f"{result.failed} of {result.claimed} events not acknowledged")

    def _deliver(self, tx: Tx, rows: list[Any], result: Result) -> list[int]:
        """Park the claimed rows that cannot be sent, publish the others and wait for the
        broker's verdicts; return the seqs to delete (acknowledged or parked).

        A batch that fails in part can reorder one aggregate's events (a later one
        acknowledged, an earlier one left for the next batch): the order per aggregate
        comes from Kafka's idempotent producer, which keeps a partition's records in order
        and times a batch out as a whole, not from the relay."""
        done: list[int] = []
        send: list[tuple[int, Event]] = []
        for raw in rows:
            try:
                event = self._screen(decode(raw))
            except (CorruptRowError, PoisonError) as exc:
                self._park(tx, raw, exc)
                done.append(raw[0])
                result.parked += 1
                continue
            send.append((raw[0], event))
        if not send:
            return done
        verdicts = self.publisher.publish([e for _, e in send], self.config.publish_timeout)
        for (seq, _), verdict in zip(send, verdicts, strict=True):
            if verdict is None:
                done.append(seq)
                result.published += 1
            elif isinstance(verdict, PoisonError):
                raw = next(r for r in rows if r[0] == seq)
                self._park(tx, raw, verdict)
                done.append(seq)
                result.parked += 1
            else:
                result.failed += 1
        return done

    def _screen(self, event: Event) -> Event:
        if len(event.payload) > self.config.max_payload_bytes:
            raise PoisonError(
                f"{event.id}: payload of {len(event.payload)} bytes"
                f" (at most {self.config.max_payload_bytes})"
            )
        if self.config.topics and event.topic not in self.config.topics:
            raise PoisonError(
                f"{event.id}: topic {event.topic!r} is not one the relay publishes to"
            )
        return event

    def _park(self, tx: Tx, raw: Sequence[Any], why: Exception) -> None:
        error = f"{type(why).__name__}: {why}"
        now_ms = int(self.config.clock.now() * 1000)
        tx.execute(
            "INSERT INTO outbox_parked (seq, event_id, aggregate, topic, type, payload,"
            " headers, created_ms, error, parked_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*raw, error, now_ms),
        )

    # docs:start outbox-relay-run
    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set. A failed batch (the broker down, the database
        gone) is retried after a pause that doubles per failure in a row, from
        ``min_backoff`` to ``max_backoff``; a batch that was not full is followed by
        ``poll_interval``'s pause."""
        failures = 0
        while not stop.is_set():
            try:
                result = self.run_once()
            except Exception as exc:  # any failure: back off and try again
                failures += 1
                if self.config.on_error is not None:
                    self.config.on_error(exc)
                self.config.clock.sleep(self.backoff(failures), stop)
                continue
            failures = 0
            if result.claimed < self.config.batch_size:
                self.config.clock.sleep(self.config.poll_interval, stop)

    # docs:end outbox-relay-run

    def backoff(self, failures: int) -> float:
        """The pause after the ``failures``-th failure in a row."""
        return min(self.config.min_backoff * 2 ** (failures - 1), self.config.max_backoff)
