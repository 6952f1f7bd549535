"""A crash while processing record 4 of 0..9: committing first loses it, last repeats it."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from confluent_kafka import Message as KafkaMessage

from twinbook.events import Config, GroupConfig, Semantics, consume, join

from .helpers import DEADLINE, produce


class Crash(Exception):
    """The injected crash."""


@pytest.mark.parametrize(
    ("semantics", "lost", "twice", "resume_at"),
    [
        pytest.param(Semantics.AT_MOST_ONCE, ["4"], [], 5, id="at-most-once"),
        pytest.param(Semantics.AT_LEAST_ONCE, [], ["4"], 4, id="at-least-once"),
    ],
)
def test_a_crash_loses_or_repeats_by_commit_order(
    config: Config,
    topic: Callable[[str, int], str],
    fresh: Callable[[str], str],
    semantics: Semantics,
    lost: list[str],
    twice: list[str],
    resume_at: int,
) -> None:
    name = topic("in", 1)
    want = [str(i) for i in range(10)]
    produce(config, name, *want)
    group = fresh("group")
    done: list[str] = []  # the side effect of processing

    def crashing(msg: KafkaMessage) -> None:
        if msg.offset() == 4 and semantics is Semantics.AT_MOST_ONCE:
            raise Crash  # before the work: it never happens
        done.append((msg.value() or b"").decode())
        if msg.offset() == 4:
            raise Crash  # after the work, before the commit

    first = join(GroupConfig(config, group, [name], "first"))
    try:
        with pytest.raises(Crash):
            consume(first, semantics, crashing, threading.Event(), DEADLINE)
    finally:
        first.close()

    second = join(GroupConfig(config, group, [name], "second"))
    stop = threading.Event()
    resumed: list[int] = []

    def rest(msg: KafkaMessage) -> None:
        resumed.append(msg.offset() or 0)
        done.append((msg.value() or b"").decode())
        if msg.offset() == 9:
            stop.set()

    try:
        consume(second, semantics, rest, stop, DEADLINE)
    finally:
        second.close()

    assert resumed[0] == resume_at
    count = Counter(done)
    assert [v for v in want if count[v] == 0] == lost
    assert [v for v in want if count[v] > 1] == twice


def test_unknown_semantics_are_refused(config: Config, topic: Callable[[str, int], str]) -> None:
    name = topic("in", 1)
    member = join(GroupConfig(config, f"{name}-group", [name]))
    try:
        with pytest.raises(ValueError, match="exactly-once"):
            consume(member, "exactly-once", lambda msg: None, threading.Event(), DEADLINE)  # type: ignore[arg-type]
    finally:
        member.close()
