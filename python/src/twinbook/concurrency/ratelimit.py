"""Rate limiting: a token-bucket :class:`Limiter`.

The Go twin is ``Limiter`` in ``go/concurrency/ratelimit.go``. The limiter
takes its clock (:mod:`twinbook.clock`) as an argument for one reason: tests.
With a :class:`~twinbook.clock.ManualClock`, time moves only when the test
calls :meth:`~twinbook.clock.ManualClock.advance`, so a test of "the sixth
call waits 100 ms" takes no time and cannot flake.

A limiter's state is a number under a lock, tied to no thread and no event
loop, so one limiter serves both flavours: :meth:`Limiter.wait` blocks a thread (and
gives up when a ``cancel`` event is set), :meth:`Limiter.wait_async` suspends a
task (and gives up when the task is cancelled). Either way a waiter that gives
up returns its token.
"""

from __future__ import annotations

import asyncio
import math
import threading
from concurrent.futures import CancelledError

from twinbook.clock import Clock, SystemClock

__all__ = ["Limiter"]

# Float time is inexact: 0.1 + 0.2 seconds at 10 tokens/s earns 2.9999999999999996
# tokens, and "is a token there?" must not turn on the last bit.
_EPSILON = 1e-9


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
        self._lock = threading.Lock()
        self._tokens = float(burst)  # negative while waiters have borrowed ahead
        self._last = self.clock.now()

    # docs:start limiter-allow
    def allow(self) -> bool:
        """Spend a token and return ``True`` if one is there now; else spend nothing, ``False``."""
        with self._lock:
            self._refill()
            if self._tokens < 1 - _EPSILON:
                return False
            self._tokens -= 1
            return True

    def _refill(self) -> None:
        """Add the tokens earned since the last call, up to ``burst``; lazily: nothing ticks."""
        now = self.clock.now()
        if now > self._last:
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now

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
        if delay > 0 and not self.clock.sleep(delay, cancel):
            self._give_back()
            raise CancelledError("cancelled while waiting for a token")

    def _reserve(self) -> float:
        """Take a token now, even into debt, and return how long to sleep it off.

        Each waiter queues behind the ones before it: their debt is part of its delay.
        """
        with self._lock:
            self._refill()
            self._tokens -= 1
            debt = -self._tokens
            return debt / self.rate if debt > _EPSILON else 0.0

    # docs:end limiter-wait

    # docs:start limiter-wait-async
    async def wait_async(self) -> None:
        """Spend a token, first sleeping until one is due; if cancelled meanwhile, give it back."""
        delay = self._reserve()
        if delay > 0:
            try:
                await self.clock.sleep_async(delay)
            except asyncio.CancelledError:
                self._give_back()
                raise

    # docs:end limiter-wait-async

    def _give_back(self) -> None:
        with self._lock:
            self._refill()
            self._tokens = min(self.burst, self._tokens + 1)
