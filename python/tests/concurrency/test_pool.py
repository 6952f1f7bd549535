"""twinbook.concurrency.pool: a worker pool on threads."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError

import pytest

from twinbook.concurrency import pool

from .helpers import TIMEOUT, Gauge


def square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("limit", [1, 2, 5, 100])
def test_ordered_returns_results_in_item_order(limit: int) -> None:
    def late_for_early_items(x: int) -> int:
        time.sleep((10 - x) * 0.001)  # so completion order differs from item order
        return x * x

    assert pool.ordered(late_for_early_items, range(10), limit=limit) == [x * x for x in range(10)]


def test_ordered_of_nothing_is_empty() -> None:
    assert pool.ordered(square, [], limit=3) == []


def test_as_completed_yields_in_completion_order() -> None:
    second_done = threading.Event()

    def fn(x: int) -> int:
        if x == 0:
            assert second_done.wait(TIMEOUT)  # item 0 cannot finish before item 1 has
        return x

    order = []
    for result in pool.as_completed(fn, [0, 1], limit=2):
        order.append(result.index)
        second_done.set()
    assert order == [1, 0]


def test_as_completed_yields_every_index_once_with_its_value() -> None:
    results = list(pool.as_completed(square, range(20), limit=3))
    assert sorted(r.index for r in results) == list(range(20))
    assert all(r.value == r.index**2 and r.error is None for r in results)


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_limit_is_reached_and_never_exceeded(limit: int, gauge: Gauge) -> None:
    # A barrier of `limit` parties only opens if `limit` calls really run at once.
    together = threading.Barrier(limit, timeout=TIMEOUT)

    def fn(x: int) -> int:
        with gauge.track():
            together.wait()
        return x

    assert pool.ordered(fn, range(limit * 3), limit=limit) == list(range(limit * 3))
    assert gauge.peak == limit


@pytest.mark.parametrize("limit", [0, -1, -100])
@pytest.mark.parametrize("call", [pool.ordered, pool.as_completed], ids=["ordered", "as_completed"])
def test_bad_limit_raises_value_error_naming_it(call: Callable[..., object], limit: int) -> None:
    with pytest.raises(ValueError, match=f"limit must be at least 1, got {limit}"):
        call(square, [1, 2], limit=limit)  # as_completed fails at the call, not on next()


def test_ordered_raises_every_failure_in_item_order() -> None:
    def odd_fails(x: int) -> int:
        if x % 2:
            raise ValueError(x)
        return x

    with pytest.raises(ExceptionGroup) as info:
        pool.ordered(odd_fails, range(8), limit=3)
    assert [e.args[0] for e in info.value.exceptions] == [1, 3, 5, 7]
    assert info.value.exceptions[0].__notes__ == ["in twinbook.concurrency.pool: item 1"]


def test_one_failure_does_not_stop_the_other_items(gauge: Gauge) -> None:
    def first_fails(x: int) -> int:
        with gauge.track():
            if x == 0:
                raise RuntimeError("boom")
        return x

    with pytest.raises(ExceptionGroup):
        pool.ordered(first_fails, range(10), limit=2)
    assert gauge.calls == 10


def test_as_completed_returns_exceptions_instead_of_raising() -> None:
    boom = RuntimeError("boom")

    def fn(x: int) -> int:
        raise boom

    [result] = pool.as_completed(fn, [1], limit=1)
    assert result.error is boom and result.value is None
    with pytest.raises(RuntimeError) as info:
        result.unwrap()
    assert info.value is boom


def test_base_exceptions_are_kept_too() -> None:
    def fn(x: int) -> int:
        raise KeyboardInterrupt if x else SystemExit(3)

    with pytest.raises(BaseExceptionGroup) as info:
        pool.ordered(fn, [0, 1], limit=2)
    assert [type(e) for e in info.value.exceptions] == [SystemExit, KeyboardInterrupt]


def _cancel_once_running(
    limit: int, cancel: threading.Event
) -> tuple[list[int], Callable[[int], int], threading.Thread]:
    """Return a fn whose first `limit` calls block, and a thread that cancels once they all run."""
    started: list[int] = []
    running = threading.Barrier(limit + 1, timeout=TIMEOUT)
    release = threading.Event()

    def fn(x: int) -> int:
        started.append(x)
        running.wait()
        assert release.wait(TIMEOUT)
        return x

    def canceller() -> None:
        running.wait()  # every worker is inside fn
        cancel.set()
        release.set()

    thread = threading.Thread(target=canceller, name="test-canceller")
    thread.start()
    return started, fn, thread


def test_cancel_stops_queued_items_and_waits_for_running_ones() -> None:
    cancel = threading.Event()
    started, fn, canceller = _cancel_once_running(2, cancel)
    results = list(pool.as_completed(fn, range(10), limit=2, cancel=cancel))
    canceller.join()

    assert sorted(started) == [0, 1]
    done = {r.index: r.value for r in results if r.error is None}
    assert done == {0: 0, 1: 1}  # running calls were waited for
    never = [r for r in results if r.error is not None]
    assert [r.index for r in never] == list(range(2, 10))
    assert all(isinstance(r.error, CancelledError) for r in never)


def test_cancelled_ordered_raises_the_cancelled_items() -> None:
    cancel = threading.Event()
    _, fn, canceller = _cancel_once_running(3, cancel)
    with pytest.raises(ExceptionGroup) as info:
        pool.ordered(fn, range(5), limit=3, cancel=cancel)
    canceller.join()
    assert [type(e) for e in info.value.exceptions] == [CancelledError, CancelledError]


def test_cancel_set_before_the_start_runs_nothing(gauge: Gauge) -> None:
    cancel = threading.Event()
    cancel.set()

    def fn(x: int) -> int:
        with gauge.track():
            return x

    results = list(pool.as_completed(fn, range(4), limit=2, cancel=cancel))
    assert gauge.calls == 0
    assert [type(r.error) for r in results] == [CancelledError] * 4


def test_leaving_early_stops_queued_items_and_joins_the_workers(gauge: Gauge) -> None:
    def fn(x: int) -> int:
        with gauge.track():
            time.sleep(0.002)
        return x

    with contextlib.closing(pool.as_completed(fn, range(1000), limit=2)) as results:
        next(results)
    # closing() has joined the workers (the autouse fixture checks), having run a handful
    assert gauge.calls < 1000
    assert gauge.active == 0
