"""A clock that moves only when a test moves it: :class:`ManualClock`.

The Go twin is ``clock.Manual`` in ``go/clock/clock.go``. Time is kept in
integer nanoseconds: the breaker's time window puts a call in the second
``floor(t_ms / 1000)``, and float seconds would put 5.03 s on either side of
5030 ms by a last bit; integers cannot.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from dataclasses import dataclass, field

from .clock import POLL_INTERVAL

__all__ = ["ManualClock"]


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
        return self.sleep_ns(_ns(seconds), cancel)

    async def sleep_async(self, seconds: float) -> None:
        await self.sleep_ns_async(_ns(seconds))

    def sleep_ns(self, ns: int, cancel: threading.Event | None = None) -> bool:
        woken = threading.Event()
        sleeper = self._register(ns, woken, None)
        if sleeper is None:
            return True
        # Threads cannot wait on two events at once: look at cancel now and then.
        while not woken.wait(None if cancel is None else POLL_INTERVAL):
            if cancel is not None and cancel.is_set():
                return not self._unregister(sleeper)  # True if the clock got there first
        return True

    async def sleep_ns_async(self, ns: int) -> None:
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        sleeper = self._register(ns, woken, loop)
        if sleeper is None:
            return
        try:
            await woken
        finally:
            self._unregister(sleeper)  # cancelled: stop being a sleeper

    def _register(
        self,
        ns: int,
        wake: threading.Event | asyncio.Future[None],
        loop: asyncio.AbstractEventLoop | None,
    ) -> _Sleeper | None:
        with self._cond:
            if ns <= 0:
                return None
            sleeper = _Sleeper(self._ns + ns, next(self._seq), wake, loop)
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
