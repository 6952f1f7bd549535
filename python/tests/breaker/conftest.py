"""Fixtures for chapter 2's breaker tests: a manual clock, and nothing left running.

``no_thread_left_behind`` is autouse, as in chapter 1: a test that leaves a
thread running (a server, a worker) fails, naming it. Async tests run with
:func:`asyncio.run` through ``arun``, bounded by :data:`TIMEOUT`, so a hang is
a failure, not a stuck run.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from twinbook.breaker import Breaker, Config, ManualClock

T = TypeVar("T")
TIMEOUT = 10.0


# grpc.aio starts one poller thread per process, on first use, and keeps it: not a leak.
PROCESS_THREADS = ("(_poll_wrapper)",)


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leftover = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.endswith(PROCESS_THREADS)
    ]
    for t in leftover:
        t.join(TIMEOUT)
    leftover = [t for t in leftover if t.is_alive()]
    assert not leftover, f"threads left behind: {[t.name for t in leftover]}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make(clock: ManualClock) -> Callable[..., Breaker]:
    """``make(**config)``: a breaker on the manual clock; small, quick-to-trip defaults."""

    def build(**overrides: Any) -> Breaker:
        values: dict[str, Any] = dict(
            window_size=4,
            minimum_calls=4,
            failure_rate_threshold=50,
            slow_call_rate_threshold=100,
            slow_call_duration_ms=1000,
            wait_in_open_ms=5000,
            half_open_permitted_calls=2,
        )
        values.update(overrides)
        return Breaker(Config(**values), clock=clock)

    return build


@pytest.fixture
def arun() -> Callable[..., Any]:
    def run(main: Coroutine[Any, Any, T], timeout: float = TIMEOUT) -> T:
        async def bounded() -> T:
            async with asyncio.timeout(timeout):
                return await main

        return asyncio.run(bounded())

    return run
