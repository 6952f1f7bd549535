"""What the grader refuses, a learner's check refuses too, at the line the learner wrote
(issue 10, points 1 and 3): `twinbook check` and `twinbook watch` on a saved notebook.

An answer that does not parse or compile, or that vetting rejects, runs no test: the check
says so once, with the answer cell's line, and its status is "does not compile" in both
languages. (Every vetting rule, one by one: tests/grading/test_check_agrees_with_grade.py.)
"""

from __future__ import annotations

import io

from learner_workbook import WORKER_POOL, fill_in, solution_answers
from rich.console import Console

from twinbook.workbook.watch import Watcher

ROW = "│ ch01-concurrency/01-worker-pool │ {lang:<8} │   0/5 │ ✗ does not compile │"


def _line_of(text: str, answer: str) -> int:
    return answer.split("\n").index(text) + 1


def _watched(exercises, language: str) -> str:
    out = io.StringIO()
    watcher = Watcher(
        exercises,
        [(exercises / WORKER_POOL, language)],
        console=Console(file=out, width=120),
        clear=False,
    )
    watcher.check(watcher.pairs[0])
    return out.getvalue()


def test_an_import_outside_the_allowlist_is_refused_at_its_line(cli, exercises):
    fill_in(exercises, WORKER_POOL, "python", replace={"import threading": "import math"})
    out = cli("check", WORKER_POOL, "--lang", "python")
    assert out.exit_code == 1
    assert ROW.format(lang="python") in out.output, out.output
    assert "answer cell, line 1: import of 'math' is not allowed here" in out.output
    assert "answer cell, line 1: import of 'math'" in _watched(exercises, "python")


def test_a_go_package_that_goimports_adds_is_cited_where_the_learner_uses_it(cli, exercises):
    use = "\t_ = time.Now()"
    anchor = "\tctx, cancel := context.WithCancel(ctx)"
    fill_in(exercises, WORKER_POOL, "go", replace={anchor: use + "\n" + anchor})
    answer = solution_answers(WORKER_POOL, "go")[0].replace(anchor, use + "\n" + anchor)
    line = _line_of(use, answer)
    out = cli("check", WORKER_POOL, "--lang", "go")
    assert out.exit_code == 1
    assert ROW.format(lang="go") in out.output, out.output
    want = f'answer cell, line {line} (uses the package "time"): import "time" is not allowed'
    assert want in out.output, out.output
    assert want in _watched(exercises, "go")


def test_a_python_syntax_error_does_not_compile_once_at_its_line(cli, exercises):
    broken = "def map_limited(fn, items, limit):"
    fill_in(exercises, WORKER_POOL, "python", replace={broken: broken[:-2] + ":"})
    line = _line_of(broken, solution_answers(WORKER_POOL, "python")[0])
    out = cli("check", WORKER_POOL, "--lang", "python")
    assert out.exit_code == 1
    assert ROW.format(lang="python") in out.output, out.output  # not "failing"
    assert f"answer cell, line {line}: SyntaxError: " in out.output
    assert out.output.count("SyntaxError") == 1, out.output


def test_a_go_compile_error_cites_the_cell_line_once(cli, exercises):
    anchor = "\tctx, cancel := context.WithCancel(ctx)"
    fill_in(exercises, WORKER_POOL, "go", replace={anchor: anchor + "\n\t_ = undefinedName"})
    answer = solution_answers(WORKER_POOL, "go")[0].replace(
        anchor, anchor + "\n\t_ = undefinedName"
    )
    line = _line_of("\t_ = undefinedName", answer)
    out = cli("check", WORKER_POOL, "--lang", "go", "-v")
    assert out.exit_code == 1
    assert ROW.format(lang="go") in out.output, out.output
    assert f"answer cell, line {line}: undefined: undefinedName" in out.output, out.output
    assert "answer.go" not in out.output
    assert out.output.count("undefinedName") == 1, out.output  # not once per test
    report = cli("check", WORKER_POOL, "--lang", "go", "--json")
    assert '"problem": "does not compile: answer cell, line' in report.output
