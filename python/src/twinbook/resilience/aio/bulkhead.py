"""Bulkhead for asyncio: at most N tasks inside at once; the threads twin is :mod:`..bulkhead`.

Same name, same arguments, same error as :class:`twinbook.resilience.Bulkhead`;
what differs is what it counts (tasks, with an ``asyncio.Semaphore``) and
that entering it is awaited: ``async with bulkhead:`` and ``await bulkhead.call(fn)``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import ParamSpec, TypeVar

from ..bulkhead import BulkheadFullError, check_limits

__all__ = ["Bulkhead"]

P = ParamSpec("P")
R = TypeVar("R")


class Bulkhead:
    """At most ``max_concurrent`` tasks inside at once; wait up to ``max_wait`` s for a slot."""

    def __init__(self, max_concurrent: int, max_wait: float = 0.0) -> None:
        check_limits(max_concurrent, max_wait)
        self.max_concurrent, self.max_wait = max_concurrent, max_wait
        self._slots = asyncio.Semaphore(max_concurrent)  # binds to a loop on first wait only
        self._in_use = 0

    @property
    def in_use(self) -> int:
        """How many slots are taken now (Go: ``Bulkhead.InUse``)."""
        return self._in_use

    async def __aenter__(self) -> Bulkhead:
        if self._slots.locked():
            if self.max_wait <= 0:
                raise BulkheadFullError(self.max_concurrent, self.max_wait)
            try:
                async with asyncio.timeout(self.max_wait):
                    await self._slots.acquire()
            except TimeoutError:
                raise BulkheadFullError(self.max_concurrent, self.max_wait) from None
        else:
            await self._slots.acquire()  # a free slot: returns without suspending
        self._in_use += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._in_use -= 1
        self._slots.release()

    async def call(self, fn: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self:
            return await fn(*args, **kwargs)

    def __call__(self, fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)
        async def limited(*args: P.args, **kwargs: P.kwargs) -> R:
            return await self.call(fn, *args, **kwargs)

        return limited
