"""Per-key order under producer retries, proved rather than configured.

The broker is an embedded one of the test's own whose first produce requests fail with
NOT_ENOUGH_REPLICAS_AFTER_APPEND (``twinbook-kafka -fail-produce``): it writes the batch,
then answers that it failed, as a real broker does when a write outran its replicas. The
producer retries; whether the retry becomes a second copy is up to idempotence. It is
kfake even in the real-Kafka run: a real broker cannot be told to fail on cue. The Go
twin is ``go/events/retry_test.go``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from twinbook.events import Config, Message, create_topic, new_producer, produce_keyed
from twinbook.kafka import Config as BrokerConfig
from twinbook.kafka import start

from .helpers import read_all, values, wait_for

KEYS = ["alice", "bob", "carol", "dave", "erin"]
ROUNDS = 60
PARTITIONS = 3
SENT = [Message(k, f"{k}:{i}".encode()) for i in range(ROUNDS) for k in KEYS]

#: Small batches, so that many produce requests are in flight while the first ones fail.
BATCHES = {"linger.ms": 5, "batch.num.messages": 20}


def faulty(failures: int) -> Iterator[tuple[Config, str]]:
    with start(BrokerConfig(fail_produce=failures)) as broker:
        config = Config(broker.addr, timeout=10.0)
        topic = f"retries-{uuid.uuid4().hex[:8]}"
        create_topic(config, topic, PARTITIONS)
        yield config, topic


@pytest.fixture
def thrice() -> Iterator[tuple[Config, str]]:
    """A broker whose first three produce requests fail (after writing), and a topic."""
    yield from faulty(3)


@pytest.fixture
def once() -> Iterator[tuple[Config, str]]:
    """A broker whose first produce request fails (after writing), and a topic."""
    yield from faulty(1)


def per_key(got: list[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {k: [] for k in KEYS}
    for value in got:
        key, n = value.split(":")
        out[key].append(int(n))
    return out


def log_size(config: Config, topic: str) -> int:
    """How many records ``topic`` holds (the sum of its partitions' high watermarks)."""
    consumer = Consumer(config.librdkafka({"group.id": f"size-{uuid.uuid4().hex}"}))
    try:
        return sum(
            consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=config.timeout)[1]
            for p in range(PARTITIONS)
        )
    finally:
        consumer.close()


def test_idempotent_producer_keeps_order_under_retries(thrice: tuple[Config, str]) -> None:
    config, topic = thrice
    resent: list[int] = []

    def stats(text: str) -> None:
        # librdkafka's idempotent producer retries messages, not requests (its
        # txretries stays 0): a partition's txmsgs counts every transmission, msgs
        # every message produced, so the difference is what was sent again.
        parts = json.loads(text)["topics"].get(topic, {}).get("partitions", {}).values()
        resent.append(sum(p["txmsgs"] - p["msgs"] for p in parts))

    producer: Producer = new_producer(
        config, {**BATCHES, "statistics.interval.ms": 100, "stats_cb": stats}
    )
    produce_keyed(producer, topic, SENT)
    # The faults fired: librdkafka counts the messages it sent again.
    wait_for("a message sent again", lambda: any(resent), lambda: producer.poll(0.05))

    assert log_size(config, topic) == len(SENT), "a retried batch was written twice"
    got = per_key(values(read_all(config, topic, len(SENT))))
    for key in KEYS:
        assert got[key] == list(range(ROUNDS)), key


def test_without_idempotence_retries_duplicate(once: tuple[Config, str]) -> None:
    config, topic = once
    producer = new_producer(
        config,
        {
            **BATCHES,
            "enable.idempotence": False,
            "max.in.flight.requests.per.connection": 5,
            "retries": 10,
        },
    )
    produce_keyed(producer, topic, SENT)

    # The broker wrote the first attempt before it answered "not enough replicas after
    # append", and without a producer id and sequence it cannot know the retry.
    size = log_size(config, topic)
    assert size > len(SENT), "no duplicate after a retried append"
    got = per_key(values(read_all(config, topic, size)))
    assert all(sorted(set(got[k])) == list(range(ROUNDS)) for k in KEYS), "a record was lost"
    assert sum(len(v) for v in got.values()) == size
