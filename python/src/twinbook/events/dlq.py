"""Dead letters: a record that cannot be processed is set aside, and consuming goes on.

The Go twin is ``go/events/dlq.go``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka import Message as KafkaMessage

from .delivery import Handler
from .group import Member
from .producer import send

__all__ = [
    "HEADER_ERROR",
    "HEADER_OFFSET",
    "HEADER_PARTITION",
    "HEADER_TOPIC",
    "DeadLetter",
    "consume_with_dlq",
    "dead_letter",
    "dlq_topic",
]

#: The headers of a dead letter: why it failed and where it came from.
HEADER_ERROR = "dlq.error"
HEADER_TOPIC = "dlq.topic"
HEADER_PARTITION = "dlq.partition"
HEADER_OFFSET = "dlq.offset"


def dlq_topic(topic: str) -> str:
    """Where records of ``topic`` that cannot be processed go."""
    return topic + ".dlq"


@dataclass(frozen=True)
class DeadLetter:
    """A record on its way to the dead-letter topic."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


# docs:start events-dead-letter
def dead_letter(msg: KafkaMessage, cause: BaseException) -> DeadLetter:
    """``msg`` on its way to the dead-letter topic: the same key, value and headers,
    plus the error and ``msg``'s origin, so that someone can find the cause, fix it
    and replay the record to its topic."""
    topic = msg.topic() or ""
    raw = msg.headers() or []
    pairs = list(raw.items()) if isinstance(raw, dict) else raw
    headers = [(k, v.encode() if isinstance(v, str) else v or b"") for k, v in pairs]
    headers += [
        (HEADER_ERROR, f"{type(cause).__name__}: {cause}".encode()),
        (HEADER_TOPIC, topic.encode()),
        (HEADER_PARTITION, str(msg.partition()).encode()),
        (HEADER_OFFSET, str(msg.offset()).encode()),
    ]
    return DeadLetter(dlq_topic(topic), msg.key(), msg.value(), headers)


# docs:end events-dead-letter


def _write(producer: Producer, letter: DeadLetter, timeout: float) -> None:
    failed: list[KafkaError] = []

    def report(err: KafkaError | None, _msg: KafkaMessage) -> None:
        if err is not None:
            failed.append(err)

    send(
        producer,
        letter.topic,
        letter.value or b"",
        letter.key or b"",
        headers=letter.headers,
        on_delivery=report,
    )
    if producer.flush(timeout) or failed:
        raise KafkaException(failed[0] if failed else KafkaError(KafkaError._TIMED_OUT))


# docs:start events-consume-dlq
def consume_with_dlq(
    member: Member,
    producer: Producer,
    handle: Handler,
    stop: threading.Event,
    timeout: float,
) -> None:
    """At-least-once consuming where a record that ``handle`` rejects does not stop
    the partition behind it: it is written to the dead-letter topic (and that write
    confirmed) before its offset is committed, and consuming goes on until ``stop``.
    """
    deadline = time.monotonic() + timeout
    while not stop.is_set():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{member.name}: not stopped within {timeout} s")
        for msg in member.poll(0.1):
            try:
                handle(msg)
            except Exception as err:  # any failure makes a dead letter
                _write(producer, dead_letter(msg, err), timeout)
            member.commit(msg)


# docs:end events-consume-dlq
