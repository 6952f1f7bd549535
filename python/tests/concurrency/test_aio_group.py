"""twinbook.concurrency.aio_group: structured concurrency on asyncio."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from twinbook.concurrency.aio.group import Group

from .helpers import Gauge, settle

Run = Callable[[Coroutine[Any, Any, Any]], Any]


async def sleep_forever(log: list[str], name: str) -> None:
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")
        raise


def test_every_task_runs_with_its_arguments(arun: Run) -> None:
    seen: list[tuple[int, str]] = []

    async def task(n: int, name: str) -> None:
        await asyncio.sleep(0)
        seen.append((n, name))

    async def main() -> None:
        async with Group() as g:
            for n in range(5):
                g.go(task, n, f"t{n}")

    arun(main())
    assert sorted(seen) == [(n, f"t{n}") for n in range(5)]


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_limit_is_reached_and_never_exceeded(arun: Run, limit: int, gauge: Gauge) -> None:
    async def main() -> None:
        together = asyncio.Barrier(limit)

        async def task() -> None:
            with gauge.track():
                await together.wait()

        async with Group(limit=limit) as g:
            for _ in range(limit * 3):
                g.go(task)

    arun(main())
    assert gauge.peak == limit
    assert gauge.calls == limit * 3


@pytest.mark.parametrize("limit", [0, -3])
def test_bad_limit_raises_value_error_naming_it(limit: int) -> None:
    with pytest.raises(ValueError, match=f"limit must be at least 1, got {limit}"):
        Group(limit=limit)


def test_the_first_error_cancels_the_siblings_and_the_body(arun: Run) -> None:
    log: list[str] = []
    boom = ValueError("first")

    async def fails() -> None:
        await asyncio.sleep(0)
        raise boom

    async def main() -> None:
        async with Group() as g:
            g.go(sleep_forever, log, "sibling")
            g.go(fails)
            await sleep_forever(log, "body")
            log.append("body went on")  # never: the body is cancelled too

    with pytest.raises(ExceptionGroup) as info:
        arun(main())
    assert info.value.exceptions == (boom,)
    assert sorted(log) == ["body cancelled", "sibling cancelled"]


def test_every_error_is_kept_first_first(arun: Run) -> None:
    first, during_cancel = ValueError("first"), OSError("cleanup failed")

    async def fails() -> None:
        await asyncio.sleep(0)
        raise first

    async def fails_while_cancelled() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise during_cancel from None

    async def main() -> None:
        async with Group() as g:
            g.go(fails_while_cancelled)
            g.go(fails)

    with pytest.raises(ExceptionGroup) as info:
        arun(main())
    assert info.value.exceptions == (first, during_cancel)


def test_a_keyboard_interrupt_in_a_task_does_not_drop_the_other_errors(arun: Run) -> None:
    first = ValueError("first")

    async def fails() -> None:
        await asyncio.sleep(0)
        raise first

    async def interrupted_while_cancelled() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise KeyboardInterrupt from None

    async def main() -> None:
        async with Group() as g:
            g.go(interrupted_while_cancelled)
            g.go(fails)

    with pytest.raises(BaseExceptionGroup) as info:
        arun(main())
    assert [type(e) for e in info.value.exceptions] == [ValueError, KeyboardInterrupt]
    assert info.value.exceptions[0] is first


def test_an_error_in_the_body_cancels_the_tasks_and_joins_their_errors(arun: Run) -> None:
    log: list[str] = []
    body_error = LookupError("body")

    async def main() -> None:
        async with Group() as g:
            g.go(sleep_forever, log, "task")
            await settle()
            raise body_error

    with pytest.raises(ExceptionGroup) as info:
        arun(main())
    assert info.value.exceptions == (body_error,)
    assert log == ["task cancelled"]


def test_after_a_failure_queued_and_new_tasks_never_start(arun: Run, gauge: Gauge) -> None:
    async def fails() -> None:
        raise ValueError("no")

    async def never() -> None:
        with gauge.track():
            pass

    async def main() -> None:
        async with Group(limit=1) as g:
            g.go(fails)
            g.go(never)  # queued behind `fails`, then cancelled before it starts
            await settle()
            g.go(never)  # the group is failing: not even created

    with pytest.raises(ExceptionGroup):
        arun(main())
    assert gauge.calls == 0


def test_cancelling_from_outside_cancels_every_task_and_propagates(arun: Run) -> None:
    log: list[str] = []

    async def main() -> None:
        async def run_group() -> None:
            async with Group(limit=2) as g:
                for n in range(4):
                    g.go(sleep_forever, log, f"t{n}")

        task = asyncio.create_task(run_group())
        await settle()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    arun(main())
    assert sorted(log) == ["t0 cancelled", "t1 cancelled"]  # t2 and t3 never got a slot


def test_tasks_may_start_tasks(arun: Run) -> None:
    done: list[int] = []

    async def child(n: int) -> None:
        await asyncio.sleep(0)
        done.append(n)

    async def main() -> None:
        async with Group() as g:

            async def parent() -> None:
                for n in range(3):
                    g.go(child, n)

            g.go(parent)

    arun(main())
    assert sorted(done) == [0, 1, 2]
