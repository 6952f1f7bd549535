"""twinbook.clock: the one clock the breaker, the limiter and the chapters to come read."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from timeouts import TIMEOUT

from twinbook.clock import Clock, ManualClock, SystemClock, nanoseconds

Run = Callable[..., Any]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.mark.parametrize(
    ("start", "moves", "now_ns"),
    [
        (0.0, [("advance", 1.5)], 1_500_000_000),
        (2.0, [("advance", 0.001), ("advance", 0.002)], 2_003_000_000),
        (0.0, [("set", 5.03)], 5_030_000_000),  # exact: 5.03 s is 5030 ms, not a hair less
        (10.0, [("set", 4.0)], 4_000_000_000),  # set may go back: vectors replay out of order
        (0.0, [("advance", 0.1), ("advance", 0.2)], 300_000_000),  # no float drift
    ],
)
def test_manual_clock_moves_only_when_told(
    start: float, moves: list[tuple[str, float]], now_ns: int
) -> None:
    clock = ManualClock(start)
    for method, seconds in moves:
        getattr(clock, method)(seconds)
    assert clock.now_ns() == now_ns
    assert clock.now() == now_ns / 1e9


def test_manual_clock_wakes_thread_sleepers_when_due(clock: ManualClock) -> None:
    woke: list[float] = []
    lock = threading.Lock()

    def sleeper(seconds: float) -> None:
        assert clock.sleep(seconds) is True
        with lock:
            woke.append(seconds)

    threads = [threading.Thread(target=sleeper, args=(s,)) for s in (2, 1)]
    for t in threads:
        t.start()
    clock.wait_for_sleepers(2)
    clock.advance(1)
    threads[1].join(TIMEOUT)
    assert woke == [1] and clock.sleepers == 1
    clock.set(2)
    threads[0].join(TIMEOUT)
    assert woke == [1, 2] and clock.sleepers == 0


def test_manual_clock_sleep_gives_up_on_cancel(clock: ManualClock) -> None:
    cancel = threading.Event()
    result: list[bool] = []
    t = threading.Thread(target=lambda: result.append(clock.sleep(60, cancel)))
    t.start()
    clock.wait_for_sleepers(1)
    cancel.set()
    t.join(TIMEOUT)
    assert result == [False] and clock.sleepers == 0


def test_wait_for_sleepers_times_out(clock: ManualClock) -> None:
    with pytest.raises(TimeoutError, match="0 sleepers"):
        clock.wait_for_sleepers(1, timeout=0.01)


def test_manual_clock_from_many_threads_at_once(clock: ManualClock) -> None:
    """Sleepers, readers and one mover share a clock: every sleeper wakes once, never early."""
    sleepers, early = 32, []
    lock = threading.Lock()

    def sleeper(i: int) -> None:
        seconds = i % 8 + 1
        start = clock.now_ns()
        clock.sleep(seconds)
        if clock.now_ns() - start < seconds * 1_000_000_000:
            with lock:
                early.append(i)

    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            clock.now()
            _ = clock.sleepers

    threads = [threading.Thread(target=sleeper, args=(i,)) for i in range(sleepers)]
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads + readers:
        t.start()
    clock.wait_for_sleepers(sleepers)
    for _ in range(8):
        clock.advance(1)
    for t in threads:
        t.join(TIMEOUT)
    stop.set()
    for t in readers:
        t.join(TIMEOUT)
    assert early == []
    assert clock.sleepers == 0


@pytest.mark.parametrize(
    ("clock", "expected"),
    [(SystemClock(), time.monotonic_ns), (ManualClock(3.0), None)],
    ids=["system", "manual"],
)
def test_nanoseconds_takes_the_fastest_reading(clock: Clock, expected: Any) -> None:
    read = nanoseconds(clock)
    if expected is not None:
        assert read is expected  # no method call in between on the hot path
    else:
        assert read() == 3_000_000_000


def test_nanoseconds_of_a_clock_with_only_now() -> None:
    class Seconds:
        def now(self) -> float:
            return 1.25

        def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
            return True

        async def sleep_async(self, seconds: float) -> None:
            await asyncio.sleep(0)

    assert nanoseconds(Seconds())() == 1_250_000_000


def test_manual_clock_wakes_async_sleepers_in_deadline_order(arun: Run, clock: ManualClock) -> None:
    woke: list[float] = []

    async def sleeper(seconds: float) -> None:
        await clock.sleep_async(seconds)
        woke.append(seconds)

    async def main() -> None:
        tasks = [asyncio.create_task(sleeper(s)) for s in (3, 1, 2, 1)]
        while clock.sleepers < 4:
            await asyncio.sleep(0)
        clock.advance(2)
        await asyncio.gather(*tasks[1:])
        assert woke == [1, 1, 2]
        clock.advance(1)
        await tasks[0]

    arun(main())
    assert woke == [1, 1, 2, 3]


def test_manual_clock_refuses_to_go_back(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="got -1"):
        clock.advance(-1)


@pytest.mark.parametrize("make", [ManualClock, SystemClock])
def test_clocks_do_not_sleep_for_nothing(make: Callable[[], Clock]) -> None:
    clock = make()
    assert clock.sleep(0) is True
    assert clock.sleep(-1) is True


def test_system_clock_sleep_ends_early_on_cancel() -> None:
    cancel = threading.Event()
    threading.Timer(0.01, cancel.set).start()
    start = time.monotonic()
    assert SystemClock().sleep(TIMEOUT, cancel) is False
    assert time.monotonic() - start < TIMEOUT / 2
    for t in threading.enumerate():  # the Timer thread ends right after it fires
        if isinstance(t, threading.Timer):
            t.join(TIMEOUT)


def test_manual_clock_sleep_ns_wakes_at_the_nanosecond_not_before(clock: ManualClock) -> None:
    # 1 000 000 001 ns as float seconds is 1.000000001, whose nearest ns could be either side:
    # the nanosecond form keeps the deadline exact, as Go's After(d) does.
    result: list[bool] = []
    t = threading.Thread(target=lambda: result.append(clock.sleep_ns(1_000_000_001)))
    t.start()
    clock.wait_for_sleepers(1)
    clock.set(1.0)
    assert clock.sleepers == 1 and result == []
    clock.advance(1e-9)
    t.join(TIMEOUT)
    assert result == [True] and clock.sleepers == 0


def test_manual_clock_sleep_ns_async_is_cancellable(arun: Run, clock: ManualClock) -> None:
    async def main() -> int:
        task = asyncio.ensure_future(clock.sleep_ns_async(2**63 - 1))
        while clock.sleepers == 0:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return clock.sleepers

    assert arun(main()) == 0


def test_system_clock_sleeps_past_what_a_thread_can_block_until_cancelled() -> None:
    # 2^63-1 ns is more than threading.TIMEOUT_MAX: sleep as long as allowed, not OverflowError.
    cancel = threading.Event()
    timer = threading.Timer(0.01, cancel.set)
    timer.start()
    assert SystemClock().sleep_ns(2**63 - 1, cancel) is False
    timer.join(TIMEOUT)
