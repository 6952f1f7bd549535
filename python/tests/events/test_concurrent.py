"""Records in flight at once: keys overlap, each key keeps its order, commits never
pass the oldest unfinished record (aiokafka)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord

from twinbook.events import (
    BrokerUnavailableError,
    Config,
    GroupConfig,
    Message,
    Semantics,
    Watermark,
    consume,
    consume_concurrently,
    join,
    join_async,
    new_producer,
    produce_keyed,
)

from .helpers import DEADLINE, committed_offset, wait_for


def rec(partition: int, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", partition, offset, 0, 0, None, None, None, 0, 0, [])


def test_watermark_stops_at_the_oldest_record_not_done() -> None:
    w = Watermark()
    for offset in range(5):
        w.start(rec(0, offset))
    w.start(rec(1, 7))
    steps: list[tuple[list[tuple[int, int]], dict[str, dict[int, int]]]] = [
        ([(0, 1), (0, 2)], {}),
        ([(0, 0)], {"t": {0: 3}}),
        ([(0, 4), (1, 7)], {"t": {1: 8}}),
        ([(0, 3)], {"t": {0: 5}}),
        ([], {}),
    ]
    for done, want in steps:
        for partition, offset in done:
            w.done(rec(partition, offset))
        assert w.committable() == want


# offsets 0..7
KEYS = ["a", "a", "b", "a", "c", "d", "e", "f"]


class Fail(Exception):
    """The handler's failure at offset 4."""


def test_consume_concurrently(
    config: Config,
    topic: Callable[[str, int], str],
    fresh: Callable[[str], str],
    arun: Callable[..., Any],
) -> None:
    name = topic("in", 1)
    produce_keyed(
        new_producer(config), name, [Message(k, str(i).encode()) for i, k in enumerate(KEYS)]
    )
    group = GroupConfig(config, fresh("group"), [name])
    order: list[int] = []

    async def first_member() -> None:
        b_done = asyncio.Event()  # offset 2 (key b) finished

        async def handle(record: Any) -> None:
            if record.offset == 0:
                await b_done.wait()  # a later key ran meanwhile: keys overlap
            if record.offset == 4:
                raise Fail
            order.append(record.offset)
            if record.offset == 2:
                b_done.set()

        consumer = await join_async(group)
        try:
            await consume_concurrently(consumer, 8, handle, asyncio.Event())
        finally:
            await consumer.stop()

    with pytest.raises(Fail):
        arun(first_member())
    assert [o for o in order if KEYS[o] == "a"] == [0, 1, 3]
    assert order.index(2) < order.index(0)
    # up to the failed record, not past it (real Kafka may show it a little later)
    wait_for("the group's offset 4", lambda: committed_offset(config, group.group, name) == 4)

    # A new member resumes at the failed record.
    member = join(GroupConfig(config, group.group, [name], "second"))
    stop, resumed = threading.Event(), []

    def again(msg: Any) -> None:
        resumed.append(msg.offset())
        if msg.offset() == 7:
            stop.set()

    try:
        consume(member, Semantics.AT_LEAST_ONCE, again, stop, DEADLINE)
    finally:
        member.close()
    assert resumed == [4, 5, 6, 7]


def test_join_async_without_a_broker_is_a_named_error(arun: Callable[..., Any]) -> None:
    with pytest.raises(BrokerUnavailableError):
        arun(join_async(GroupConfig(Config("127.0.0.1:1", timeout=1.0), "g", ["t"])))
