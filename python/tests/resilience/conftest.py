"""Fixtures for the resilience tests: nothing left running, bounded asyncio runs, fake sleeps."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
TIMEOUT = 10.0


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in leftover:
        t.join(TIMEOUT)
    leftover = [t for t in leftover if t.is_alive()]
    assert not leftover, f"threads left behind: {[t.name for t in leftover]}"


@pytest.fixture
def arun() -> Callable[..., Any]:
    def run(main: Coroutine[Any, Any, T], timeout: float = TIMEOUT) -> T:
        async def bounded() -> T:
            async with asyncio.timeout(timeout):
                return await main

        return asyncio.run(bounded())

    return run


class Sleeps:
    """A fake ``sleep`` / ``sleep_async`` that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def aio(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
