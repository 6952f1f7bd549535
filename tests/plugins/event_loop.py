"""pytest plugin: a test that leaves an asyncio event loop behind on the main thread fails.

All tests of a pytest-xdist worker share its main thread. A loop still marked as running
there after a test makes every later ``asyncio.run()`` in that worker fail with "cannot be
called from a running event loop", far from the cause (Playwright's sync API does that for
as long as it is open: it marks its loop as running on its thread between calls). A closed
loop left as the thread's current loop breaks ``asyncio.get_event_loop()`` later on.

So after each test's teardown (its own fixtures, and the wider-scoped ones it was the last
user of) the main thread must have no running loop, and no current loop that is closed or
that the test set and left open. One current loop is allowed: the one Jupyter's libraries
(``jupyter_core.utils.run_sync``, under nbval and nbclient) keep for the thread on purpose
and reuse for every later call. A test breaking the rule fails at teardown, naming what it
left; the loop is then taken off the thread, so that only the culprit fails.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import warnings

import pytest

_BEFORE = pytest.StashKey[asyncio.AbstractEventLoop | None]()


def _running() -> asyncio.AbstractEventLoop | None:
    return asyncio._get_running_loop()


def _current() -> asyncio.AbstractEventLoop | None:
    """The thread's current loop (set_event_loop), without creating one as get_event_loop does."""
    policy = asyncio.get_event_loop_policy()
    local = getattr(policy, "_local", None)  # BaseDefaultEventLoopPolicy keeps it there
    return getattr(local, "_loop", None)


def _jupyters_loop() -> asyncio.AbstractEventLoop | None:
    utils = sys.modules.get("jupyter_core.utils")
    keeper = getattr(utils, "_loop", None)  # a ContextVar: the loop run_sync reuses
    return keeper.get() if keeper is not None else None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item):
    item.stash[_BEFORE] = _current()
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    if threading.current_thread() is not threading.main_thread():
        return result
    problems = []
    running = _running()
    if running is not None:
        problems.append(
            f"an event loop is still marked as running on the main thread: {running!r}; "
            "asyncio.run() in any later test of this worker would fail"
        )
    current = _current()
    if current is not None and current is not running:
        if current.is_closed():
            problems.append(
                f"a closed event loop is left as the main thread's current loop: {current!r}"
            )
        elif current is not item.stash.get(_BEFORE, None) and current is not _jupyters_loop():
            problems.append(
                f"an event loop set as the main thread's current loop is left open: {current!r}"
            )
    if not problems:
        return result
    asyncio._set_running_loop(None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.set_event_loop(None)
    pytest.fail(
        f"{item.nodeid} (or a fixture it was the last to use) left asyncio state behind:\n  "
        + "\n  ".join(problems),
        pytrace=False,
    )
