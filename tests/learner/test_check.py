"""`twinbook check`: the table, the teaching failure line, the workbook's bar, exit codes,
concurrency, and the one code path shared with the notebooks' check cells."""

from __future__ import annotations

import json
import shutil
import threading

import pytest
from learner_workbook import SOLUTIONS, WORKER_POOL, bar, fill_in, pairs, solution_answers, state

from twinbook.exercises import load_exercise
from twinbook.exercises.notebook import python_answer_file
from twinbook.runner.check import check_namespace
from twinbook.workbook import checks


def test_a_stub_fails_with_its_first_test_and_what_to_do(cli, exercises):
    out = cli("check", WORKER_POOL, "--lang", "python")
    assert out.exit_code == 1
    text = out.output
    assert "│ ch01-concurrency/01-worker-pool │ python   │   0/5 │ · not started │" in text
    # the first failing test (points-table order), its message, and where to write the answer
    assert "✗ ch01-concurrency/01-worker-pool (python) · test_results_in_order\n" in text
    assert "  NotImplementedError: A worker pool with a limit\n" in text
    assert (
        "not started yet: replace the stub in the answer cell of exercises/ch01-concurrency/01-worker-pool/python/worker_pool.ipynb"
        in text
    )
    assert "stuck? twinbook hint ch01-concurrency/01-worker-pool" in text
    assert "Workbook " in text and bar(exercises) in text


def test_a_wrong_answer_names_the_first_failing_test_its_message_and_file(cli, exercises):
    # a pool that lets one call too many run at once: only the limit tests can fail
    fill_in(
        exercises,
        WORKER_POOL,
        "python",
        replace={"threading.Semaphore(limit)": "threading.Semaphore(limit + 1)"},
    )
    out = cli("check", WORKER_POOL, "--lang", "python")
    assert out.exit_code == 1
    row = next(
        line
        for line in out.output.splitlines()
        if line.startswith("│ ch01-concurrency/01-worker-pool")
    )
    assert "✗ failing" in row and "/5 │" in row and "0/5" not in row
    block = out.output[out.output.index("✗ ch01-concurrency/01-worker-pool (python) · ") :]
    first_test, message = block.splitlines()[0].split(" · ")[1], block.splitlines()[1].strip()
    assert first_test in ("test_runs_limit_calls_at_once", "test_never_more_than_limit")
    assert "calls ran at once" in message or "limit" in message
    assert "the test: exercises/ch01-concurrency/01-worker-pool/python/test_visible.py" in block
    # -v lists every test under the block
    verbose = cli("check", WORKER_POOL, "--lang", "python", "-v")
    assert "✓ test_results_in_order" in verbose.output and f"✗ {first_test}: " in verbose.output


def test_a_solved_notebook_passes_exits_0_and_is_remembered(cli, exercises):
    fill_in(exercises, WORKER_POOL, "python")
    out = cli("check", WORKER_POOL, "--lang", "python")
    assert out.exit_code == 0, out.output
    assert "│   5/5 │ ✓ done │" in out.output
    assert "✗" not in out.output
    assert bar(exercises, python=1) in out.output
    assert "Next: ch01-concurrency/01-worker-pool (go)" in out.output
    entry = state(exercises)["checks"][WORKER_POOL]["python"]
    assert (entry["passed"], entry["total"], entry["status"]) == (5, 5, "done")
    assert entry["fingerprint"] and entry["first_failure"] is None


def test_go_stub_solution_and_compile_error(cli, exercises):
    ex = "ch01-concurrency/03-fan-in-merge"
    stub = cli("check", ex, "--lang", "go")
    assert stub.exit_code == 1
    assert "· not started" in stub.output and "TODO: " in stub.output
    fill_in(exercises, ex, "go")
    solved = cli("check", ex, "--lang", "go")
    assert solved.exit_code == 0, solved.output
    assert "│   4/4 │ ✓ done │" in solved.output
    fill_in(
        exercises,
        ex,
        "go",
        answers=[
            a + "\n\nfunc broken() int { return undefinedName }\n"
            for a in solution_answers(ex, "go")
        ],
    )
    broken = cli("check", ex, "--lang", "go")
    assert broken.exit_code == 1
    assert "✗ does not compile" in broken.output
    assert "compile error: " in broken.output and "undefinedName" in broken.output


def test_everything_at_once_in_workbook_order_with_the_bar_and_next(cli, exercises):
    fill_in(exercises, "ch01-concurrency/02-pipeline-stage", "python")
    out = cli("check", "--jobs", "2")
    assert out.exit_code == 1
    rows = [
        tuple(cell.strip() for cell in line.split("│")[1:3])
        for line in out.output.splitlines()
        if line.startswith("│ ch")
    ]
    assert rows == pairs(exercises) and len(rows) >= 8
    # notebooks still on their stub get a row, not a block: the table and "Next" say enough
    assert "not started yet" not in out.output
    assert bar(exercises, python=1) in out.output
    assert "Next: ch01-concurrency/01-worker-pool (python)" in out.output
    assert set(state(exercises)["checks"]) == {ex_id for ex_id, _ in pairs(exercises)}


