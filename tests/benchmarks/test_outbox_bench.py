"""Chapter 5's outbox relay from Python, measured: events/s from the store into Kafka.

Run it alone (pytest-benchmark needs a plain run, no xdist)::

    .venv/bin/pytest tests/benchmarks/test_outbox_bench.py -o addopts="" -q \\
        --benchmark-only --benchmark-json=build/bench/outbox-python.json

The store is ``twinbook.store.default_url``: SQLite in a temporary folder, or the
PostgreSQL server ``TWINBOOK_PG`` names. The broker is ``twinbook.kafka.bootstrap()``: the
embedded kfake, or the real Kafka ``TWINBOOK_KAFKA`` names. Each round adds a fresh set of
events for a fresh topic (setup, not timed), then the relay publishes them all through
``KafkaPublisher`` (each batch waits for the broker's acknowledgements before its rows
are deleted), ``batch`` events a transaction: batched (1000 and 100) against one event
per transaction, which moves fewer events (``ONE_N``). ``extra_info["events_per_s"]`` is
the best round's throughput. Timings are never asserted; each round checks that every
event left the outbox. The Go twin is ``BenchmarkRelayKafka`` (go/outbox/bench_test.go).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twinbook.events import Config, create_topic
from twinbook.kafka import bootstrap
from twinbook.outbox import Event, KafkaPublisher, Relay, RelayConfig, add, backlog, migrate
from twinbook.store import Store, connect, default_url

N = 20_000  # events per round, batched
ONE_N = 1_000  # events per round, one per transaction
PAYLOAD = bytes(100)
#: Seconds a round may find nothing to claim before it fails: on PostgreSQL the relay
#: reads only rows below the oldest open transaction of the whole server.
STALL = 60.0


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    with bootstrap() as addr:
        yield addr


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    db = connect(default_url(Path(tmp_path_factory.mktemp("outbox-bench"))))
    migrate(db)
    try:
        yield db
    finally:
        db.close()


def fill(store: Store, topic: str, n: int) -> None:
    for start in range(0, n, 1000):
        with store.transaction() as tx:
            for i in range(start, min(n, start + 1000)):
                add(tx, Event(aggregate=str(i % 100), topic=topic, type="t", payload=PAYLOAD))


@pytest.mark.parametrize("batch", [1000, 100, 1])
def test_relay_kafka(benchmark: Any, broker: str, store: Store, batch: int) -> None:
    n = ONE_N if batch == 1 else N
    publisher = KafkaPublisher(broker)

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        assert backlog(store) == 0
        topic = f"bench-{uuid.uuid4().hex[:12]}"
        create_topic(Config(broker, timeout=10.0), topic, 3)
        fill(store, topic, n)
        return (), {}

    def run() -> None:
        relay = Relay(store, publisher, RelayConfig(batch_size=batch))
        published, stalled = 0, time.monotonic() + STALL
        while published < n:
            result = relay.run_once()
            published += result.published
            if result.claimed:
                stalled = time.monotonic() + STALL
            elif time.monotonic() > stalled:
                raise AssertionError(f"the relay claimed nothing with {n - published} left")
        assert result.failed == 0 and result.parked == 0

    try:
        benchmark.pedantic(run, setup=setup, rounds=3)
    finally:
        publisher.close()
    assert backlog(store) == 0
    benchmark.extra_info["events"] = n
    benchmark.extra_info["store"] = str(store.dialect)
    benchmark.extra_info["events_per_s"] = n / benchmark.stats.stats.min
