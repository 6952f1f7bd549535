"""twinbook.concurrency.pipeline and .channel: pipelines on threads."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from twinbook.concurrency import pipeline
from twinbook.concurrency.channel import Channel

from .helpers import TIMEOUT, Counting, eventually


def inc(x: int) -> int:
    return x + 1


@pytest.mark.parametrize("maxsize", [1, 3, 100])
def test_stages_apply_in_order(maxsize: int) -> None:
    source = pipeline.generate(range(50), maxsize=maxsize)
    doubled = pipeline.stage(lambda x: x * 2, source, maxsize=maxsize)
    assert pipeline.collect(pipeline.stage(inc, doubled, maxsize=maxsize)) == [
        x * 2 + 1 for x in range(50)
    ]


def test_an_empty_source_closes_at_once() -> None:
    assert pipeline.collect(pipeline.stage(inc, pipeline.generate([]))) == []


@pytest.mark.parametrize(
    "make",
    [
        lambda m: Channel(m),
        lambda m: pipeline.generate([], maxsize=m),
        lambda m: pipeline.stage(inc, Channel(1), maxsize=m),
    ],
    ids=["Channel", "generate", "stage"],
)
@pytest.mark.parametrize("maxsize", [0, -1])
def test_maxsize_below_one_raises_value_error_naming_it(
    make: Callable[[int], object], maxsize: int
) -> None:
    with pytest.raises(ValueError, match=f"maxsize must be at least 1, got {maxsize}"):
        make(maxsize)


@pytest.mark.parametrize(("m1", "m2"), [(1, 1), (2, 3), (5, 1)])
def test_a_blocked_consumer_stops_the_producer(m1: int, m2: int) -> None:
    # Nobody reads `out`: it fills (m2), the stage blocks holding one item, its
    # input fills (m1), and generate blocks holding one more. Then nothing moves.
    source, cancel = Counting(), threading.Event()
    source_channel = pipeline.generate(source, maxsize=m1, cancel=cancel)
    out = pipeline.stage(inc, source_channel, maxsize=m2, cancel=cancel)
    bound = m1 + m2 + 2
    eventually(lambda: source.pulled >= bound)
    time.sleep(0.05)  # a producer without backpressure would run far ahead meanwhile
    assert source.pulled == bound

    cancel.set()
    out.join(TIMEOUT)


def test_a_slow_consumer_slows_the_producer() -> None:
    source = Counting(stop=40)
    out = pipeline.stage(inc, pipeline.generate(source, maxsize=2), maxsize=2)
    received = 0
    for value in out:
        received += 1
        assert value == received
        assert source.pulled - received <= 2 + 2 + 2  # never further ahead than the buffers
        time.sleep(0.001)
    assert received == 40
    out.join(TIMEOUT)


def test_cancel_shuts_down_an_endless_pipeline() -> None:
    cancel = threading.Event()

    def cancel_at_20(x: int) -> int:
        if x == 20:
            cancel.set()
        return x

    source = pipeline.generate(itertools.count(), cancel=cancel)
    got = pipeline.collect(pipeline.stage(cancel_at_20, source, cancel=cancel), cancel=cancel)
    assert got == list(range(len(got)))  # a prefix, in order
    assert len(got) <= 21
    # collect() has joined every thread: the autouse fixture checks


def test_an_exception_in_a_stage_reaches_collect_and_stops_the_source() -> None:
    boom = ValueError("boom at 5")

    def fails_at_5(x: int) -> int:
        if x == 5:
            raise boom
        return x

    endless = pipeline.generate(itertools.count())
    with pytest.raises(ValueError) as info:
        pipeline.collect(pipeline.stage(inc, pipeline.stage(fails_at_5, endless)))
    assert info.value is boom  # the very object, through every stage downstream


def test_an_exception_from_the_source_iterable_reaches_collect() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise LookupError("source broke")

    with pytest.raises(LookupError, match="source broke"):
        pipeline.collect(pipeline.stage(inc, pipeline.generate(items())))


def test_every_receiver_sees_the_end_of_a_channel() -> None:
    channel: Channel[int] = Channel(4)
    got: list[list[int]] = [[], [], []]
    receivers = [threading.Thread(target=lambda g=g: g.extend(channel)) for g in got]
    for r in receivers:
        r.start()
    for x in range(30):
        assert channel.send(x)
    channel.close()
    for r in receivers:
        r.join(TIMEOUT)
        assert not r.is_alive()
    assert sorted(itertools.chain(*got)) == list(range(30))  # each item to exactly one


def test_a_closed_channel_raises_its_error_after_its_items() -> None:
    channel: Channel[int] = Channel(3)
    channel.send(1)
    channel.close(KeyError("late"))
    got = []
    with pytest.raises(KeyError):
        for x in channel:
            got.append(x)
    assert got == [1]


@pytest.mark.parametrize("how", ["abandon", "cancel"])
def test_a_blocked_sender_gives_up_on_abandon_or_cancel(how: str) -> None:
    channel: Channel[int] = Channel(1)
    cancel = threading.Event()
    assert channel.send(0, cancel)  # now full
    outcome: list[bool] = []
    sender = threading.Thread(target=lambda: outcome.append(channel.send(1, cancel)))
    sender.start()
    time.sleep(0.03)  # let it block (if it did not, the assertion below fails anyway)
    assert outcome == []
    if how == "abandon":
        channel.abandon()
    else:
        cancel.set()
    sender.join(TIMEOUT)
    assert outcome == [False]


def test_abandoning_the_output_stops_the_whole_pipeline() -> None:
    out = pipeline.stage(inc, pipeline.stage(inc, pipeline.generate(itertools.count())))
    assert next(iter(out)) == 2
    out.abandon()
    out.join(TIMEOUT)  # every thread upstream has ended
