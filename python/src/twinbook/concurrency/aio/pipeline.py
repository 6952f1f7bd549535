"""Pipelines on asyncio: stages are tasks joined by bounded channels.

The threads twin is :mod:`twinbook.concurrency.pipeline`, and the structure
is the same: a full channel suspends the stage sending to it, and so on back
to the source. What differs is the shutdown. Cancel the task that awaits
:func:`collect` and it abandons its input, which cancels the stage feeding
it, which abandons *its* input, and so on: cancellation runs up the pipeline
one ``await`` at a time, and :func:`collect` waits for all of it.

These functions (except :func:`collect`) are plain ``def``\\s that start tasks,
like ``Stage`` starting a goroutine in Go; call them with a loop running.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from .channel import Channel

__all__ = ["Channel", "collect", "generate", "stage"]

T = TypeVar("T")
In = TypeVar("In")
Out = TypeVar("Out")


def generate(items: Iterable[T], *, maxsize: int = 1) -> Channel[T]:
    """Return a channel fed with ``items``, in order, by a new task; then closed."""
    out: Channel[T] = Channel(maxsize)

    async def run() -> None:
        error: Exception | None = None
        try:
            for item in items:
                if not await out.send(item):
                    return
        except Exception as exc:  # sent downstream, never lost
            error = exc
        await out.close(error)

    out.spawn(run(), name="aio-pipeline-generate")
    return out


# docs:start aio-pipeline-stage
def stage(
    fn: Callable[[In], Awaitable[Out]], source: Channel[In], *, maxsize: int = 1
) -> Channel[Out]:
    """Return a channel of ``await fn(item)`` for each item of ``source``, in order."""
    out: Channel[Out] = Channel(maxsize)

    async def run() -> None:
        error: Exception | None = None
        try:
            async for item in source:  # ends when source closes
                if not await out.send(await fn(item)):  # waits while out is full
                    return
        except Exception as exc:  # from fn or from upstream; CancelledError goes by
            error = exc
        finally:
            source.abandon()  # we read no more: cancel whoever feeds us
        await out.close(error)  # not reached when cancelled: nobody listens then

    out.spawn(run(), name="aio-pipeline-stage", upstream=(source,))
    return out
    # docs:end aio-pipeline-stage


async def collect(source: Channel[T]) -> list[T]:
    """Receive until ``source`` closes; return what arrived, in order.

    An exception from any stage is re-raised here. Cancelled, ``collect``
    raises :class:`asyncio.CancelledError` (the asyncio way; Go's ``Collect``
    would return what it had). In every case every task of the pipeline has
    ended before ``collect`` returns or raises.
    """
    got: list[T] = []
    try:
        async for item in source:
            got.append(item)
    finally:
        source.abandon()  # a no-op after a normal end; cancels the producers otherwise
        await source.join()
    return got
