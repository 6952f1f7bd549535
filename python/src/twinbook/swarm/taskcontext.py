"""A task's deadline and cancellation, carried on by hand to every call it makes.

In Go a task's ``context.Context`` does this by itself: gRPC-Go reads the deadline
from it and cancels the call when it ends. grpcio has no such context, so a task
here gets a :class:`TaskContext`: :meth:`~TaskContext.time_remaining` is the
``timeout`` of each outgoing call, and :meth:`~TaskContext.add_callback` cancels
the call when the task is cancelled (its caller gave up).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import grpc

__all__ = ["TaskContext", "TaskFailed"]


class TaskFailed(Exception):
    """A task that ran and failed, with the gRPC status code its Result carries."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message


class TaskContext:
    """One task's deadline (monotonic seconds, or None) and cancellation."""

    def __init__(self, budget_ms: int) -> None:
        self.deadline = time.monotonic() + budget_ms / 1000 if budget_ms > 0 else None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def time_remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), or None for no deadline."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())

    def cancel(self) -> None:
        """Cancel the task: wake its waits and run its callbacks, once."""
        with self._lock:
            if self._cancelled.is_set():
                return
            self._cancelled.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancelled.is_set()

    def add_callback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the task is cancelled (at once if it already is)."""
        with self._lock:
            if not self._cancelled.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def check(self) -> None:
        """Raise :class:`TaskFailed` if the task was cancelled or its deadline passed."""
        if self._cancelled.is_set():
            raise TaskFailed(grpc.StatusCode.CANCELLED, "the task was cancelled")
        remaining = self.time_remaining()
        if remaining is not None and remaining <= 0:
            raise TaskFailed(grpc.StatusCode.DEADLINE_EXCEEDED, "the task's deadline passed")

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or until the task is cancelled or its deadline passes (raising)."""
        remaining = self.time_remaining()
        wait = seconds if remaining is None else min(seconds, remaining)
        self._cancelled.wait(wait)
        if wait < seconds or self._cancelled.is_set():
            self.check()
            raise TaskFailed(grpc.StatusCode.DEADLINE_EXCEEDED, "the task's deadline passed")
