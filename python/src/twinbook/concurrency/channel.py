"""A Go-style channel for threads: a bounded :class:`queue.Queue` that can be closed.

Pipelines need three things a Go channel has and ``queue.Queue`` lacks in
Python 3.11:

* **close**, so that receivers learn the stream has ended (and, here, whether
  it ended with an exception, which Go would send as a value);
* a way to stop waiting when a ``cancel`` event is set, Go's ``select`` on
  ``ctx.Done()``. Threads cannot wait on a queue and an event at once, so a
  blocked send or receive wakes every :data:`twinbook.clock.POLL_INTERVAL` seconds to look;
  that latency is the price of threads without ``select``;
* **abandon**, the receiver's way to say "no more": like closing the read end
  of a Unix pipe, it makes blocked senders give up, so a stage that fails
  stops its producers instead of leaving them blocked forever.

A channel also remembers the threads that feed it, so that :meth:`Channel.join`
can wait for a whole pipeline: no thread left behind.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from twinbook.clock import POLL_INTERVAL

from ._checks import at_least_one

__all__ = ["Channel"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Closed:
    """The end-of-stream marker; a fresh class, so no user value can equal it."""

    error: BaseException | None


class Channel(Generic[T]):
    """A bounded FIFO between threads, closable, cancellable and joinable.

    ``maxsize`` must be at least 1: ``queue.Queue(0)`` means *unbounded*, the
    opposite of Go's unbuffered channel, and an unbounded queue has no
    backpressure at all.
    """

    def __init__(self, maxsize: int = 1) -> None:
        self._queue: queue.Queue[T | _Closed] = queue.Queue(at_least_one("maxsize", maxsize))
        self._abandoned = threading.Event()
        self._producers: list[threading.Thread] = []
        self._upstream: list[Channel[Any]] = []

    @property
    def maxsize(self) -> int:
        """How many items fit before :meth:`send` blocks."""
        return self._queue.maxsize

    def send(self, item: T, cancel: threading.Event | None = None) -> bool:
        """Put ``item``, blocking while the channel is full: backpressure.

        Returns ``False``, without sending, if ``cancel`` is set or the
        receivers have abandoned the channel; the sender should then stop.
        """
        while not self._stopped(cancel):
            try:
                self._queue.put(item, timeout=POLL_INTERVAL)
            except queue.Full:
                continue
            return not self._abandoned.is_set()  # abandon() may have made the room we used
        return False

    def close(
        self, error: BaseException | None = None, cancel: threading.Event | None = None
    ) -> None:
        """Mark the end of the stream, after every item already sent.

        With ``error``, receivers raise it once they reach the end: an
        exception in a producer travels downstream instead of being lost.
        """
        self.send(_Closed(error), cancel)  # type: ignore[arg-type]  # the marker rides the same queue

    def receive(self, cancel: threading.Event | None = None) -> Iterator[T]:
        """Yield items until the channel is closed, ``cancel`` is set or it is abandoned.

        Many threads may receive from one channel; each item goes to one of
        them, and every one of them sees the end.
        """
        while not self._stopped(cancel):
            try:
                item = self._queue.get(timeout=POLL_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(item, _Closed):
                # Leave the marker for the other receivers. The queue is full only if
                # someone sent after close(): their bug, not a reason to fail here.
                with contextlib.suppress(queue.Full):
                    self._queue.put_nowait(item)
                if item.error is not None:
                    raise item.error
                return
            yield item

    def __iter__(self) -> Iterator[T]:
        """``for item in channel``: :meth:`receive` without a cancel event."""
        return self.receive()

    def abandon(self) -> None:
        """Tell the senders that nobody will receive any more; drop what is queued.

        Blocked and future :meth:`send` calls return ``False``, and receivers
        stop. Abandoning twice is harmless.
        """
        self._abandoned.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def spawn(
        self, target: Callable[[], None], *, name: str, upstream: tuple[Channel[Any], ...] = ()
    ) -> None:
        """Start ``target`` in a thread that feeds this channel, and remember it for :meth:`join`.

        ``upstream`` lists the channels ``target`` reads, so that joining the
        last channel of a pipeline joins every thread in it.
        """
        thread = threading.Thread(target=target, name=name)
        self._producers.append(thread)
        self._upstream.extend(upstream)
        thread.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for every thread feeding this channel, and every one upstream of it.

        The threads end once the stream has been received to its end, or once
        it is cancelled or abandoned; join after one of those. With
        ``timeout`` (per thread), raise :class:`TimeoutError` naming a thread
        that is still alive.
        """
        seen: set[int] = set()
        pending: list[Channel[Any]] = [self]
        while pending:
            channel = pending.pop()
            if id(channel) in seen:
                continue
            seen.add(id(channel))
            for thread in channel._producers:
                thread.join(timeout)
                if thread.is_alive():
                    raise TimeoutError(f"thread {thread.name} still running after {timeout}s")
            pending.extend(channel._upstream)

    def _stopped(self, cancel: threading.Event | None) -> bool:
        return self._abandoned.is_set() or (cancel is not None and cancel.is_set())
