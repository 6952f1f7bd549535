"""twinbook.concurrency.ratelimit: a token bucket on a clock the tests control."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import CancelledError
from typing import Any

import pytest

from twinbook.clock import ManualClock, SystemClock
from twinbook.concurrency.ratelimit import Limiter

from .helpers import TIMEOUT

Run = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


class Waiter:
    """A thread calling ``limiter.wait(cancel)``; ``outcome`` says how that ended."""

    def __init__(self, limiter: Limiter, cancel: threading.Event | None = None) -> None:
        self.outcome: str | None = None
        self._thread = threading.Thread(target=self._run, args=(limiter, cancel), name="waiter")
        self._thread.start()

    def _run(self, limiter: Limiter, cancel: threading.Event | None) -> None:
        try:
            limiter.wait(cancel)
            self.outcome = "got a token"
        except CancelledError:
            self.outcome = "cancelled"

    def join(self) -> str | None:
        self._thread.join(TIMEOUT)
        assert not self._thread.is_alive()
        return self.outcome


@pytest.fixture
def waiters() -> Iterator[list[Waiter]]:
    """Waiter threads a test starts; joined afterwards even if the test fails."""
    started: list[Waiter] = []
    yield started
    for w in started:
        w._thread.join(TIMEOUT)


@pytest.mark.parametrize(
    ("rate", "burst", "message"),
    [
        (0, 1, "rate must be a positive finite number .* got 0"),
        (-2.5, 1, "got -2.5"),
        (math.inf, 1, "got inf"),
        (math.nan, 1, "got nan"),
        (10, 0, "burst must be at least 1, got 0"),
        (10, -1, "burst must be at least 1, got -1"),
    ],
)
def test_bad_rate_or_burst_raises_value_error_naming_it(
    rate: float, burst: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Limiter(rate, burst, ManualClock())


@pytest.mark.parametrize(
    ("rate", "burst", "steps", "expected"),
    [
        # steps: "a" = allow(), a number = advance(seconds); expected: one bool per "a"
        (10, 3, ["a", "a", "a", "a"], [True, True, True, False]),
        (10, 1, ["a", "a", 0.1, "a", "a"], [True, False, True, False]),
        (10, 1, ["a", 0.05, "a", 0.05, "a"], [True, False, True]),  # half a token is none
        (10, 3, ["a", "a", "a", 100, "a", "a", "a", "a"], [True] * 3 + [True] * 3 + [False]),
        (2, 1, ["a", 0.1, 0.1, 0.1, 0.1, 0.1, "a"], [True, True]),  # float steps add up
        (0.5, 2, ["a", "a", 1, "a", 1, "a"], [True, True, False, True]),
    ],
)
def test_allow_spends_tokens_and_refills_at_rate(
    clock: ManualClock, rate: float, burst: int, steps: list[Any], expected: list[bool]
) -> None:
    limiter = Limiter(rate, burst, clock)
    got = []
    for step in steps:
        if step == "a":
            got.append(limiter.allow())
        else:
            clock.advance(step)
    assert got == expected


def test_wait_returns_at_once_while_tokens_last(clock: ManualClock) -> None:
    limiter = Limiter(10, 2, clock)
    limiter.wait()
    limiter.wait()
    assert clock.sleepers == 0
    assert not limiter.allow()


def test_wait_sleeps_until_the_token_is_due(clock: ManualClock, waiters: list[Waiter]) -> None:
    limiter = Limiter(10, 1, clock)
    assert limiter.allow()
    waiters.append(waiter := Waiter(limiter))
    clock.wait_for_sleepers(1)
    clock.advance(0.05)
    assert clock.sleepers == 1 and waiter.outcome is None  # not yet: 0.1 s per token
    clock.advance(0.05)
    assert waiter.join() == "got a token"


def test_waiters_queue_one_token_interval_apart(clock: ManualClock, waiters: list[Waiter]) -> None:
    limiter = Limiter(10, 1, clock)
    assert limiter.allow()
    waiters.extend(Waiter(limiter) for _ in range(3))
    clock.wait_for_sleepers(3)
    for still_asleep in (2, 1, 0):
        clock.advance(0.1)
        assert clock.sleepers == still_asleep  # advance() wakes exactly the ones due
    assert [w.join() for w in waiters] == ["got a token"] * 3
    assert not limiter.allow()  # the three used every token earned


def test_cancelled_wait_raises_and_gives_the_token_back(
    clock: ManualClock, waiters: list[Waiter]
) -> None:
    limiter = Limiter(10, 1, clock)
    assert limiter.allow()
    cancel = threading.Event()
    waiters.append(waiter := Waiter(limiter, cancel))
    clock.wait_for_sleepers(1)
    cancel.set()
    assert waiter.join() == "cancelled"
    assert clock.sleepers == 0
    clock.advance(0.1)
    assert limiter.allow()  # the token the cancelled waiter had reserved is back
    assert not limiter.allow()


def test_wait_with_cancel_already_set_spends_nothing(clock: ManualClock) -> None:
    cancel = threading.Event()
    cancel.set()
    limiter = Limiter(10, 1, clock)
    with pytest.raises(CancelledError):
        limiter.wait(cancel)
    assert limiter.allow()


def test_wait_async_sleeps_until_the_token_is_due(arun: Run, clock: ManualClock) -> None:
    async def main() -> None:
        limiter = Limiter(10, 1, clock)
        await limiter.wait_async()
        task = asyncio.create_task(limiter.wait_async())
        while clock.sleepers < 1:
            await asyncio.sleep(0)
        clock.advance(0.099)
        await asyncio.sleep(0)
        assert not task.done()
        clock.advance(0.001)
        await task

    arun(main())


def test_cancelled_wait_async_gives_the_token_back(arun: Run, clock: ManualClock) -> None:
    async def main() -> None:
        limiter = Limiter(10, 1, clock)
        assert limiter.allow()
        task = asyncio.create_task(limiter.wait_async())
        while clock.sleepers < 1:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert clock.sleepers == 0
        clock.advance(0.1)
        assert limiter.allow()
        assert not limiter.allow()

    arun(main())


class RecordingClock(SystemClock):
    """The real clock, noting every sleep the limiter asks of it, in whole nanoseconds."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    def sleep_ns(self, ns: int, cancel: threading.Event | None = None) -> bool:
        self.asked.append(ns)
        return super().sleep_ns(ns, cancel)

    async def sleep_ns_async(self, ns: int) -> None:
        self.asked.append(ns)
        await super().sleep_ns_async(ns)


