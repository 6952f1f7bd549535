"""Fixtures for chapter 1, beside the shared ones in ``python/tests/conftest.py``.

``no_task_left_behind`` is autouse: a test that returns from ``asyncio.run``
with a task still pending (which ``asyncio.run`` would silently cancel)
fails, naming the tasks. Threads left behind are the shared conftest's job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from .helpers import Gauge


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
def gauge() -> Gauge:
    return Gauge()
