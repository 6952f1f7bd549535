"""Structured concurrency on threads: a :class:`Group` of tasks that ends as one.

The Go twin is ``Group`` in ``go/concurrency/group.go``, an
``errgroup.Group`` that keeps every error. Used as a context manager, a group
makes concurrency *structured*: no thread started inside the ``with`` block
outlives it, and no exception raised by one is lost::

    with Group(limit=4) as g:
        for url in urls:
            g.go(fetch, url)        # calls fetch(url, cancel=g.cancel)
    # every fetch has returned here, or the failures are raised together

Threads cannot be interrupted, so "the first error cancels the rest" means
what Go's context means: :attr:`Group.cancel` is set, and each task is handed
that event as its ``cancel`` keyword argument to check between steps. A task
that has not started yet when the group is cancelled is not started at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from ._checks import at_least_one

__all__ = ["Group"]


class Group:
    """Run tasks on threads, at most ``limit`` at once; wait for all; raise every error.

    ``limit=None`` means no limit; ``limit < 1`` raises :class:`ValueError`.
    Errors are raised from :meth:`wait` (and so from the ``with`` block) as
    one :class:`BaseExceptionGroup` (an :class:`ExceptionGroup` unless a task
    raised something like :class:`KeyboardInterrupt`), in the order the
    tasks failed: the first error, the one that cancelled the rest, comes first.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.cancel = threading.Event()
        """Set by the first failure; every task gets it as its ``cancel`` argument."""
        self._slots = (
            threading.Semaphore(at_least_one("limit", limit)) if limit is not None else None
        )
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._errors: list[BaseException] = []

    # docs:start group-go
    def go(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args, cancel=self.cancel)`` on a new thread.

        With a limit, first wait for a free slot, as Go's ``Go`` does. If the
        group is cancelled by then, ``fn`` is not called: it could only see
        ``cancel`` set and return.
        """
        if self._slots is not None:
            self._slots.acquire()  # blocks while `limit` tasks are running
        if self.cancel.is_set():
            self._release()
            return

        def run() -> None:
            try:
                fn(*args, cancel=self.cancel)
            except BaseException as exc:  # kept for wait(), never lost
                self._fail(exc)
            finally:
                self._release()

        name = f"group-{getattr(fn, '__name__', 'task')}"
        thread = threading.Thread(target=run, name=name)
        with self._lock:  # so that wait() never sees a thread not yet started
            thread.start()
            self._threads.append(thread)

    # docs:end group-go

    def _release(self) -> None:
        if self._slots is not None:
            self._slots.release()

    # docs:start group-wait
    def _fail(self, exc: BaseException) -> None:
        """Keep ``exc``, cancel the rest; one lock: the first kept is the one that
        cancelled."""
        with self._lock:
            self._errors.append(exc)
            self.cancel.set()

    def wait(self) -> None:
        """Wait for every task (even ones started meanwhile); raise their errors
        together."""
        while True:
            with self._lock:
                if not self._threads:
                    errors, self._errors = self._errors, []
                    break
                thread = self._threads.pop()
            thread.join()
        if errors:
            raise BaseExceptionGroup(f"{len(errors)} task(s) of a Group failed", errors)

    # docs:end group-wait

    def __enter__(self) -> Group:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Wait for the tasks; an exception from the body cancels them and joins their errors."""
        if exc is None:
            self.wait()
            return
        self._fail(exc)
        try:
            self.wait()
        except BaseExceptionGroup as group:
            raise group from None  # exc is inside it; no need to show it twice
