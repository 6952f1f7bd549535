"""Catch asyncio tasks left behind: the loop policy behind every ``no_task_left_behind`` fixture.

A module, not a conftest: each folder whose tests run asyncio code
(concurrency, actor, supervisor) makes the fixture autouse in its own
conftest with :func:`no_task_left_behind`, and two folders' ``conftest``
modules would shadow each other if one imported the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


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


@contextmanager
def no_task_left_behind() -> Iterator[None]:
    """Fail, naming them, if any ``asyncio.run`` inside returned with tasks still pending."""
    old = asyncio.get_event_loop_policy()
    policy = _LeakCheckingPolicy()
    asyncio.set_event_loop_policy(policy)
    try:
        yield
    finally:
        asyncio.set_event_loop_policy(old)
    leftover = [t.get_name() for loop in policy.loops for t in loop.leftover]
    assert not leftover, f"asyncio tasks left behind: {leftover}"
