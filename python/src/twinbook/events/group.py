"""A member of a consumer group, whose rebalances a notebook can show.

The Go twin is ``go/events/group.go``. Both use the cooperative-sticky assignor
(kgo's default; librdkafka's must be asked for): a rebalance moves only the
partitions that change hands, and the others keep being consumed meanwhile.
librdkafka runs the rebalance callbacks inside :meth:`Member.poll`, so a member
that does not poll does not take part in a rebalance either.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka import Message as KafkaMessage

from .client import BrokerUnavailableError, Config, ping

__all__ = [
    "GroupConfig",
    "Member",
    "RebalanceEvent",
    "RebalanceKind",
    "RebalanceLog",
    "join",
]


class RebalanceKind(StrEnum):
    """What a rebalance did to a member's partitions."""

    ASSIGNED = "assigned"
    REVOKED = "revoked"
    LOST = "lost"


@dataclass(frozen=True)
class RebalanceEvent:
    """One callback: which member, what happened, to which partitions by topic."""

    member: str
    kind: RebalanceKind
    partitions: dict[str, list[int]]


class RebalanceLog:
    """The rebalance events of every member that shares it, in order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[RebalanceEvent] = []

    def events(self) -> list[RebalanceEvent]:
        """A copy of the events so far."""
        with self._lock:
            return list(self._events)

    def add(self, event: RebalanceEvent) -> None:
        """Append ``event``."""
        with self._lock:
            self._events.append(event)


@dataclass(frozen=True)
class GroupConfig:
    """A member's configuration.

    ``session_timeout`` is how long the group waits for a silent member before it
    rebalances without it (librdkafka's 45 s when ``None``); heartbeats go at a
    tenth of it, and a heartbeat is how a member learns that a rebalance began.
    """

    config: Config
    group: str
    topics: Sequence[str]
    member: str = ""
    log: RebalanceLog | None = None
    read_committed: bool = False
    session_timeout: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def librdkafka(self) -> dict[str, Any]:
        """The consumer's settings: manual commits, from the oldest record."""
        settings: dict[str, Any] = {
            "group.id": self.group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": "cooperative-sticky",
            "isolation.level": "read_committed" if self.read_committed else "read_uncommitted",
        }
        if self.session_timeout is not None:
            ms = int(self.session_timeout * 1000)
            settings |= {"session.timeout.ms": ms, "heartbeat.interval.ms": ms // 10}
        return self.config.librdkafka(settings | self.settings)


def _by_topic(partitions: Sequence[TopicPartition]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for tp in partitions:
        out.setdefault(tp.topic, []).append(tp.partition)
    return {topic: sorted(ps) for topic, ps in sorted(out.items())}


class Member:
    """One consumer in a group; it commits only when told to. Make it with :func:`join`."""

    def __init__(self, config: GroupConfig) -> None:
        self.name = config.member
        self._config = config
        self._lock = threading.Lock()
        self._assigned: set[tuple[str, int]] = set()
        self.consumer = Consumer(config.librdkafka())

    def _note(self, kind: RebalanceKind, partitions: list[TopicPartition]) -> None:
        with self._lock:
            pairs = {(tp.topic, tp.partition) for tp in partitions}
            if kind is RebalanceKind.ASSIGNED:
                self._assigned |= pairs
            else:
                self._assigned -= pairs
        if self._config.log is not None:
            self._config.log.add(RebalanceEvent(self.name, kind, _by_topic(partitions)))

    def assigned(self) -> dict[str, list[int]]:
        """The partitions the member owns now, by topic."""
        with self._lock:
            return _by_topic([TopicPartition(t, p) for t, p in self._assigned])

    def poll(self, timeout: float) -> list[KafkaMessage]:
        """Wait up to ``timeout`` seconds for records (none on timeout: a quiet topic
        is not an error); rebalance callbacks run in here."""
        out = []
        for msg in self.consumer.consume(num_messages=500, timeout=timeout):
            err = msg.error()
            if err is None:
                out.append(msg)
            elif err.code() != KafkaError._PARTITION_EOF:
                raise KafkaException(err)
        return out

    def commit(self, *messages: KafkaMessage) -> None:
        """Record that everything up to and including ``messages`` is done: the
        group's next owner of those partitions starts after them."""
        self.consumer.commit(offsets=next_offsets(messages), asynchronous=False)

    def close(self) -> None:
        """Leave the group, so the others rebalance at once instead of after the
        session timeout. Nothing is committed on the way out."""
        self.consumer.close()


# docs:start events-join
def join(config: GroupConfig) -> Member:
    """A member of ``config.group`` reading ``config.topics`` from the oldest record.
    Each rebalance callback updates what the member owns and goes to ``config.log``.
    Auto-commit is off: the caller decides when an offset is done."""
    member = Member(config)
    try:
        ping(member.consumer, config.config)
    except BrokerUnavailableError:
        member.close()
        raise

    def note(kind: RebalanceKind) -> Any:
        return lambda _consumer, partitions: member._note(kind, partitions)

    member.consumer.subscribe(
        list(config.topics),
        on_assign=note(RebalanceKind.ASSIGNED),
        on_revoke=note(RebalanceKind.REVOKED),
        on_lost=note(RebalanceKind.LOST),
    )
    return member


# docs:end events-join


def next_offsets(messages: Sequence[KafkaMessage]) -> list[TopicPartition]:
    """Per partition, the offset after the last of ``messages``: what a commit says."""
    last: dict[tuple[str, int], int] = {}
    for m in messages:
        key = (m.topic() or "", m.partition() or 0)
        last[key] = max(last.get(key, -1), m.offset() or 0)
    return [TopicPartition(t, p, offset + 1) for (t, p), offset in sorted(last.items())]
