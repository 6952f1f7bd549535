"""The log in a compacted Kafka topic of one partition, as Confluent's registry keeps it
(the Go twin is ``go/registry/kafkastore.go``): each record's key says what it is about,
so compaction keeps the latest record per key and the topic still replays to the same
state. One registry writes to a topic at a time (there is no leader election here)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient, NewTopic

from .errors import KafkaUnavailableError
from .records import Record, parse_key

DEFAULT_TOPIC = "_schemas"
"""The topic Confluent's registry keeps its log in."""


_NOT_YET_KNOWN = frozenset(
    {
        KafkaError._UNKNOWN_PARTITION,
        KafkaError._UNKNOWN_TOPIC,
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError.NOT_LEADER_FOR_PARTITION,
    }
)
"""Errors of a topic the broker does not know yet, right after it was created."""


def _base(bootstrap: str) -> dict[str, Any]:
    # enable.metrics.push off: librdkafka's telemetry otherwise logs lines about it.
    return {"bootstrap.servers": bootstrap, "enable.metrics.push": False}


class KafkaStore:
    """Open it with :meth:`open`; it creates the topic when missing."""

    def __init__(self, bootstrap: str, topic: str, timeout: float) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self._timeout = timeout
        self._producer = Producer(
            {
                **_base(bootstrap),
                "acks": "all",
                "enable.idempotence": True,
                "linger.ms": 0,
                "message.timeout.ms": int(timeout * 1000),
            }
        )

    @classmethod
    def open(cls, bootstrap: str, topic: str = DEFAULT_TOPIC, timeout: float = 10.0) -> KafkaStore:
        """Connect and create the topic if it is missing (cleanup.policy=compact, one
        partition, replication factor 1). KafkaUnavailableError when the broker does not
        answer within ``timeout``."""
        # Quiet: a broker that is not there is said once, by the error below, not by a
        # librdkafka log line per connection attempt.
        admin = AdminClient({**_base(bootstrap), "log_level": 0})
        try:
            topics = admin.list_topics(timeout=timeout).topics
        except KafkaException as err:
            raise KafkaUnavailableError(
                f"kafka unavailable: {bootstrap} did not answer within {timeout:g}s: {err}"
            ) from None
        if topic not in topics:
            new = NewTopic(
                topic, num_partitions=1, replication_factor=1, config={"cleanup.policy": "compact"}
            )
            future = admin.create_topics([new], request_timeout=timeout)[topic]
            try:
                future.result(timeout=timeout)
            except KafkaException as err:
                if err.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise RuntimeError(f"create topic {topic} on {bootstrap}: {err}") from None
        return cls(bootstrap, topic, timeout)

    def load(self, apply: Callable[[Record], None], timeout: float) -> None:
        """Read the topic from its start to the end offset it had when load began."""
        deadline = time.monotonic() + timeout
        consumer = Consumer(
            {
                **_base(self.bootstrap),
                "group.id": "twinbook-registry-loader",
                "enable.auto.commit": False,
                "enable.partition.eof": True,
            }
        )
        try:
            end = self._end_offset(consumer, deadline)
            if end <= 0:
                return
            consumer.assign([TopicPartition(self.topic, 0, OFFSET_BEGINNING)])
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"reading {self.topic} to offset {end} took over {timeout:g}s"
                    )
                msg = consumer.poll(min(left, 0.5))
                if msg is None:
                    continue
                failure = msg.error()
                offset = msg.offset() or 0
                if failure is not None:
                    if failure.code() == KafkaError._PARTITION_EOF:
                        if offset >= end:
                            return
                        continue
                    raise RuntimeError(f"reading {self.topic}: {failure}")
                if offset >= end:
                    return
                apply(Record(parse_key(msg.key() or b""), msg.value()))
                if offset >= end - 1:
                    return
        finally:
            consumer.close()

    def _end_offset(self, consumer: Consumer, deadline: float) -> int:
        """The topic's end offset. A topic just created may not be known to the broker
        that leads it yet (real Kafka propagates metadata after CreateTopics answers):
        ask again until the deadline."""
        while True:
            left = deadline - time.monotonic()
            try:
                _, end = consumer.get_watermark_offsets(
                    TopicPartition(self.topic, 0), timeout=max(left, 0.1)
                )
                return int(end)
            except KafkaException as err:
                code = err.args[0].code()
                if left <= 0 or code not in _NOT_YET_KNOWN:
                    raise KafkaUnavailableError(
                        f"kafka unavailable: end offset of {self.topic}: {err}"
                    ) from None
            time.sleep(0.05)  # a retry's pace, not a wait for an event: the loop polls

    def append(self, records: list[Record], timeout: float) -> None:
        """Produce ``records`` in order; return once every in-sync broker has them."""
        failures: list[str] = []

        def delivered(err: KafkaError | None, _msg: object) -> None:
            if err is not None:
                failures.append(str(err))

        for r in records:
            self._producer.produce(
                self.topic, key=r.key.encode(), value=r.value, partition=0, on_delivery=delivered
            )
        if self._producer.flush(timeout) > 0:
            raise TimeoutError(f"produce to {self.topic}: not acknowledged within {timeout:g}s")
        if failures:
            raise RuntimeError(f"produce to {self.topic}: {failures[0]}")

    def close(self) -> None:
        self._producer.flush(self._timeout)
