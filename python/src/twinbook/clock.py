"""Where the library reads the time and waits for it to pass: one clock for every chapter.

The breaker (chapter 2) asks what time it is; the rate limiter (chapter 1)
also sleeps until a token is due; the chapters to come do both. All of them
take a :class:`Clock` argument for one reason: tests. With a
:class:`ManualClock`, time moves only when the test calls
:meth:`ManualClock.advance`, so a test of "the sixth call waits 100 ms" or
"the breaker half-opens after 5 s" takes no time and cannot flake.

The Go twin is package ``twinbook/clock`` (``clock.Clock``, ``clock.System``,
``clock.Manual``). A clock is shared by threads and tasks alike, so it
follows the library's rule for objects tied to neither (see the book's
conventions appendix): one class, whose waiting method comes as ``sleep``
for a thread and ``sleep_async`` for a task.

Time is kept in integer nanoseconds. The breaker's time window puts a call in
the second ``floor(t_ms / 1000)``, and float seconds would put 5.03 s on
either side of 5030 ms by a last bit; integers cannot.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["POLL_INTERVAL", "Clock", "ManualClock", "SystemClock", "nanoseconds"]

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


class SystemClock:
    """The real clock: :func:`time.monotonic`, which never jumps back like wall time can."""

    def now(self) -> float:
        return time.monotonic()

    def now_ns(self) -> int:
        """The time in integer nanoseconds: exact, and cheaper than :meth:`now`."""
        return time.monotonic_ns()

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        if cancel is None:
            time.sleep(max(seconds, 0.0))
            return True
        return not cancel.wait(max(seconds, 0.0))  # Event.wait is a sleep that the event can end

    async def sleep_async(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(order=True)
class _Sleeper:
    deadline: int  # ns
    seq: int  # ties wake in the order they went to sleep
    wake: threading.Event | asyncio.Future[None] = field(compare=False)
    loop: asyncio.AbstractEventLoop | None = field(default=None, compare=False)


def _ns(seconds: float) -> int:
    return round(seconds * 1e9)


class ManualClock:
    """A clock that moves only when told to: deterministic tests of anything timed.

    Sleepers, thread or task, wake only in :meth:`advance` or :meth:`set`,
    which wake exactly those whose deadline has come, earliest first (ties in
    the order they went to sleep), all before returning. :meth:`wait_for_sleepers`
    lets a test wait until the code under test is really asleep before it
    moves the clock, instead of guessing with a real sleep. Safe to share
    between threads and tasks.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._ns = _ns(start)
        self._cond = threading.Condition()
        self._sleepers: list[_Sleeper] = []  # a heap, by deadline then seq
        self._seq = itertools.count()

    def now(self) -> float:
        return self._ns / 1e9

    def now_ns(self) -> int:
        """The time in integer nanoseconds, exactly as the clock keeps it."""
        return self._ns  # one attribute read: atomic, no lock needed

    @property
    def sleepers(self) -> int:
        """How many threads and tasks are sleeping on this clock."""
        with self._cond:
            return len(self._sleepers)

    def wait_for_sleepers(self, count: int, timeout: float = 5.0) -> None:
        """Block until ``count`` are asleep; :class:`TimeoutError` after ``timeout`` real seconds."""
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
            self._move(self._ns + _ns(seconds))

    def set(self, seconds: float) -> None:
        """Jump to ``seconds``, backwards too, waking every sleeper due by then.

        Conformance vectors give every step's time, and a step may come before
        the end of the previous call: replaying them needs a clock that can go back.
        """
        with self._cond:
            self._move(_ns(seconds))

    def _move(self, to: int) -> None:
        """Set the time and wake who is due; ``self._cond`` is held."""
        self._ns = to
        due = []
        while self._sleepers and self._sleepers[0].deadline <= to:
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
                return not self._unregister(sleeper)  # True if the clock got there first
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
            if _ns(seconds) <= 0:
                return None
            sleeper = _Sleeper(self._ns + _ns(seconds), next(self._seq), wake, loop)
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
