"""An untouched notebook is "not started" for every exercise in both languages, whatever
its tests print (a test that catches the stub's exception shows its repr); the first
failure shown and "Next:" agree; the tables fit 80 columns, on a terminal or piped."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from learner_workbook import fill_in
from typer.testing import CliRunner

from tests.repo import ROOT
from twinbook.cli import app
from twinbook.exercises import find_exercises, load_exercise
from twinbook.exercises.results import CheckResult, TestResult
from twinbook.workbook.progress import FAILING, NOT_STARTED, result_status

RETRY = "ch02-circuit-breaker/04-retry-around-breaker"


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    """A learner's copy of every exercise of the repo, untouched, checked once."""
    root = tmp_path_factory.mktemp("learner")
    shutil.copytree(
        ROOT / "exercises",
        root / "exercises",
        ignore=shutil.ignore_patterns(".twinbook", ".ipynb_checkpoints", "__pycache__"),
    )
    return root


def run(root: Path, *args: str, columns: int = 80):
    return CliRunner().invoke(
        app, [*args, "--root", str(root)], env={"COLUMNS": str(columns)}, catch_exceptions=False
    )


def recorded(root: Path) -> dict:
    return json.loads((root / "exercises" / ".twinbook" / "progress.json").read_text())["checks"]


def test_every_untouched_notebook_is_not_started(whole):
    out = run(whole, "check", "-j", "2")
    assert out.exit_code == 1
    statuses = {
        (ex_id, lang): entry["status"]
        for ex_id, langs in recorded(whole).items()
        for lang, entry in langs.items()
    }
    wanted = {(ex.id, lang) for ex in find_exercises(whole / "exercises") for lang in ex.languages}
    assert set(statuses) == wanted
    assert {k: v for k, v in statuses.items() if v != NOT_STARTED} == {}
    # nothing is shown as a failure, and Next is the workbook's first notebook
    assert "✗" not in out.output, out.output
    assert "Next: ch01-concurrency/01-worker-pool (python)" in out.output


def test_the_retry_exercise_untouched_is_not_started_though_its_tests_show_a_repr(whole):
    out = run(whole, "check", RETRY, "--lang", "python", "-v", columns=200)
    # its tests catch the stub's exception and print it as a value (its repr)
    assert "NotImplementedError('" in out.output, out.output
    assert "· not started" in out.output and "✗ failing" not in out.output
    assert recorded(whole)[RETRY]["python"]["status"] == NOT_STARTED


def test_a_repr_of_the_stub_counts_when_the_notebook_cannot_say(whole):
    """A notebook made before answer cells carried their stub: the messages decide."""
    ex = load_exercise(whole / "exercises" / RETRY)
    caught = TestResult(
        "test_returns_the_first_success",
        False,
        f"assert value == 42: retry returned NotImplementedError({ex.title!r})",
    )
    result = CheckResult(ex.id, "python", [caught])
    assert result_status(result, ex) == NOT_STARTED
    assert result_status(result, ex, False) == FAILING  # the learner changed it: failing
    other = TestResult("t", False, "assert 3 == 4")
    assert result_status(CheckResult(ex.id, "python", [caught, other]), ex) == FAILING


def test_the_first_failure_shown_is_the_next_one(whole, tmp_path):
    root = tmp_path / "learner"
    shutil.copytree(whole, root)
    # a later exercise wrong, the first ones untouched: Next and the failure block agree
    fill_in(root / "exercises", RETRY, "python", answers=["def backoff_ms(*a):\n    return 0\n"])
    out = run(root, "check", "-j", "2", columns=120)
    blocks = re.findall(r"^✗ (\S+ \(\w+\))", out.output, re.M)
    nexts = re.findall(r"^Next: (\S+ \(\w+\))", out.output, re.M)
    assert blocks == [f"{RETRY} (python)"], out.output
    assert nexts == ["ch01-concurrency/01-worker-pool (python)"]
    # when the failing one comes first in the workbook, both name it
    fill_in(
        root / "exercises",
        "ch01-concurrency/01-worker-pool",
        "python",
        answers=["def map_limited(fn, items, limit):\n    return []\n"],
    )
    out = run(root, "check", "-j", "2", columns=120)
    blocks = re.findall(r"^✗ (\S+ \(\w+\))", out.output, re.M)
    nexts = re.findall(r"^Next: (\S+ \(\w+\))", out.output, re.M)
    assert blocks[0] == nexts[0] == "ch01-concurrency/01-worker-pool (python)", out.output


def _table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:1] in "┏┃┡│├└"]


@pytest.mark.parametrize(
    "args",
    [("check", "-j", "2"), ("check", RETRY), ("progress", "--exercises"), ("progress",)],
    ids=" ".join,
)
def test_the_tables_fit_80_columns_and_cut_nothing(whole, args):
    run(whole, "check", RETRY)  # something recorded
    # the state of a notebook changed since its check: the longest status there is
    nb = next((whole / "exercises" / RETRY / "go").glob("*.ipynb"))
    saved = nb.read_text()
    head, _, tail = saved.rpartition('panic(\\"TODO')  # the source (after the metadata's stub)
    nb.write_text(head + 'panic(\\"todo' + tail)
    try:
        out = run(whole, *args)  # CliRunner's output is piped, not a terminal
    finally:
        nb.write_text(saved)
    lines = _table_lines(out.output)
    assert lines, out.output
    assert max(len(line) for line in lines) <= 80, out.output
    assert "…" not in out.output, out.output
    text = out.output.replace("│", " ")
    words = ("ch02-circuit-breaker/", "04-retry-around-breaker")
    for word in words if args != ("progress",) else ("ch02-circuit-breaker",):
        assert word in text
    if args[0] == "check":
        assert "Language" in out.output and "python" in out.output
        assert "· not started" in out.output
    if args == ("progress", "--exercises"):
        assert "? changed since checked" in out.output
