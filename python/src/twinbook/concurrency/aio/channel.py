"""A Go-style channel for asyncio: a bounded :class:`asyncio.Queue` that can be closed.

The threads twin is :mod:`twinbook.concurrency.channel`; read its docstring
for why a channel needs *close* and *abandon*. Two things are simpler here.
There is no cancel event and no polling: a blocked ``await`` is where a task
gets cancelled. And :meth:`Channel.abandon` does not ask the producers to stop,
it cancels them: a channel remembers the tasks that feed it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .._checks import at_least_one

__all__ = ["Channel"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Closed:
    """The end-of-stream marker; a fresh class, so no user value can equal it."""

    error: BaseException | None


class Channel(Generic[T]):
    """A bounded FIFO between tasks, closable, abandonable and joinable.

    ``maxsize`` must be at least 1: ``asyncio.Queue(0)`` is unbounded, and an
    unbounded queue has no backpressure.
    """

    def __init__(self, maxsize: int = 1) -> None:
        self._queue: asyncio.Queue[T | _Closed] = asyncio.Queue(at_least_one("maxsize", maxsize))
        self._abandoned = False
        self._producers: list[
            asyncio.Task[None]
        ] = []  # strong references: the loop keeps weak ones
        self._upstream: list[Channel[Any]] = []

    @property
    def maxsize(self) -> int:
        """How many items fit before :meth:`send` blocks."""
        return self._queue.maxsize

    async def send(self, item: T) -> bool:
        """Put ``item``, waiting while the channel is full: backpressure.

        Returns ``False``, without sending, once the channel is abandoned.
        """
        if self._abandoned:
            return False
        await self._queue.put(item)
        return True

    async def close(self, error: BaseException | None = None) -> None:
        """Mark the end of the stream; with ``error``, receivers raise it at the end."""
        await self.send(_Closed(error))  # type: ignore[arg-type]  # the marker rides the same queue

    async def __aiter__(self) -> AsyncIterator[T]:
        """``async for item in channel``: items until the channel is closed or abandoned.

        Many tasks may receive from one channel; each item goes to one of
        them, and every one of them sees the end.
        """
        while not self._abandoned:
            item = await self._queue.get()
            if isinstance(item, _Closed):
                # Leave the marker for the other receivers. The queue is full only if
                # someone sent after close(): their bug, not a reason to fail here.
                with contextlib.suppress(asyncio.QueueFull):
                    self._queue.put_nowait(item)
                if item.error is not None:
                    raise item.error
                return
            yield item

    def abandon(self) -> None:
        """Nobody will receive any more: cancel the producers, drop what is queued.

        Receivers still waiting see the end of the stream. Abandoning twice is
        harmless. Tasks that send without having been started by :meth:`spawn`
        are not cancelled; they learn from :meth:`send` returning ``False``.
        """
        if self._abandoned:
            return
        self._abandoned = True
        for task in self._producers:
            if task is not asyncio.current_task():
                task.cancel()
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_Closed(None))  # wakes the receivers blocked on an empty queue

    def spawn(
        self, coro: Coroutine[Any, Any, None], *, name: str, upstream: tuple[Channel[Any], ...] = ()
    ) -> None:
        """Run ``coro`` as a task that feeds this channel, and remember it.

        Must be called with an event loop running, like every function of
        :mod:`.pipeline` that returns a channel.
        """
        self._producers.append(asyncio.get_running_loop().create_task(coro, name=name))
        self._upstream.extend(upstream)

    async def join(self) -> None:
        """Wait for every task feeding this channel, and every one upstream of it."""
        seen: set[int] = set()
        pending: list[Channel[Any]] = [self]
        tasks: list[asyncio.Task[None]] = []
        while pending:
            channel = pending.pop()
            if id(channel) not in seen:
                seen.add(id(channel))
                tasks.extend(channel._producers)
                pending.extend(channel._upstream)
        await asyncio.gather(*tasks, return_exceptions=True)  # cancelled ones included
