"""A worker pool on threads: run ``fn`` over items, at most ``limit`` at once.

The Go twin is ``Ordered`` / ``AsCompleted`` in ``go/concurrency/pool.go``.
Where Go starts a goroutine per item and gates them with a semaphore channel,
threads are too heavy for that: here ``limit`` worker threads take turns
pulling the next index, which bounds concurrency by construction.

Cancellation is a :class:`threading.Event`, the threads' stand-in for a Go
``context.Context``: once it is set no further call starts, calls already
running are waited for (a thread cannot be interrupted), and every item that
never started reports :class:`concurrent.futures.CancelledError`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Generic, TypeVar

from ._checks import at_least_one

__all__ = ["Result", "as_completed", "ordered"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Result(Generic[R]):
    """The outcome of one call: ``Result[R]{Index, Value, Err}`` in Go.

    Exactly one of ``value`` and ``error`` is meaningful: ``error`` is ``None``
    when the call returned. A result carries its ``index`` because results
    arrive in completion order, and the index is all it takes to put them back.
    """

    index: int
    value: R | None = None
    error: BaseException | None = None

    def unwrap(self) -> R:
        """Return the value, or raise the error the call raised."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]  # None is a valid R when fn returns None


def ordered(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    limit: int,
    cancel: threading.Event | None = None,
) -> list[R]:
    """Return ``[fn(item) for item in items]``, running at most ``limit`` calls at once.

    Every call runs even if others fail, as in Go, so one bad item does not
    hide the others: the failures are raised together as one
    :class:`ExceptionGroup` (a :class:`BaseExceptionGroup` if one was, say, a
    :class:`KeyboardInterrupt`), in item order, each noted with its index.
    Items that never started because ``cancel`` was set are in the group as
    :class:`~concurrent.futures.CancelledError`. ``limit < 1`` raises
    :class:`ValueError`.
    """
    # docs:start pool-ordered
    items = list(items)
    results: list[Result[R]] = [Result(i) for i in range(len(items))]
    for result in as_completed(fn, items, limit=limit, cancel=cancel):
        results[result.index] = result  # the index puts it back in its place
    errors = [r.error for r in results if r.error is not None]
    if errors:
        for r in results:
            if r.error is not None:
                r.error.add_note(f"in twinbook.concurrency.pool: item {r.index}")
        raise BaseExceptionGroup(f"{len(errors)} of {len(items)} items failed", errors)
    return [r.unwrap() for r in results]
    # docs:end pool-ordered


def as_completed(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    limit: int,
    cancel: threading.Event | None = None,
) -> Generator[Result[R], None, None]:
    """Yield a :class:`Result` for every item, in the order the calls finish.

    Exceptions from ``fn`` are caught and returned in :attr:`Result.error`,
    never raised: one failure must not stop the stream. The worker threads
    start on the first ``next()`` and are joined before the iterator ends;
    leaving the loop early stops queued items and joins the workers too, once
    the generator is closed: at once under ``contextlib.closing``, or when it
    is garbage-collected.

    ``limit`` is checked now, not on the first ``next()``, so a bad value
    fails where it was written.
    """
    at_least_one("limit", limit)
    return _as_completed(fn, list(items), limit, cancel or threading.Event())


def _as_completed(
    fn: Callable[[T], R], items: list[T], limit: int, cancel: threading.Event
) -> Generator[Result[R], None, None]:
    # docs:start pool-as-completed
    # a result per call, and None each time a worker quits
    done: queue.SimpleQueue[Result[R] | None] = queue.SimpleQueue()
    stop = threading.Event()  # set if the caller stops early; `cancel` is the caller's
    indices, lock = iter(range(len(items))), threading.Lock()

    def take() -> int | None:  # each index to one worker, and none once cancelled
        with lock:
            return None if cancel.is_set() or stop.is_set() else next(indices, None)

    def work() -> None:
        while (i := take()) is not None:
            try:
                done.put(Result(i, value=fn(items[i])))
            except BaseException as exc:  # handed to the caller, never lost
                done.put(Result(i, error=exc))
        done.put(None)

    workers = [threading.Thread(target=work) for _ in range(min(limit, len(items)))]
    for w in workers:
        w.start()
    try:
        for _ in workers:  # until every worker has quit
            while (result := done.get()) is not None:
                yield result
        for i in indices:  # what no worker took: cancelled before it started
            yield Result(i, error=CancelledError(f"item {i} never started"))
    finally:
        stop.set()
        for w in workers:
            w.join()
    # docs:end pool-as-completed
