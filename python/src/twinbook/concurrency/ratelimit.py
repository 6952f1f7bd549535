"""Rate limiting: a token-bucket :class:`Limiter`.

The contract is ``book/appendix/spec-limiter.md`` (rules L1 to L8, and the
conformance vectors both twins pass); the Go twin is ``Limiter`` in
``go/concurrency/ratelimit.go``. The limiter takes its clock
(:mod:`twinbook.clock`) as an argument for one reason: tests. With a
:class:`~twinbook.clock.ManualClock`, time moves only when the test calls
:meth:`~twinbook.clock.ManualClock.advance`, so a test of "the sixth call
waits 100 ms" takes no time and cannot flake.

A limiter's state is a number under a lock, tied to no thread and no event
loop, so one limiter serves both flavours: :meth:`Limiter.wait` blocks a thread (and
gives up when a ``cancel`` event is set), :meth:`Limiter.wait_async` suspends a
task (and gives up when the task is cancelled). Either way a waiter that gives
up returns its token.

Time is whole nanoseconds, as in Go, and the tokens are counted with the same
float64 operations in the same order, so the twins agree to the last bit: no
tolerance on "is a token there?", and a delay rounded up to whole nanoseconds.
"""

from __future__ import annotations

import asyncio
import math
import threading
from concurrent.futures import CancelledError

from twinbook.clock import Clock, SystemClock, nanoseconds

__all__ = ["Limiter"]

_NS_PER_S = 1_000_000_000
_MAX_DELAY_NS = 2**63 - 1  # Go's longest time.Duration, about 292 years


class Limiter:
    """A token bucket: up to ``burst`` tokens, ``rate`` more per second, one spent per event.

    ``rate`` must be positive and finite and ``burst`` at least 1, else
    :class:`ValueError`. Safe to share between threads, and between tasks.
    """

    def __init__(self, rate: float, burst: int, clock: Clock | None = None) -> None:
        if not rate > 0 or math.isinf(rate):
            raise ValueError(
                f"rate must be a positive finite number of tokens per second, got {rate!r}"
            )
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.rate = float(rate)
        self.burst = burst
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._now_ns = nanoseconds(self.clock)
        self._lock = threading.Lock()
        self._capacity = float(burst)
        self._tokens = float(burst)  # negative while waiters have borrowed ahead
        self._last_ns = self._now_ns()

    # docs:start limiter-allow
    def allow(self) -> bool:
        """Spend a token and return ``True`` if one is there now; else spend nothing,
        ``False``."""
        with self._lock:
            self._refill()
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True

    def _refill(self) -> None:
        """Add the tokens earned since the last call, up to ``burst``; lazily: nothing
        ticks."""
        now = self._now_ns()
        if now > self._last_ns:
            earned = _seconds(now - self._last_ns) * self.rate
            self._tokens = min(self._capacity, self._tokens + earned)
            self._last_ns = now

    # docs:end limiter-allow

    # docs:start limiter-wait
    def wait(self, cancel: threading.Event | None = None) -> None:
        """Spend a token, first sleeping until one is due.

        If ``cancel`` is set first, give the token back and raise
        :class:`concurrent.futures.CancelledError`.
        """
        if cancel is not None and cancel.is_set():
            raise CancelledError("cancelled before waiting for a token")
        delay = self._reserve()
        if delay > 0 and not self.clock.sleep_ns(delay, cancel):
            self._give_back()
            raise CancelledError("cancelled while waiting for a token")

    def _reserve(self) -> int:
        """Take a token now, even into debt, and return the nanoseconds to sleep it off.

        Each waiter queues behind the ones before it: their debt is part of its delay.
        """
        with self._lock:
            self._refill()
            self._tokens -= 1
            return _delay_ns(-self._tokens / self.rate)

    # docs:end limiter-wait

    # docs:start limiter-wait-async
    async def wait_async(self) -> None:
        """Spend a token, first sleeping until one is due; if cancelled meanwhile, give
        it back."""
        delay = self._reserve()
        if delay > 0:
            try:
                await self.clock.sleep_ns_async(delay)
            except asyncio.CancelledError:
                self._give_back()
                raise

    # docs:end limiter-wait-async

    def _give_back(self) -> None:
        with self._lock:
            self._refill()
            self._tokens = min(self._capacity, self._tokens + 1)


def _seconds(ns: int) -> float:
    """``ns`` in float seconds, computed as Go's ``Duration.Seconds`` does, bit for bit."""
    whole, rest = divmod(ns, _NS_PER_S)
    return whole + rest / 1e9


def _delay_ns(seconds: float) -> int:
    """Round up to whole nanoseconds, so nobody wakes before its token is due; cap like Go.

    0 or less means no debt: no sleep. Go's ``secondsToDuration`` is the twin.
    """
    ns = seconds * 1e9
    if ns >= 2.0**63:
        return _MAX_DELAY_NS
    return math.ceil(ns)
