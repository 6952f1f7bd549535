"""What the events tests share besides fixtures: writing, reading back, waiting."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka import Message as KafkaMessage

from twinbook.events import Config, Message, new_producer, produce_keyed

#: Bounds every wait of a test; real Kafka's first group join and first transaction
#: take seconds, so it is generous.
DEADLINE = 30.0


def produce(config: Config, topic: str, *values: str) -> None:
    """Write ``values`` with key ``k`` (in order, on one partition)."""
    producer = new_producer(config)
    produce_keyed(producer, topic, [Message("k", v.encode()) for v in values])


def read_until(
    config: Config, topic: str, last: str, *, committed: bool = False
) -> list[KafkaMessage]:
    """Read ``topic`` from the start, outside any group, until a record whose value
    is ``last``; every record read (``last`` included)."""
    consumer = _reader(config, committed=committed)
    consumer.subscribe([topic])
    got: list[KafkaMessage] = []
    deadline = time.monotonic() + DEADLINE
    try:
        while time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=500, timeout=0.2):
                if msg.error() is None:
                    got.append(msg)
                    if msg.value() == last.encode():
                        return got
        raise AssertionError(f"{topic}: no {last!r} within {DEADLINE} s; read {len(got)}")
    finally:
        consumer.close()


def read_all(config: Config, topic: str, count: int) -> list[KafkaMessage]:
    """Read ``topic`` from the start, outside any group, until ``count`` records."""
    consumer = _reader(config, committed=False)
    consumer.subscribe([topic])
    got: list[KafkaMessage] = []
    deadline = time.monotonic() + DEADLINE
    try:
        while len(got) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: read {len(got)} of {count} in {DEADLINE} s")
            got += [m for m in consumer.consume(500, timeout=0.2) if m.error() is None]
        return got
    finally:
        consumer.close()


def _reader(config: Config, *, committed: bool) -> Consumer:
    return Consumer(
        config.librdkafka(
            {
                "group.id": f"reader-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed" if committed else "read_uncommitted",
            }
        )
    )


def values(messages: list[KafkaMessage]) -> list[str]:
    return [(m.value() or b"").decode() for m in messages]


def wait_for(
    what: str, cond: Callable[[], bool], tick: Callable[[], object] = lambda: None
) -> None:
    """Poll ``cond`` (calling ``tick`` between, e.g. to let consumers poll) until it
    holds; fail after :data:`DEADLINE`."""
    deadline = time.monotonic() + DEADLINE
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        tick()
        time.sleep(0.01)  # the polling interval


def committed_offset(config: Config, group: str, topic: str) -> int:
    """The offset ``group`` committed on ``topic``'s partition 0 (negative: none)."""
    consumer = Consumer(config.librdkafka({"group.id": group}))
    try:
        [tp] = consumer.committed([TopicPartition(topic, 0)], timeout=config.timeout)
        return tp.offset
    finally:
        consumer.close()
