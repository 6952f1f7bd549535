"""Fixtures every folder of the library's tests shares: nothing left running, async without a plugin.

``no_thread_left_behind`` is autouse: a test that leaves a thread running (a
worker, a server, a pipeline stage) fails, naming it. ``arun`` runs a
coroutine in a fresh event loop with :func:`asyncio.run`, bounded by
:data:`timeouts.TIMEOUT`, so an async test that hangs fails instead of
stalling the run.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from timeouts import TIMEOUT

T = TypeVar("T")

# grpc.aio starts one poller thread per process, on first use, and keeps it: not a leak.
PROCESS_THREADS = ("(_poll_wrapper)",)

Run = Callable[..., Any]
"""The type of the ``arun`` fixture: ``arun(coroutine, timeout=TIMEOUT)``."""


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leftover = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.endswith(PROCESS_THREADS)
    ]
    for t in leftover:  # clean up, so that one leak does not fail the next tests too
        t.join(TIMEOUT)
    leftover = [t for t in leftover if t.is_alive()]
    assert not leftover, f"threads left behind: {[t.name for t in leftover]}"


@pytest.fixture
def arun() -> Run:
    """Run a coroutine to completion in a fresh loop, failing it after ``timeout`` seconds."""

    def run(main: Coroutine[Any, Any, T], timeout: float = TIMEOUT) -> T:
        async def bounded() -> T:
            async with asyncio.timeout(timeout):
                return await main

        return asyncio.run(bounded())

    return run
