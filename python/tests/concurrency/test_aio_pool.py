"""twinbook.concurrency.aio.pool: a worker pool on asyncio."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from twinbook.concurrency import aio

from .helpers import Gauge, settle

Run = Callable[[Coroutine[Any, Any, Any]], Any]


async def square(x: int) -> int:
    await asyncio.sleep(0)
    return x * x


@pytest.mark.parametrize("limit", [1, 2, 5, 100])
def test_ordered_returns_results_in_item_order(arun: Run, limit: int) -> None:
    async def late_for_early_items(x: int) -> int:
        await asyncio.sleep((10 - x) * 0.001)
        return x * x

    got = arun(aio.pool.ordered(late_for_early_items, range(10), limit=limit))
    assert got == [x * x for x in range(10)]


def test_ordered_of_nothing_is_empty(arun: Run) -> None:
    assert arun(aio.pool.ordered(square, [], limit=1)) == []


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_limit_is_reached_and_never_exceeded(arun: Run, limit: int, gauge: Gauge) -> None:
    async def main() -> list[int]:
        together = asyncio.Barrier(limit)  # opens only if `limit` calls run at once

        async def fn(x: int) -> int:
            with gauge.track():
                await together.wait()
            return x

        return await aio.pool.ordered(fn, range(limit * 3), limit=limit)

    assert arun(main()) == list(range(limit * 3))
    assert gauge.peak == limit


@pytest.mark.parametrize("limit", [0, -1])
def test_bad_limit_raises_value_error_naming_it(arun: Run, limit: int) -> None:
    with pytest.raises(ValueError, match=f"got {limit}"):
        aio.pool.as_completed(square, [1], limit=limit)  # at the call, before any await
    with pytest.raises(ValueError, match=f"got {limit}"):
        arun(aio.pool.ordered(square, [1], limit=limit))


def test_ordered_raises_every_failure_in_item_order(arun: Run) -> None:
    async def odd_fails(x: int) -> int:
        await asyncio.sleep(0)
        if x % 2:
            raise ValueError(x)
        return x

    with pytest.raises(ExceptionGroup) as info:
        arun(aio.pool.ordered(odd_fails, range(8), limit=3))
    assert [e.args[0] for e in info.value.exceptions] == [1, 3, 5, 7]
    assert info.value.exceptions[0].__notes__ == ["in twinbook.concurrency.aio.pool: item 1"]


def test_as_completed_yields_in_completion_order(arun: Run) -> None:
    async def main() -> list[int]:
        second_done = asyncio.Event()

        async def fn(x: int) -> int:
            if x == 0:
                await second_done.wait()
            return x

        order = []
        async for result in aio.pool.as_completed(fn, [0, 1], limit=2):
            order.append(result.index)
            second_done.set()
        return order

    assert arun(main()) == [1, 0]


def test_as_completed_returns_exceptions_instead_of_raising(arun: Run) -> None:
    async def fn(x: int) -> int:
        raise LookupError(x)

    async def main() -> list[aio.pool.Result[int]]:
        return [r async for r in aio.pool.as_completed(fn, [7, 8], limit=2)]

    results = arun(main())
    assert sorted(r.error.args[0] for r in results if r.error) == [7, 8]


def test_cancelling_the_caller_cancels_running_calls_and_starts_no_more(arun: Run) -> None:
    started: list[int] = []
    cancelled: list[int] = []

    async def main() -> None:
        async def fn(x: int) -> int:
            started.append(x)
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.append(x)
                raise
            return x

        task = asyncio.create_task(aio.pool.ordered(fn, range(10), limit=3))
        await settle()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    arun(main())
    assert sorted(started) == [0, 1, 2]
    assert sorted(cancelled) == [0, 1, 2]


def test_closing_as_completed_early_cancels_the_workers(arun: Run) -> None:
    cancelled: list[int] = []

    async def fn(x: int) -> int:
        if x == 0:
            return x
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(x)
            raise
        return x

    async def main() -> int | None:
        async with contextlib.aclosing(aio.pool.as_completed(fn, range(5), limit=3)) as results:
            async for result in results:
                return result.value
        return None

    assert arun(main()) == 0
    assert sorted(cancelled) == [1, 2, 3]  # 0 done, its worker took 3; 4 never started


def test_cancelling_the_consumer_of_as_completed_leaves_nothing_running(arun: Run) -> None:
    async def fn(x: int) -> int:
        await asyncio.sleep(60 if x else 0)
        return x

    async def main() -> None:
        got: list[int] = []

        async def consume() -> None:
            async for result in aio.pool.as_completed(fn, range(4), limit=2):
                got.append(result.index)

        task = asyncio.create_task(consume())
        await settle()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert got == [0]

    arun(main())
