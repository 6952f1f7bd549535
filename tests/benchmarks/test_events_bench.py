"""Chapter 4's producers, consumers and pipelines from Python, measured (pytest-benchmark).

Run it alone (pytest-benchmark needs a plain run, no xdist)::

    .venv/bin/pytest tests/benchmarks/test_events_bench.py -o addopts="" -q \\
        --benchmark-only --benchmark-json=build/bench/events-python.json

The broker is ``twinbook.kafka.bootstrap()``: the embedded kfake, or the real Kafka
``TWINBOOK_KAFKA`` names. Each round moves a fresh set of records through fresh topics
(setup, not timed); ``extra_info["records_per_s"]`` is the round's throughput. Timings
are never asserted; the assertions check that every record went through. The Go
figures are ``go test -bench . ./events`` (go/events/bench_test.go), the same shapes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import Message as KafkaMessage

from twinbook.events import (
    Config,
    GroupConfig,
    Message,
    Mode,
    Pipeline,
    PipelineConfig,
    create_topic,
    join,
    new_producer,
    produce_keyed,
)
from twinbook.kafka import bootstrap

N = 20_000  # records per round (per-message transactions: PER_MESSAGE_N)
PER_MESSAGE_N = 300
VALUE = bytes(100)


@pytest.fixture(scope="module")
def config() -> Iterator[Config]:
    with bootstrap() as addr:
        yield Config(addr)


def fresh_topic(config: Config) -> str:
    name = f"bench-{uuid.uuid4().hex[:12]}"
    create_topic(config, name, 3)
    return name


def fill(config: Config, topic: str, n: int) -> None:
    producer = new_producer(config)
    for start in range(0, n, 1000):
        batch = [Message(f"key-{i % 100}", VALUE) for i in range(start, min(n, start + 1000))]
        produce_keyed(producer, topic, batch)


def rate(benchmark: Any, n: int) -> None:
    benchmark.extra_info["records"] = n
    benchmark.extra_info["records_per_s"] = n / benchmark.stats.stats.min


def test_produce(benchmark: Any, config: Config) -> None:
    topics: list[str] = []
    benchmark.pedantic(
        lambda topic: fill(config, topic, N),
        setup=lambda: ((topics.append(fresh_topic(config)) or topics[-1],), {}),
        rounds=3,
    )
    rate(benchmark, N)


def test_consume(benchmark: Any, config: Config) -> None:
    left: list[int] = []

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        # The records are there before the member joins; the join and the first
        # fetch are not timed, the fetching of the rest is.
        topic = fresh_topic(config)
        fill(config, topic, N)
        member = join(GroupConfig(config, f"g-{uuid.uuid4().hex}", [topic]))
        first: list[KafkaMessage] = []
        while not first:
            first = member.poll(0.5)
        left.append(N - len(first))
        return (member, left[-1]), {}

    def consume(member: Any, n: int) -> None:
        got: list[KafkaMessage] = []
        while len(got) < n:
            got += member.poll(0.5)
        member.commit(*got[-500:])
        member.close()

    benchmark.pedantic(consume, setup=setup, rounds=3)
    rate(benchmark, min(left))


@pytest.mark.parametrize("mode", [Mode.BATCHED, Mode.PLAIN, Mode.PER_MESSAGE], ids=str)
def test_pipeline(benchmark: Any, config: Config, mode: Mode) -> None:
    n = PER_MESSAGE_N if mode is Mode.PER_MESSAGE else N

    def identity(m: Any) -> list[Message]:
        return [Message((m.key() or b"").decode(), VALUE)]

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        source, sink = fresh_topic(config), fresh_topic(config)
        fill(config, source, 1)
        name = uuid.uuid4().hex
        pipeline = Pipeline(PipelineConfig(config, name, source, sink, name, mode))
        while not pipeline.step(identity):  # the join and first transaction: not timed
            pass
        fill(config, source, n)
        return (pipeline,), {}

    def run(pipeline: Pipeline) -> None:
        done = 0
        while done < n:
            done += pipeline.step(identity)
        pipeline.close()

    benchmark.pedantic(run, setup=setup, rounds=3)
    rate(benchmark, n)
