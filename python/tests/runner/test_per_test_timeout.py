"""The per-test time limit of both harnesses (the grader's ``--test-timeout`` and
``$TWINBOOK_TEST_TIMEOUT``): a test that hangs fails with "timed out" after the limit, the
tests after it still run (in a fresh process, through channel.run_all), and the suite ends
in seconds instead of waiting out its wall-clock budget. Plain processes, no jail."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from twinbook.runner import channel, gorunner, pyrunner, watchdog
from twinbook.runner.check import python_argv

BUDGET = 60.0  # the suite's wall-clock budget: the limit must end the hang long before it
LIMIT = 1.5  # seconds one test may take

PY_TESTS = """
import time


def test_before(answer):
    assert answer.double(2) == 4


def test_hangs(answer):
    time.sleep(3600)


def test_after(answer):
    assert answer.double(3) == 6
"""

GO_TESTS = """package main_test

import (
\t. "answer"
\t"testing"
\t"time"
)

func TestBefore(t *testing.T) {
\tif Double(2) != 4 {
\t\tt.Fatal("Double(2) != 4")
\t}
}

func TestHangs(t *testing.T) {
\ttime.Sleep(time.Hour)
}

func TestAfter(t *testing.T) {
\tif Double(3) != 6 {
\t\tt.Fatal("Double(3) != 6")
\t}
}
"""


def _python_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _python_suite(tmp_path: Path, *extra: str):
    (tmp_path / "answer.py").write_text("def double(x):\n    return 2 * x\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tmp_path / "test_visible.py").write_text(PY_TESTS)
    pyrunner.prepare_test_dir([tmp_path / "test_visible.py"], tests)
    argv = [sys.executable, *python_argv(tmp_path / "answer.py", tests), *extra]
    names = ["test_before", "test_hangs", "test_after"]

    # --select must follow the harness's own flags: run_all appends the selection
    def with_select(selection: list[str] | None, left: float, nonce: str) -> channel.RawRun:
        chosen = [a for t in selection or [] for a in ("--select", t)]
        return channel.execute_plain(
            [*argv, *chosen], cwd=str(tmp_path), env=_python_env(), timeout=left, nonce=nonce
        )

    started = time.monotonic()
    results, missing = channel.run_all(
        names, with_select, budget=BUDGET, describe=lambda raw, name: channel.describe_end(raw)
    )
    return results, missing, time.monotonic() - started


def test_python_a_hung_test_fails_after_the_limit_and_the_others_run(tmp_path):
    results, missing, seconds = _python_suite(tmp_path, "--test-timeout", f"{LIMIT:g}")
    assert missing == ""
    assert {n: r.outcome for n, r in results.items()} == {
        "test_before": "passed",
        "test_hangs": "failed",
        "test_after": "passed",
    }
    assert results["test_hangs"].message == watchdog.message(LIMIT)
    assert seconds < 20, seconds  # the hang cost the limit, not the budget


def test_python_without_the_limit_a_hang_holds_the_suite(tmp_path):
    """The learner's runner sets no limit: the test's own process runs until the budget."""
    argv_budget = 4.0

    (tmp_path / "answer.py").write_text("def double(x):\n    return 2 * x\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tmp_path / "test_visible.py").write_text(PY_TESTS)
    pyrunner.prepare_test_dir([tmp_path / "test_visible.py"], tests)
    argv = [sys.executable, *python_argv(tmp_path / "answer.py", tests)]

    def execute(selection: list[str] | None, left: float, nonce: str) -> channel.RawRun:
        chosen = [a for t in selection or [] for a in ("--select", t)]
        return channel.execute_plain(
            [*argv, *chosen], cwd=str(tmp_path), env=_python_env(), timeout=left, nonce=nonce
        )

    results, missing = channel.run_all(
        ["test_before", "test_hangs", "test_after"],
        execute,
        budget=argv_budget,
        describe=lambda raw, name: channel.describe_end(raw, argv_budget),
    )
    assert results["test_before"].outcome == "passed"
    assert results["test_hangs"].message.startswith("timed out: the run was stopped")
    assert "test_after" not in results and "the run was stopped" in missing


@pytest.fixture(scope="module")
def go_binary(tmp_path_factory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("go-timeout")
    work = root / "work"
    work.mkdir()
    (root / "visible_test.go").write_text(GO_TESTS)
    gorunner.write_module(work, "package main\n\nfunc Double(x int) int { return 2 * x }\n")
    runnable = gorunner.lay_out_tests(
        work, [root / "visible_test.go"], ["TestBefore", "TestHangs", "TestAfter"]
    )
    error = gorunner.build(work, root / "tests.bin")
    assert error == "", error
    return root / "tests.bin", runnable


def _go_suite(binary: Path, names: list[str], env: dict[str, str], budget: float = BUDGET):
    def execute(selection: list[str] | None, left: float, nonce: str) -> channel.RawRun:
        argv = [str(binary), *gorunner.binary_args(selection, max(left - 1, 1))]
        return channel.execute_plain(
            argv, cwd=str(binary.parent), env=env, timeout=left, nonce=nonce
        )

    started = time.monotonic()
    results, missing = channel.run_all(
        names,
        execute,
        budget=budget,
        describe=lambda raw, name: gorunner.describe(raw, name, budget=budget),
        messages=gorunner.attach_messages,
    )
    return results, missing, time.monotonic() - started


def test_go_a_hung_test_fails_after_the_limit_and_the_others_run(go_binary):
    binary, names = go_binary
    env = {**os.environ, gorunner.TEST_TIMEOUT_ENV: f"{LIMIT:g}"}
    results, missing, seconds = _go_suite(binary, names, env)
    assert missing == ""
    assert {n: r.outcome for n, r in results.items()} == {
        "TestBefore": "passed",
        "TestHangs": "failed",
        "TestAfter": "passed",
    }
    assert results["TestHangs"].message == watchdog.message(LIMIT)  # the same words as Python
    assert seconds < 20, seconds


def test_go_without_the_limit_a_hang_holds_the_suite(go_binary):
    """The learner's runner sets no limit: only the binary's -test.timeout (the budget
    less a second) ends the hang."""
    binary, names = go_binary
    env = {k: v for k, v in os.environ.items() if k != gorunner.TEST_TIMEOUT_ENV}
    results, _missing, seconds = _go_suite(binary, names, env, budget=4.0)
    assert results["TestBefore"].outcome == "passed"
    assert results["TestHangs"].message == "panic: test timed out after 3s"
    assert seconds >= 3
