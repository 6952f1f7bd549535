"""Fan-out and fan-in on asyncio: the threads twin is :mod:`twinbook.concurrency.fanout`.

:func:`merge` counts its running forwarders without a lock: between two
``await``\\s a task runs alone, so ``remaining -= 1`` followed by a test of
``remaining`` cannot be interleaved with another forwarder.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from .._checks import at_least_one
from ..fanout import _combine
from .channel import Channel
from .pipeline import stage

__all__ = ["Channel", "fan_out", "merge"]

T = TypeVar("T")
In = TypeVar("In")
Out = TypeVar("Out")


# docs:start aio-fan-out
def fan_out(
    fn: Callable[[In], Awaitable[Out]],
    source: Channel[In],
    *,
    workers: int,
    maxsize: int = 1,
) -> list[Channel[Out]]:
    """Start ``workers`` stages awaiting ``fn`` on items of ``source``; return their
    outputs.

    ``workers < 1`` raises :class:`ValueError`.
    """
    at_least_one("workers", workers)
    return [stage(fn, source, maxsize=maxsize) for _ in range(workers)]
    # docs:end aio-fan-out


# docs:start aio-merge
def merge(*sources: Channel[T], maxsize: int = 1) -> Channel[T]:
    """Forward every item of ``sources`` to one channel, closed once all of them
    close."""
    out: Channel[T] = Channel(maxsize)
    remaining = len(sources)
    errors: list[BaseException] = []

    async def forward(source: Channel[T]) -> None:
        nonlocal remaining
        try:
            async for item in source:
                if not await out.send(item):
                    return
        except Exception as exc:  # a source failed: stop them all
            errors.append(exc)
            for s in sources:
                s.abandon()
        finally:
            source.abandon()
            remaining -= 1
        if remaining == 0:  # the last forwarder out closes the door
            await out.close(_combine(errors))

    for i, source in enumerate(sources):
        out.spawn(forward(source), name=f"aio-merge-{i}", upstream=(source,))
    if not sources:
        out.spawn(out.close(), name="aio-merge-empty")
    return out
    # docs:end aio-merge
