"""The :class:`Clock` protocol: what a component needs from time, whichever clock gives it.

The Go twin is the interface ``Clock`` in ``go/clock/clock.go``.
"""

from __future__ import annotations

import threading
from typing import Protocol

__all__ = ["POLL_INTERVAL", "Clock"]

POLL_INTERVAL = 0.01
"""Seconds a blocked thread waits before it looks at its ``cancel`` event again.

Threads cannot wait on two events at once (Go's ``select``), so a thread that
waits for a deadline *or* a cancellation wakes this often to check the latter.
"""


class Clock(Protocol):
    """What a component needs from time: the present, and a way to wait for it to pass."""

    def now(self) -> float:
        """Seconds on a monotonic scale; only differences mean anything."""
        ...

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        """Block the thread for ``seconds``; return ``False`` early if ``cancel`` is set first."""
        ...

    async def sleep_async(self, seconds: float) -> None:
        """Suspend the task for ``seconds``; cancellable like any ``await``."""
        ...

    def sleep_ns(self, ns: int, cancel: threading.Event | None = None) -> bool:
        """:meth:`sleep` for a whole number of nanoseconds, like Go's ``After(d)``.

        A deadline computed in nanoseconds (the limiter's) must not move by a
        float's last bit on its way to the clock.
        """
        ...

    async def sleep_ns_async(self, ns: int) -> None:
        """:meth:`sleep_async` for a whole number of nanoseconds."""
        ...
