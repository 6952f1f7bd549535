"""The real clock, and the fastest way to read any clock in integer nanoseconds.

The Go twin is ``clock.System`` in ``go/clock/clock.go``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from .clock import Clock

__all__ = ["SystemClock", "nanoseconds"]


class SystemClock:
    """The real clock: :func:`time.monotonic`, which never jumps back like wall time can."""

    def now(self) -> float:
        return time.monotonic()

    def now_ns(self) -> int:
        """The time in integer nanoseconds: exact, and cheaper than :meth:`now`."""
        return time.monotonic_ns()

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        # A thread cannot block longer than TIMEOUT_MAX (about 292 years) in one
        # go: OverflowError. Nobody is still waiting by then, so sleep that long.
        seconds = min(max(seconds, 0.0), threading.TIMEOUT_MAX)
        if cancel is None:
            time.sleep(seconds)
            return True
        return not cancel.wait(seconds)  # Event.wait is a sleep that the event can end

    async def sleep_async(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def sleep_ns(self, ns: int, cancel: threading.Event | None = None) -> bool:
        return self.sleep(ns / 1e9, cancel)  # the OS sleeps in coarser steps than 1 ns anyway

    async def sleep_ns_async(self, ns: int) -> None:
        await asyncio.sleep(ns / 1e9)


def nanoseconds(clock: Clock) -> Callable[[], int]:
    """A function returning ``clock``'s time in integer nanoseconds, as fast as the clock allows.

    The breaker reads the time on every call, so it asks for this once: the
    system clock's answer is :func:`time.monotonic_ns` itself, with no method
    call in between; a clock with ``now_ns`` gives that; any other clock is
    read through ``now`` and rounded.
    """
    if isinstance(clock, SystemClock):
        return time.monotonic_ns
    now_ns: Callable[[], int] | None = getattr(clock, "now_ns", None)
    if callable(now_ns):
        return now_ns
    now = clock.now
    return lambda: round(now() * 1e9)
