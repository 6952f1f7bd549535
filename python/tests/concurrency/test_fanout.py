"""twinbook.concurrency.fanout: fan-out and fan-in on threads."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import pytest

from twinbook.concurrency import fanout, pipeline

from .helpers import TIMEOUT, Gauge


def triple(x: int) -> int:
    return 3 * x


@pytest.mark.parametrize("workers", [1, 3, 5])
def test_fan_out_then_merge_processes_every_item_once(workers: int) -> None:
    outs = fanout.fan_out(triple, pipeline.generate(range(100)), workers=workers)
    assert len(outs) == workers
    assert sorted(pipeline.collect(fanout.merge(*outs))) == [3 * x for x in range(100)]


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_really_run_at_once(workers: int, gauge: Gauge) -> None:
    together = threading.Barrier(workers, timeout=TIMEOUT)

    def fn(x: int) -> int:
        with gauge.track():
            together.wait()
        return x

    outs = fanout.fan_out(fn, pipeline.generate(range(workers * 4)), workers=workers)
    assert sorted(pipeline.collect(fanout.merge(*outs))) == list(range(workers * 4))
    assert gauge.peak == workers


@pytest.mark.parametrize("workers", [0, -2])
def test_fan_out_needs_a_worker(workers: int) -> None:
    with pytest.raises(ValueError, match=f"workers must be at least 1, got {workers}"):
        fanout.fan_out(triple, pipeline.Channel(1), workers=workers)


def test_merge_keeps_the_order_within_each_source() -> None:
    letters, numbers = list("abcdefghij"), list(range(10))
    merged = pipeline.collect(
        fanout.merge(pipeline.generate(letters), pipeline.generate(numbers), maxsize=3)
    )
    assert [x for x in merged if isinstance(x, str)] == letters
    assert [x for x in merged if isinstance(x, int)] == numbers


def test_merge_of_nothing_closes_at_once() -> None:
    assert pipeline.collect(fanout.merge()) == []


def test_a_failing_worker_stops_the_fan_out_and_its_error_reaches_collect() -> None:
    boom = ArithmeticError("worker failed")

    def fails_at_7(x: int) -> int:
        if x == 7:
            raise boom
        return x

    outs = fanout.fan_out(fails_at_7, pipeline.generate(itertools.count()), workers=3)
    with pytest.raises(ArithmeticError) as info:
        pipeline.collect(fanout.merge(*outs))
    assert info.value is boom  # once, not once per worker


def test_when_sources_fail_the_failure_is_reported() -> None:
    def broken(name: str) -> Iterator[int]:
        yield 1
        raise KeyError(name)

    merged = fanout.merge(pipeline.generate(broken("a")), pipeline.generate(broken("b")))
    with pytest.raises((KeyError, BaseExceptionGroup)) as info:
        pipeline.collect(merged)
    # The first failure abandons the other source, whose own failure is reported
    # too if it arrived first: one error, or a group of both.
    errors = info.value.exceptions if isinstance(info.value, BaseExceptionGroup) else [info.value]
    assert {e.args[0] for e in errors} in ({"a"}, {"b"}, {"a", "b"})


def test_cancel_shuts_down_fan_out_and_merge() -> None:
    cancel = threading.Event()

    def fn(x: int) -> int:
        if x >= 30:
            cancel.set()
        return x

    source = pipeline.generate(itertools.count(), cancel=cancel)
    outs = fanout.fan_out(fn, source, workers=3, cancel=cancel)
    got = pipeline.collect(fanout.merge(*outs, cancel=cancel), cancel=cancel)
    assert len(set(got)) == len(got)
    # collect() joined every thread upstream, through merge and all three workers
