"""Concurrency inside one consumer, on asyncio: overlap across keys, order within a key.

The Go twin is ``go/events/concurrent.go`` (goroutines there, tasks here). The client
is aiokafka, because this is where asyncio teaches something: a consumer that awaits
I/O per record can keep many records in flight on one thread. Two rules keep it
correct:

* records with the same key are still handled one after another, in order (each
  waits for the end of the key's previous record), while different keys overlap;
* a commit never passes the oldest record not yet done (:class:`Watermark`): records
  finish out of order, and committing the newest finished one would lose the older
  ones still running if the process died. So a failure repeats every record that
  finished after the failed one, and loses none: at-least-once, wider.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError as AIOKafkaError
from aiokafka.structs import TopicPartition

from .client import BrokerUnavailableError
from .group import GroupConfig

__all__ = ["AsyncHandler", "Watermark", "consume_concurrently", "join_async"]


class _Record(Protocol):
    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...


@dataclass
class _Progress:
    started: list[int] = field(default_factory=list)  # in offset order
    done: set[int] = field(default_factory=set)


class Watermark:
    """Records that finish out of order, and how far each partition may be committed."""

    def __init__(self) -> None:
        self._parts: dict[tuple[str, int], _Progress] = {}

    def start(self, record: _Record) -> None:
        """Note that ``record``'s processing began; call it in offset order."""
        key = (record.topic, record.partition)
        self._parts.setdefault(key, _Progress()).started.append(record.offset)

    def done(self, record: _Record) -> None:
        """Note that ``record``'s processing finished."""
        self._parts[(record.topic, record.partition)].done.add(record.offset)

    # docs:start events-watermark
    def committable(self) -> dict[str, dict[int, int]]:
        """Per topic and partition, the offset to commit: one past the longest run of
        done records from the oldest started one. Those records are forgotten; a
        partition with nothing new done is left out."""
        out: dict[str, dict[int, int]] = {}
        for (topic, partition), progress in self._parts.items():
            n = 0
            while n < len(progress.started) and progress.started[n] in progress.done:
                progress.done.discard(progress.started[n])
                n += 1
            if n:
                out.setdefault(topic, {})[partition] = progress.started[n - 1] + 1
                del progress.started[:n]
        return out

    # docs:end events-watermark


AsyncHandler = Callable[[Any], Awaitable[None]]
"""Processes one aiokafka ``ConsumerRecord``; an exception is a failure."""


async def join_async(config: GroupConfig) -> AIOKafkaConsumer:
    """An aiokafka member of ``config.group``, started: manual commits, from the
    oldest record. :class:`BrokerUnavailableError` within the config's timeout."""
    consumer = AIOKafkaConsumer(
        *config.topics,
        bootstrap_servers=config.config.bootstrap,
        group_id=config.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed" if config.read_committed else "read_uncommitted",
        request_timeout_ms=max(int(config.config.timeout * 1000), 1000),
    )
    try:
        await asyncio.wait_for(consumer.start(), config.config.timeout)
    except (TimeoutError, AIOKafkaError) as err:
        await consumer.stop()
        raise BrokerUnavailableError(f"{config.config.bootstrap}: {err!r}") from err
    return consumer


async def _commit(consumer: AIOKafkaConsumer, offsets: dict[str, dict[int, int]]) -> None:
    if offsets:
        await consumer.commit(
            {TopicPartition(t, p): o for t, parts in offsets.items() for p, o in parts.items()}
        )


# docs:start events-key-order
async def _in_order(
    record: Any,
    previous: asyncio.Event | None,
    end: asyncio.Event,
    handle: AsyncHandler,
    watermark: Watermark,
) -> None:
    """Handle ``record`` once the same key's previous record has ended, then mark it
    done in the watermark; either way set ``end``, so the key's next record can go."""
    try:
        if previous is not None:
            await previous.wait()
        await handle(record)
        watermark.done(record)
    finally:
        end.set()


# docs:end events-key-order


async def consume_concurrently(
    consumer: AIOKafkaConsumer, limit: int, handle: AsyncHandler, stop: asyncio.Event
) -> None:
    """At-least-once with up to ``limit`` records in flight; each key in order. After
    each poll, commit what the :class:`Watermark` allows. Return when ``stop`` is set
    or raise a handler's exception, once the records in flight have finished."""
    watermark, slots = Watermark(), asyncio.Semaphore(max(limit, 1))
    last: dict[bytes | None, asyncio.Event] = {}  # per key: its latest record's end
    failures: list[Exception] = []

    async def run(record: Any, previous: asyncio.Event | None, end: asyncio.Event) -> None:
        try:
            await _in_order(record, previous, end, handle, watermark)
        except Exception as err:
            failures.append(err)
        finally:
            slots.release()

    async with asyncio.TaskGroup() as tasks:
        while not stop.is_set() and not failures:
            batches = await consumer.getmany(timeout_ms=100)
            for record in (r for records in batches.values() for r in records):
                await slots.acquire()
                watermark.start(record)
                previous, last[record.key] = last.get(record.key), asyncio.Event()
                tasks.create_task(run(record, previous, last[record.key]))
            await _commit(consumer, watermark.committable())
    await _commit(consumer, watermark.committable())
    if failures:
        raise failures[0]
