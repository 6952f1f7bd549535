"""Structured concurrency on asyncio: a TaskGroup with a limit, that loses no exception.

The threads twin is :mod:`twinbook.concurrency.group`; the Go twin is
``Group`` in ``go/concurrency/group.go``. Here cancellation needs no event:
the first failure cancels the sibling tasks (they get
:class:`asyncio.CancelledError` at their next ``await``) and the body of the
``async with`` block, exactly as :class:`asyncio.TaskGroup` does, because
that is what it is built on::

    async with Group(limit=4) as g:
        for url in urls:
            g.go(fetch, url)        # fetch(url) runs in a task, at most 4 at once
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from .._checks import at_least_one

__all__ = ["Group"]


class _Failed(Exception):
    """Raised by a task wrapper after recording the real error, to make the TaskGroup abort.

    The TaskGroup only needs to know *that* a task failed; *what* failed is
    kept by the :class:`Group`, which is how a KeyboardInterrupt in one task
    can no longer make the TaskGroup drop everyone else's errors.
    """


class Group:
    """An :class:`asyncio.TaskGroup` plus a concurrency limit, keeping every error.

    Differences from TaskGroup, and why:

    * ``limit``: at most that many tasks run ``fn`` at once; the rest wait
      for a slot, and if the group is cancelled meanwhile they never start.
    * Nothing is lost: a :class:`KeyboardInterrupt` or :class:`SystemExit`
      raised in a TaskGroup task escapes alone, out of the event loop, and
      the other tasks' errors are dropped; here it cancels the group like any
      failure and goes into one :class:`BaseExceptionGroup` with the others,
      in the order they happened, the first failure first.
    * ``go(fn, *args)`` takes the function, not a coroutine, so a task that
      never gets a slot never creates a coroutine to leak; and after the
      first failure ``go`` starts nothing, where TaskGroup would raise
      :class:`RuntimeError`.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._slots: AbstractAsyncContextManager[Any] = (
            asyncio.Semaphore(at_least_one("limit", limit)) if limit is not None else nullcontext()
        )
        self._tasks = asyncio.TaskGroup()
        self._errors: list[BaseException] = []

    async def __aenter__(self) -> Group:
        await self._tasks.__aenter__()
        return self

    # docs:start aio-group
    def go(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Start ``await fn(*args)`` in a task of this group, once a slot is free."""
        if self._errors:
            return  # the group is failing: a new task would only be cancelled

        async def run() -> None:
            async with self._slots:
                try:
                    if not self._errors:  # nothing failed while we waited for the slot
                        await fn(*args)
                except asyncio.CancelledError:
                    raise  # being cancelled is not a failure
                except BaseException as exc:  # kept, in order
                    self._errors.append(exc)
                    raise _Failed from None  # let the TaskGroup cancel the rest

        self._tasks.create_task(run())

    async def __aexit__(self, *exc_info: Any) -> None:
        exc = exc_info[1]  # (type, exception, traceback), as the TaskGroup takes them
        if exc is not None and not isinstance(exc, asyncio.CancelledError):
            self._errors.append(exc)  # the body failed: it counts, in its turn
        try:
            await self._tasks.__aexit__(*exc_info)  # cancels on error, waits for all
        except BaseException:  # _Failed markers and exc, all already in self._errors
            if not self._errors:
                raise  # a cancellation from outside: not ours to swallow
        if self._errors:
            message = f"{len(self._errors)} task(s) of a Group failed"
            raise BaseExceptionGroup(message, self._errors)

    # docs:end aio-group
