"""Bulkhead: at most N calls at once to one dependency; the rest wait briefly or are turned away.

The Go twin is ``go/resilience/bulkhead.go`` (a buffered channel as a
semaphore). The name is the ship's: a flooded compartment must not sink the
ship. A slow dependency that holds every worker thread (or every connection)
stalls calls to healthy dependencies too; a bulkhead caps what one
dependency can hold, and rejects the excess *fast* with
:class:`BulkheadFullError` rather than letting it queue without bound.

A semaphore belongs to one world, so a bulkhead comes twice, under one
name: this :class:`Bulkhead` counts threads (``threading.BoundedSemaphore``),
:class:`twinbook.resilience.aio.Bulkhead` counts tasks (``asyncio.Semaphore``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import TracebackType
from typing import ParamSpec, TypeVar

__all__ = ["Bulkhead", "BulkheadFullError"]

P = ParamSpec("P")
R = TypeVar("R")


class BulkheadFullError(Exception):
    """All ``max_concurrent`` slots were taken for longer than ``max_wait`` seconds."""

    def __init__(self, max_concurrent: int, max_wait: float) -> None:
        super().__init__(
            f"bulkhead full: {max_concurrent} calls in flight, none finished within {max_wait}s"
        )
        self.max_concurrent = max_concurrent
        self.max_wait = max_wait

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.max_concurrent, self.max_wait))


def check_limits(max_concurrent: int, max_wait: float) -> None:
    if max_concurrent < 1:
        raise ValueError(f"max_concurrent: must be >= 1, got {max_concurrent!r}")
    if max_wait < 0:
        raise ValueError(f"max_wait: must be >= 0 seconds, got {max_wait!r}")


class Bulkhead:
    """At most ``max_concurrent`` threads inside at once; wait up to ``max_wait`` s for a slot."""

    def __init__(self, max_concurrent: int, max_wait: float = 0.0) -> None:
        check_limits(max_concurrent, max_wait)
        self.max_concurrent, self.max_wait = max_concurrent, max_wait
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._lock = threading.Lock()
        self._in_use = 0

    @property
    def in_use(self) -> int:
        """How many slots are taken now (Go: ``Bulkhead.InUse``)."""
        return self._in_use

    # docs:start bulkhead
    def __enter__(self) -> Bulkhead:
        if self.max_wait > 0:
            acquired = self._slots.acquire(timeout=self.max_wait)
        else:
            acquired = self._slots.acquire(blocking=False)
        if not acquired:
            raise BulkheadFullError(self.max_concurrent, self.max_wait)
        with self._lock:
            self._in_use += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            self._in_use -= 1
        self._slots.release()

    # docs:end bulkhead

    def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self:
            return fn(*args, **kwargs)

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def limited(*args: P.args, **kwargs: P.kwargs) -> R:
            return self.call(fn, *args, **kwargs)

        return limited
