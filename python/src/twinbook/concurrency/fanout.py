"""Fan-out and fan-in on threads: several stages share one input; one channel gathers them.

:func:`fan_out` is nothing but :func:`~.pipeline.stage` called ``workers``
times on the same channel: receivers of one channel share its items, each
item going to exactly one of them. :func:`merge` is the reverse, one
forwarding thread per source, all sending to one channel, which the last
forwarder to finish closes. Go's twin needs a ``sync.WaitGroup`` and one extra
goroutine for that; a counter under a lock does it here.

Errors: when a source ends with an exception, :func:`merge` abandons all its
sources (their producers stop) and closes its output with that exception, or
with a group if others failed before they were abandoned. A failing worker of
a :func:`fan_out` abandons the shared input, which stops its siblings too.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from threading import Event
from typing import TypeVar

from ._checks import at_least_one
from .channel import Channel
from .pipeline import stage

__all__ = ["Channel", "fan_out", "merge"]

T = TypeVar("T")
In = TypeVar("In")
Out = TypeVar("Out")


# docs:start fan-out
def fan_out(
    fn: Callable[[In], Out],
    source: Channel[In],
    *,
    workers: int,
    maxsize: int = 1,
    cancel: threading.Event | None = None,
) -> list[Channel[Out]]:
    """Start ``workers`` stages applying ``fn`` to items of ``source``; return their
    outputs.

    Which worker gets which item is up to the scheduler, so order holds only
    within one output; :func:`merge` joins them. ``workers < 1`` raises
    :class:`ValueError`.
    """
    at_least_one("workers", workers)
    return [stage(fn, source, maxsize=maxsize, cancel=cancel) for _ in range(workers)]
    # docs:end fan-out


# docs:start merge
def merge(
    *sources: Channel[T],
    maxsize: int = 1,
    cancel: Event | None = None,
) -> Channel[T]:
    """Forward each item of ``sources`` to one channel; it closes once they all have."""
    out: Channel[T] = Channel(maxsize)
    lock, remaining = threading.Lock(), len(sources)
    errors: list[BaseException] = []

    def forward(source: Channel[T]) -> None:
        nonlocal remaining
        try:
            for item in source.receive(cancel):
                if not out.send(item, cancel):
                    break
        except BaseException as exc:  # a source failed: stop them all
            with lock:
                errors.append(exc)
            for s in sources:
                s.abandon()
        finally:
            source.abandon()
            with lock:
                remaining -= 1
                last = remaining == 0
            if last:  # the last forwarder out closes the door
                out.close(_combine(errors), cancel)

    # docs:end merge
    # docs:start merge-spawn
    for i, source in enumerate(sources):
        forwarder = functools.partial(forward, source)
        out.spawn(forwarder, name=f"merge-{i}", upstream=(source,))
    if not sources:
        out.close()
    return out
    # docs:end merge-spawn


def _combine(errors: list[BaseException]) -> BaseException | None:
    """One error as itself, several as a group; the same object only once.

    Workers of one fan-out can all see the same upstream exception; reporting
    it once per worker would be noise, not information.
    """
    unique = list({id(e): e for e in errors}.values())
    if len(unique) <= 1:
        return unique[0] if unique else None
    return BaseExceptionGroup(f"{len(unique)} merged sources failed", unique)