# Real time: six tokens at 100/s with a burst of 1 cannot come sooner than five intervals
# of 10 ms (a busy machine only adds to that), and no single wait asks for more than one
# interval (10 ms, in whole nanoseconds). How long a sleep really takes is up to the machine,
# so it is not asserted.
ONE_INTERVAL_NS = 10_000_000


def test_real_time_waits_are_spaced_by_the_rate() -> None:
    clock = RecordingClock()
    limiter = Limiter(100, 1, clock)
    start = time.monotonic()
    for _ in range(6):
        limiter.wait()
    assert time.monotonic() - start >= 0.045
    assert clock.asked and max(clock.asked) <= ONE_INTERVAL_NS, clock.asked


def test_real_time_wait_async_is_spaced_by_the_rate(arun: Run) -> None:
    clock = RecordingClock()

    async def main() -> float:
        limiter = Limiter(100, 1, clock)
        start = time.monotonic()
        for _ in range(6):
            await limiter.wait_async()
        return time.monotonic() - start

    assert arun(main()) >= 0.045
    assert clock.asked and max(clock.asked) <= ONE_INTERVAL_NS, clock.asked


def test_a_delay_past_what_a_thread_can_block_is_capped_and_cancellable() -> None:
    # 10^19 ns is more than Go's longest Duration: the delay is capped at 2^63-1 ns, and the
    # real clock, which cannot block that long in one go, sleeps as long as it can instead
    # of raising OverflowError; the cancel event still ends the wait.
    clock = RecordingClock()
    limiter = Limiter(1e-10, 1, clock)
    assert limiter.allow()
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()
    with pytest.raises(CancelledError):
        limiter.wait(cancel)
    assert clock.asked == [2**63 - 1]
    assert 0 <= limiter._tokens < 1  # the token came back: the debt is gone


@pytest.mark.parametrize(
    ("rate", "at_ns", "allowed", "delay_ns"),
    [
        (0.9999999995, 1_000_000_000, False, 1),  # a hair under a token is none; its debt 1 ns
        (999.9999995, 1_000_000, False, 1),
        (999.9995, 0, False, 1_000_001),  # 1 000 000.5 ns rounds up, not to the nearest
    ],
)
def test_no_tolerance_near_a_whole_token_and_delays_round_up(
    clock: ManualClock, rate: float, at_ns: int, allowed: bool, delay_ns: int
) -> None:
    limiter = Limiter(rate, 1, clock)
    assert limiter.allow()
    clock.set(at_ns / 1e9)
    assert limiter.allow() is allowed
    assert limiter._reserve() == delay_ns
