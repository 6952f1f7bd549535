"""Where a breaker reads the time: injectable, so tests own the clock.

A breaker only ever asks "what time is it?" (the Go twin's ``Clock`` has just
``Now()``); it never sleeps, because every time-driven transition is applied
lazily when the breaker is next consulted. So a clock here is anything with
``now()`` in seconds, like chapter 1's :class:`twinbook.concurrency.ratelimit.ManualClock`.
A clock may also offer ``now_ns()``, integer nanoseconds, which the breaker
prefers: it is exact and, for the system clock, cheaper.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock", "nanoseconds"]


class Clock(Protocol):
    """Seconds on a monotonic scale; only differences mean anything."""

    def now(self) -> float: ...


class SystemClock:
    """The real clock: :func:`time.monotonic`, which never jumps back like wall time can."""

    def now(self) -> float:
        return time.monotonic()

    def now_ns(self) -> int:
        return time.monotonic_ns()


class ManualClock:
    """A clock that moves only when told to, in exact integer nanoseconds.

    ``set_ms`` exists for conformance vectors, which give every step's
    time in milliseconds.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._ns = round(start * 1e9)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._ns / 1e9

    def now_ns(self) -> int:
        return self._ns

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds``."""
        if seconds < 0:
            raise ValueError(f"cannot advance a clock backwards, got {seconds!r}")
        with self._lock:
            self._ns += round(seconds * 1e9)

    def advance_ms(self, ms: float) -> None:
        """Move forward by ``ms`` milliseconds."""
        if ms < 0:
            raise ValueError(f"cannot advance a clock backwards, got {ms!r} ms")
        with self._lock:
            self._ns += round(ms * 1_000_000)

    def set_ms(self, ms: float) -> None:
        """Jump to ``ms`` milliseconds, backwards too: a vector call may outlast the next step."""
        with self._lock:
            self._ns = round(ms * 1_000_000)


def nanoseconds(clock: Clock) -> Callable[[], int]:
    """A function returning ``clock``'s time in integer nanoseconds, as fast as the clock allows."""
    now_ns = getattr(clock, "now_ns", None)
    if isinstance(clock, SystemClock):
        return time.monotonic_ns  # no method call in between: this is on every call's path
    if callable(now_ns):
        return now_ns  # type: ignore[no-any-return]
    now = clock.now
    return lambda: round(now() * 1e9)
