"""Rate limiting: a token-bucket :class:`Limiter` and the clocks it reads.

The Go twin is ``Limiter`` / ``Clock`` in ``go/concurrency/ratelimit.go`` and
``clock.go``. The limiter takes its clock as an argument for one reason:
tests. With a :class:`ManualClock`, time moves only when the test calls
:meth:`ManualClock.advance`, so a test of "the sixth call waits 100 ms" takes
no time and cannot flake.

One limiter serves both flavours: :meth:`Limiter.wait` blocks a thread (and
gives up when a ``cancel`` event is set), :meth:`Limiter.wait_async` suspends a
task (and gives up when the task is cancelled). Either way a waiter that gives
up returns its token.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import threading
import time
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import Protocol

from .channel import POLL_INTERVAL

__all__ = ["Clock", "Limiter", "ManualClock", "SystemClock"]

# Float time is inexact: 0.1 + 0.2 seconds at 10 tokens/s earns 2.9999999999999996
# tokens, and "is a token there?" must not turn on the last bit.
_EPSILON = 1e-9


class Clock(Protocol):
    """Where a :class:`Limiter` reads the time and waits for it to pass."""

    def now(self) -> float:
        """Seconds on a monotonic scale; only differences mean anything."""
        ...

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        """Block the thread for ``seconds``; return ``False`` early if ``cancel`` is set first."""
        ...

    async def sleep_async(self, seconds: float) -> None:
        """Suspend the task for ``seconds``; cancellable like any ``await``."""
        ...


class SystemClock:
    """The real clock: :func:`time.monotonic`, which never jumps back like wall time can."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        if cancel is None:
            time.sleep(max(seconds, 0.0))
            return True
        return not cancel.wait(max(seconds, 0.0))  # Event.wait is a sleep that the event can end

    async def sleep_async(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(order=True)
class _Sleeper:
    deadline: float
    seq: int  # ties wake in the order they went to sleep
    wake: threading.Event | asyncio.Future[None] = field(compare=False)
    loop: asyncio.AbstractEventLoop | None = field(default=None, compare=False)


class ManualClock:
    """A clock that moves only when told to: deterministic tests of anything timed.

    Sleepers, thread or task, wake only in :meth:`advance`, which wakes
    exactly those whose deadline has come, earliest first (ties in the order
    they went to sleep), all before it returns. :meth:`wait_for_sleepers`
    lets a test wait until the code under test is really asleep before it
    advances the clock, instead of guessing with a real sleep.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._cond = threading.Condition()
        self._sleepers: list[_Sleeper] = []  # a heap, by deadline then seq
        self._seq = itertools.count()

    def now(self) -> float:
        with self._cond:
            return self._now

    @property
    def sleepers(self) -> int:
        """How many threads and tasks are sleeping on this clock."""
        with self._cond:
            return len(self._sleepers)

    def wait_for_sleepers(self, count: int, timeout: float = 5.0) -> None:
        """Block until ``count`` are asleep; :class:`TimeoutError` after ``timeout`` seconds."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._sleepers) >= count, timeout):
                raise TimeoutError(
                    f"{len(self._sleepers)} sleepers after {timeout}s, wanted {count}"
                )

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` and wake every sleeper now due, earliest first."""
        if seconds < 0:
            raise ValueError(f"cannot advance a clock backwards, got {seconds!r}")
        with self._cond:
            self._now += seconds
            due = []
            while self._sleepers and self._sleepers[0].deadline <= self._now + _EPSILON:
                due.append(heapq.heappop(self._sleepers))
        for sleeper in due:
            if isinstance(sleeper.wake, threading.Event):
                sleeper.wake.set()
            elif sleeper.loop is not None:
                sleeper.loop.call_soon_threadsafe(_resolve, sleeper.wake)

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        woken = threading.Event()
        sleeper = self._register(seconds, woken, None)
        if sleeper is None:
            return True
        # Threads cannot wait on two events at once: look at cancel now and then.
        while not woken.wait(None if cancel is None else POLL_INTERVAL):
            if cancel is not None and cancel.is_set():
                return not self._unregister(sleeper)  # True if advance() got there first
        return True

    async def sleep_async(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        sleeper = self._register(seconds, woken, loop)
        if sleeper is None:
            return
        try:
            await woken
        finally:
            self._unregister(sleeper)  # cancelled: stop being a sleeper

    def _register(
        self,
        seconds: float,
        wake: threading.Event | asyncio.Future[None],
        loop: asyncio.AbstractEventLoop | None,
    ) -> _Sleeper | None:
        with self._cond:
            if seconds <= 0:
                return None
            sleeper = _Sleeper(self._now + seconds, next(self._seq), wake, loop)
            heapq.heappush(self._sleepers, sleeper)
            self._cond.notify_all()
            return sleeper

    def _unregister(self, sleeper: _Sleeper) -> bool:
        """Remove ``sleeper`` if still asleep; report whether it was."""
        with self._cond:
            if sleeper not in self._sleepers:
                return False
            self._sleepers.remove(sleeper)
            heapq.heapify(self._sleepers)
            return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():  # a cancelled sleeper's future is already done
        future.set_result(None)


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