def test_checks_run_concurrently_and_come_back_in_order(exercises, monkeypatch):
    """Two checks are inside check_one at the same time (a barrier that needs both), and
    the results keep the order of the targets."""
    barrier = threading.Barrier(2, timeout=30)
    seen = []

    def fake_check_one(exercise, language, **kwargs):
        barrier.wait()  # raises BrokenBarrierError unless two checks overlap
        seen.append((exercise.id, language))
        return checks.Checked(exercise, None, "done", None)

    monkeypatch.setattr(checks, "check_one", fake_check_one)
    folder = exercises / WORKER_POOL
    out = checks.run_checks([(folder, "python"), (folder, "go")], jobs=2)
    assert [c.exercise.id for c in out] == [WORKER_POOL, WORKER_POOL]
    assert sorted(seen) == [(WORKER_POOL, "go"), (WORKER_POOL, "python")]


def test_the_cli_and_the_check_cell_share_one_code_path(cli, exercises, monkeypatch):
    """The terminal goes through twinbook.exercises.check_notebook, and its per-test verdicts
    equal the ones the notebook's check() (check_namespace, in-kernel) gives the same code."""
    fill_in(
        exercises,
        WORKER_POOL,
        "python",
        replace={"threading.Semaphore(limit)": "threading.Semaphore(limit + 1)"},
    )
    calls = []
    real = checks.check_notebook
    monkeypatch.setattr(checks, "check_notebook", lambda *a, **k: calls.append(a) or real(*a, **k))
    out = cli("check", WORKER_POOL, "--lang", "python", "--json")
    assert len(calls) == 1
    terminal = {r["name"]: r["outcome"] for r in json.loads(out.output)[0]["results"]}

    namespace: dict = {}
    source = python_answer_file(solution_answers(WORKER_POOL, "python")).replace(
        "threading.Semaphore(limit)", "threading.Semaphore(limit + 1)"
    )
    exec(
        compile(source, "<answer cell>", "exec"), namespace
    )  # what the kernel holds after the cell ran
    kernel = {
        r.name: r.outcome
        for r in check_namespace(namespace, load_exercise(exercises / WORKER_POOL)).results
    }
    assert terminal == kernel
    assert "passed" in terminal.values() and "failed" in terminal.values()


@pytest.mark.parametrize("content", ["{ not json", '{"cells": 3}'])
def test_a_notebook_that_cannot_be_read_fails_cleanly(cli, exercises, content):
    (exercises / WORKER_POOL / "python" / "worker_pool.ipynb").write_text(content)
    out = cli("check", WORKER_POOL, "--lang", "python")
    assert out.exit_code == 1
    assert "Traceback" not in out.output
    assert "│   0/5 │ ✗ failing │" in out.output
    assert "did not run: " in out.output and "worker_pool.ipynb" in out.output


def test_instructor_checks_are_not_recorded(cli, workbook, exercises):
    shutil.copytree(SOLUTIONS / WORKER_POOL, workbook / "solutions" / WORKER_POOL)
    solutions = cli("check", WORKER_POOL, "--lang", "python", "--solutions", "--hidden")
    assert solutions.exit_code == 0, solutions.output
    assert "│   9/9 │ ✓ done │" in solutions.output
    fill_in(exercises, WORKER_POOL, "python")
    hidden = cli(
        "check", WORKER_POOL, "--lang", "python", "--hidden"
    )  # hidden tests from solutions/
    assert hidden.exit_code == 0, hidden.output
    assert "✓ test_hidden_no_threads_left_behind" in hidden.output  # instructors see every test
    assert (
        not (exercises / ".twinbook").exists()
        and not (workbook / "solutions" / ".twinbook").exists()
    )


def test_a_workbook_that_cannot_be_written_still_gets_its_check(cli, exercises, monkeypatch):
    from twinbook.workbook.progress import Progress

    def refuse(self, results):
        raise PermissionError(13, "Permission denied", str(self.path))

    monkeypatch.setattr(Progress, "record", refuse)
    fill_in(exercises, WORKER_POOL, "python")
    out = cli("check", WORKER_POOL, "--lang", "python")
    assert out.exit_code == 0, out.output
    assert "│   5/5 │ ✓ done │" in out.output
    assert "progress not saved" in out.output  # on stderr, which the runner mixes in
    assert bar(exercises, python=1) in out.output  # this check still counts on screen


def test_the_go_check_cell_prints_the_plain_report(cli, exercises, tmp_path, monkeypatch):
    """`!*twinbook check --gonb`: GoNB's main.go against the visible tests, the notebook's
    report (no table), and exit 0 even when a test fails (GoNB would add noise)."""
    from twinbook.exercises.notebook import go_answer_file
    from twinbook.runner.gorunner import goimports

    gonb_tmp = tmp_path / "gonb-tmp"
    gonb_tmp.mkdir()
    answer = solution_answers(WORKER_POOL, "go")
    (gonb_tmp / "main.go").write_text(goimports(go_answer_file(answer)))  # as GoNB writes it
    monkeypatch.setenv("GONB_DIR", str(exercises / WORKER_POOL / "go"))
    monkeypatch.setenv("GONB_TMP_DIR", str(gonb_tmp))
    out = cli("check", "--gonb")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[-1] == "5/5 tests passed"
    assert "✓ TestResultsInOrder" in out.output and "┃" not in out.output
    (gonb_tmp / "main.go").write_text("package main\n\nfunc main() {}\n")
    failing = cli("check", "--gonb")
    assert failing.exit_code == 0
    assert failing.output.splitlines()[-1] == "0/5 tests passed"
    assert "compile error" in failing.output
