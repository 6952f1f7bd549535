"""Pipelines on threads: stages joined by bounded channels.

Each stage is a thread that receives from one :class:`~.channel.Channel` and
sends to the next. Because every channel is bounded, a slow consumer fills
its input, which blocks the stage before it, and so on up to the source:
backpressure, with no code beyond ``maxsize``. The Go twin is ``Generate`` /
``Stage`` / ``Collect`` in ``go/concurrency/pipeline.go``.

Shutdown is clean in all three ways a pipeline can end: the source runs out
(every stage closes its output after its input closes), ``cancel`` is set
(every blocked send and receive gives up within
:data:`twinbook.clock.POLL_INTERVAL`), or a stage raises (it abandons its input, so
the stages before it stop, and closes its output with the exception, so the
stages after it, and finally :func:`collect`, re-raise it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from .channel import Channel

__all__ = ["Channel", "collect", "generate", "stage"]

T = TypeVar("T")
In = TypeVar("In")
Out = TypeVar("Out")


def generate(
    items: Iterable[T], *, maxsize: int = 1, cancel: threading.Event | None = None
) -> Channel[T]:
    """Return a channel fed with ``items``, in order, by a new thread; then closed.

    ``items`` is read lazily, so it may be endless (``itertools.count()``); the
    channel's ``maxsize`` bounds how far ahead of its consumer it runs.
    """
    out: Channel[T] = Channel(maxsize)

    def run() -> None:
        error: BaseException | None = None
        try:
            for item in items:
                if not out.send(item, cancel):
                    break
        except BaseException as exc:  # sent downstream, never lost
            error = exc
        finally:
            out.close(error, cancel)

    out.spawn(run, name="pipeline-generate")
    return out


# docs:start pipeline-stage
def stage(
    fn: Callable[[In], Out],
    source: Channel[In],
    *,
    maxsize: int = 1,
    cancel: threading.Event | None = None,
) -> Channel[Out]:
    """Return a channel of ``fn(item)`` for each item of ``source``, in order."""
    out: Channel[Out] = Channel(maxsize)

    def run() -> None:
        error: BaseException | None = None
        try:
            for item in source.receive(cancel):  # ends when source closes, or on cancel
                # send blocks while out is full: backpressure
                if not out.send(fn(item), cancel):
                    break  # cancelled, or nobody downstream is listening
        except BaseException as exc:  # from fn or from upstream
            error = exc
        finally:
            source.abandon()  # we read no more: release whoever feeds us
            out.close(error, cancel)  # and let downstream know, error included

    out.spawn(run, name="pipeline-stage", upstream=(source,))
    return out
    # docs:end pipeline-stage


def collect(source: Channel[T], *, cancel: threading.Event | None = None) -> list[T]:
    """Receive until ``source`` closes or ``cancel`` is set; return what arrived, in order.

    Like Go's ``Collect``, a cancelled collect returns what it has so far
    (check ``cancel.is_set()`` to tell). An exception from any stage is
    re-raised here. Either way, every thread of the pipeline has ended by the
    time ``collect`` returns or raises.
    """
    got: list[T] = []
    try:
        for item in source.receive(cancel):
            got.append(item)
    finally:
        source.abandon()  # a no-op after a normal end; stops the producers after a cancel
        source.join()
    return got
