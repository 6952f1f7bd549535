"""The keyed, idempotent producer.

The Go twin is ``go/events/producer.go``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka import Message as KafkaMessage

from .client import Config, ping

__all__ = ["Delivered", "Message", "new_producer", "produce_keyed"]


@dataclass(frozen=True)
class Message:
    """A key and a value; records with the same key keep their order."""

    key: str
    value: bytes


@dataclass(frozen=True)
class Delivered:
    """Where the broker wrote a message."""

    key: str
    partition: int
    offset: int


# docs:start events-producer
def new_producer(config: Config, settings: Mapping[str, Any] | None = None) -> Producer:
    """A producer for the chapter: acks from every in-sync replica, and idempotent:
    the broker numbers each partition's batches by producer id and sequence, so a
    retried batch is written once and never overtakes the one before it, which keeps
    per-key order with up to five requests in flight. The partitioner is Kafka's
    murmur2 (:func:`~.partition.partition`), not librdkafka's CRC32 default."""
    producer = Producer(
        config.librdkafka(
            {
                "enable.idempotence": True,
                "acks": "all",
                "partitioner": "murmur2_random",
                "message.timeout.ms": max(int(config.timeout * 1000), 1000),
                **(settings or {}),
            }
        )
    )
    ping(producer, config)
    return producer


# docs:end events-producer


# docs:start events-produce-keyed
def produce_keyed(
    producer: Producer, topic: str, messages: Iterable[Message], timeout: float = 10.0
) -> list[Delivered]:
    """Write ``messages`` to ``topic`` in order and wait for every one; say where
    each went (in the order of ``messages``)."""
    sent = list(messages)
    out: list[Delivered | None] = [None] * len(sent)
    failed: list[KafkaError] = []

    def on_delivery(i: int) -> Any:
        def report(err: KafkaError | None, msg: KafkaMessage) -> None:
            if err is not None:
                failed.append(err)
            else:
                out[i] = Delivered(sent[i].key, msg.partition() or 0, msg.offset() or 0)

        return report

    for i, m in enumerate(sent):
        send(producer, topic, m.value, m.key.encode(), on_delivery=on_delivery(i))
    left = producer.flush(timeout)
    if failed or left:
        raise KafkaException(failed[0] if failed else KafkaError(KafkaError._TIMED_OUT))
    return [d for d in out if d is not None]


# docs:end events-produce-keyed


def send(producer: Producer, topic: str, value: bytes, key: bytes, **kwargs: Any) -> None:
    """``producer.produce``, waiting for room when librdkafka's queue is full
    (its ``BufferError``) instead of failing: a fast loop outruns the network."""
    while True:
        try:
            producer.produce(topic, value, key, **kwargs)
            return
        except BufferError:
            producer.poll(0.05)
