"""Fixtures for chapter 1: nothing may outlive a test, and async tests need no plugin.

``no_thread_left_behind`` and ``no_task_left_behind`` are autouse: a test that
leaves a thread running, or returns from ``asyncio.run`` with a task still
pending (which ``asyncio.run`` would silently cancel), fails, naming them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from .helpers import TIMEOUT, Gauge

T = TypeVar("T")


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in leftover:  # clean up, so that one leak does not fail the next tests too
        t.join(TIMEOUT)
    assert not leftover, f"threads left behind: {[t.name for t in leftover]}"


class _LeakCheckingLoop(asyncio.SelectorEventLoop):
    """Notes the tasks still pending when the main coroutine of ``asyncio.run`` returns.

    ``asyncio.run`` calls ``run_until_complete`` first for the main coroutine,
    then again to cancel whatever is left; only the first call is of interest.
    """

    def __init__(self) -> None:
        super().__init__()
        self.main_done = False
        self.leftover: list[asyncio.Task[Any]] = []

    def run_until_complete(self, future: Any) -> Any:
        first, self.main_done = not self.main_done, True
        try:
            return super().run_until_complete(future)
        finally:
            if first:
                self.leftover = [t for t in asyncio.all_tasks(self) if not t.done()]


class _LeakCheckingPolicy(asyncio.DefaultEventLoopPolicy):
    def __init__(self) -> None:
        super().__init__()
        self.loops: list[_LeakCheckingLoop] = []

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = _LeakCheckingLoop()
        self.loops.append(loop)
        return loop


@pytest.fixture(autouse=True)
def no_task_left_behind() -> Iterator[None]:
    old = asyncio.get_event_loop_policy()
    policy = _LeakCheckingPolicy()
    asyncio.set_event_loop_policy(policy)
    try:
        yield
    finally:
        asyncio.set_event_loop_policy(old)
    leftover = [t.get_name() for loop in policy.loops for t in loop.leftover]
    assert not leftover, f"asyncio tasks left behind: {leftover}"


@pytest.fixture
def arun() -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine to completion in a fresh loop, failing it after :data:`TIMEOUT`."""

    def run(main: Coroutine[Any, Any, T], timeout: float = TIMEOUT) -> T:
        async def bounded() -> T:
            async with asyncio.timeout(timeout):
                return await main

        return asyncio.run(bounded())

    return run


@pytest.fixture
def gauge() -> Gauge:
    return Gauge()
