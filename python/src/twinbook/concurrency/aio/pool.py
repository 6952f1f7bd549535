"""A worker pool on asyncio: await ``fn`` over items, at most ``limit`` at once.

The threads twin is :mod:`twinbook.concurrency.pool`; the shapes match on
purpose (``limit`` workers sharing one iterator of indices), so the difference
that remains is the one worth seeing: cancellation. There is no ``cancel``
argument. Cancel the task that awaits :func:`ordered` (or iterates
:func:`as_completed`) and the cancellation reaches every running call at its
next ``await``; queued items never start; nothing is left running.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from typing import TypeVar

from .._checks import at_least_one
from ..pool import Result

__all__ = ["Result", "as_completed", "ordered"]

T = TypeVar("T")
R = TypeVar("R")


async def ordered(fn: Callable[[T], Awaitable[R]], items: Iterable[T], *, limit: int) -> list[R]:
    """Return ``[await fn(item) for item in items]``, at most ``limit`` awaiting at once.

    As in the threads flavour, every call runs even if others fail and the
    failures are raised together as one :class:`ExceptionGroup`, in item
    order, each noted with its index. ``limit < 1`` raises :class:`ValueError`.
    """
    at_least_one("limit", limit)
    items = list(items)
    # docs:start aio-pool-ordered
    results: list[Result[R]] = [Result(i) for i in range(len(items))]
    indices = iter(range(len(items)))  # shared, and safe: tasks only switch at an await

    async def work() -> None:
        for i in indices:
            try:
                results[i] = Result(i, value=await fn(items[i]))
            except Exception as exc:  # CancelledError is no Exception: it goes through
                results[i] = Result(i, error=exc)

    # cancel us and the TaskGroup cancels the workers, then waits for them
    async with asyncio.TaskGroup() as workers:
        for _ in range(min(limit, len(items))):
            workers.create_task(work())
    # docs:end aio-pool-ordered
    errors = [r.error for r in results if r.error is not None]
    if errors:
        for r in results:
            if r.error is not None:
                r.error.add_note(f"in twinbook.concurrency.aio.pool: item {r.index}")
        raise BaseExceptionGroup(f"{len(errors)} of {len(items)} items failed", errors)
    return [r.unwrap() for r in results]


def as_completed(
    fn: Callable[[T], Awaitable[R]], items: Iterable[T], *, limit: int
) -> AsyncGenerator[Result[R], None]:
    """Yield a :class:`Result` for every item as its call finishes: ``async for r in ...``.

    Exceptions from ``fn`` come back in :attr:`Result.error`. The workers are
    tasks that start on the first ``__anext__``. Leaving the loop early leaves
    them running until the generator is closed, so if you may ``break``, write
    ``async with contextlib.aclosing(as_completed(...)) as results:``; closing
    cancels the running calls and awaits them. ``limit`` is checked now.
    """
    at_least_one("limit", limit)
    return _as_completed(fn, list(items), limit)


async def _as_completed(
    fn: Callable[[T], Awaitable[R]], items: list[T], limit: int
) -> AsyncGenerator[Result[R], None]:
    done: asyncio.Queue[Result[R]] = asyncio.Queue()
    indices = iter(range(len(items)))

    async def work() -> None:
        for i in indices:
            try:
                result = Result(i, value=await fn(items[i]))
            except Exception as exc:
                result = Result(i, error=exc)
            done.put_nowait(result)

    # No TaskGroup here: its scope would span the ``yield``, and a failing
    # child would then cancel whatever the *consumer* happens to be doing.
    workers = [asyncio.create_task(work()) for _ in range(min(limit, len(items)))]
    try:
        for _ in items:
            yield await done.get()
    finally:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
