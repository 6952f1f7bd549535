"""Tests of tests/plugins/event_loop.py: the test that leaves an asyncio loop behind fails.

Each test runs pytest in a subprocess (the leaks would otherwise land on this worker's
own main thread) with only that plugin, on a file of small tests in pytester's dir.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = (
    "-p",
    "tests.plugins.event_loop",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:xdist",
    "-p",
    "no:randomly",
)

LEAKS = """
import asyncio

def test_leaves_a_running_loop():
    asyncio._set_running_loop(asyncio.new_event_loop())

def test_asyncio_run_works_again():
    assert asyncio.run(asyncio.sleep(0, "ok")) == "ok"

def test_leaves_a_closed_current_loop():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.close()

def test_leaves_an_open_current_loop():
    asyncio.set_event_loop(asyncio.new_event_loop())

def test_cleans_up_after_itself():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))

    def go(source: str) -> pytest.RunResult:
        pytester.makepyfile(test_it=source)
        return pytester.runpytest_subprocess(*PLUGIN)

    return go


def test_only_the_culprits_fail_and_say_what_they_left(run) -> None:
    result = run(LEAKS)
    result.assert_outcomes(passed=5, errors=3)
    errors = [line for line in result.outlines if line.startswith("ERROR ")]
    assert [e.split()[1] for e in errors] == [
        "test_it.py::test_leaves_a_running_loop",
        "test_it.py::test_leaves_a_closed_current_loop",
        "test_it.py::test_leaves_an_open_current_loop",
    ]
    result.stdout.fnmatch_lines(
        [
            "*test_leaves_a_running_loop (or a fixture it was the last to use) left asyncio state*",
            "*an event loop is still marked as running on the main thread*",
            "*a closed event loop is left as the main thread's current loop*",
            "*an event loop set as the main thread's current loop is left open*",
        ],
        consecutive=False,
    )


def test_a_module_fixture_that_leaks_is_caught_after_its_last_user(run) -> None:
    result = run(
        """
import asyncio
import pytest

@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    asyncio._set_running_loop(loop)  # a teardown that leaves it marked as running

def test_first(loop):
    pass

def test_last(loop):
    pass
"""
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["ERROR test_it.py::test_last - *"])
