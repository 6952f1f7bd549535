"""Unit tests of the runners (Python in and out of process, Go, GoNB mode) and the CLI,
on a small exercise made in a temporary folder."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from twinbook.cli import app
from twinbook.exercises import load_exercise
from twinbook.exercises.notebook import go_answer_file
from twinbook.exercises.results import TestResult
from twinbook.runner.channel import RawRun
from twinbook.runner.check import (
    check_gonb,
    check_namespace,
    check_notebook,
    check_source,
    run_python_answer,
)
from twinbook.runner.gorunner import attach_messages, check_go, describe

# --- Python ------------------------------------------------------------------------------------


def test_python_solution_passes_visible_and_hidden(mini):
    result = check_notebook(mini, "python", hidden=True)
    assert result.report() == "✓ test_adds\n✓ test_negative\n✓ test_hidden_big\n3/3 tests passed"


def test_python_failures_carry_the_first_line_of_the_message(mini):
    result = check_source("def add(a, b):\n    return a - b\n", mini, "python")
    assert result.report() == (
        "✗ test_adds: add(2, 3) should be 5\n✗ test_negative: assert 1 == -5\n0/2 tests passed"
    )
    assert [r.outcome for r in result.results] == ["failed", "failed"]


def test_python_answer_that_does_not_import_errors_every_test(mini):
    result = check_source("x = 1 / 0\n", mini, "python")
    assert {r.outcome for r in result.results} == {"error"}
    assert (
        result.results[0].first_line()
        == "running your answer cells failed before any test could use them: "
        "ZeroDivisionError: division by zero"
    )


def test_python_hung_test_is_named_and_the_rest_did_not_run(mini):
    spec = mini.lang("python")
    source = "import time\n\ndef add(a, b):\n    time.sleep(60)\n"
    expected = spec.expected(hidden=False)
    results, missing = run_python_answer(source, [spec.visible_tests_path], expected, timeout=3)
    assert results == {
        "test_adds": TestResult("test_adds", "failed", "timed out: the run was stopped after 3s")
    }
    assert missing == "did not run: the run was stopped after 3s"


def test_python_in_process_uses_the_namespace_and_cleans_up(mini):
    path_before = list(sys.path)
    ok = check_namespace({"add": lambda a, b: a + b}, mini, hidden=True)
    assert ok.ok and ok.total == 3
    again = check_namespace({"add": lambda a, b: 0}, mini)
    assert again.report().endswith("0/2 tests passed")
    missing = check_namespace({}, mini)
    assert missing.results[0].first_line() == (
        "the tests use add, but your answer does not define it: "
        "write it in the answer cell and run that cell"
    )
    assert sys.path == path_before
    assert "test_visible" not in sys.modules


def test_python_parametrized_cases_fold_into_one_test(make_exercise):
    tests = (
        "import pytest\n\n\n@pytest.mark.parametrize('a', [1, 2, 3])\n"
        "def test_adds(answer, a):\n    assert answer.add(a, 0) != 2, f'case {a}'\n\n\n"
        "def test_negative(answer):\n    pytest.skip('not today')\n"
    )
    ex = load_exercise(make_exercise(files={"python/test_visible.py": tests}))
    result = check_notebook(ex, "python")
    assert result.report() == "✗ test_adds: case 2\n✗ test_negative: not today\n0/2 tests passed"
    assert result.results[1].outcome == "skipped"


# --- Go ----------------------------------------------------------------------------------------


def test_go_solution_passes_visible_and_hidden(mini):
    result = check_notebook(mini, "go", hidden=True)
    assert result.report() == "✓ TestAdds\n✓ TestNegative\n✓ TestHiddenBig\n3/3 tests passed"


def test_go_panics_do_not_hide_the_other_tests(mini):
    # no recover in these tests: each panic kills the test binary, the rest run again
    result = check_source(
        go_answer_file(['func Add(a, b int) int {\n\tpanic("TODO: Add two numbers")\n}']),
        mini,
        "go",
    )
    assert result.report() == (
        "✗ TestAdds: panic: TODO: Add two numbers\n"
        "✗ TestNegative: panic: TODO: Add two numbers\n"
        "0/2 tests passed"
    )


def test_go_failure_message_drops_the_file_location(mini):
    result = check_source(go_answer_file(["func Add(a, b int) int { return a - b }"]), mini, "go")
    assert result.results[0] == TestResult("TestAdds", "failed", "Add(2, 3) = -1, want 5")


def test_go_compile_error_fails_every_test_with_the_compiler_output(mini):
    cells = ["func Add(a, b int) int {\n\treturn c\n}"]
    result = check_source(go_answer_file(cells), mini, "go", cells=cells)
    assert {r.outcome for r in result.results} == {"error"}
    assert [r.first_line() for r in result.results] == [
        "does not compile: answer cell, line 2: undefined: c"
    ] * 2
    # said once, not once per test
    assert result.report() == (
        "✗ does not compile: answer cell, line 2: undefined: c\n0/2 tests passed"
    )


def test_go_hung_test_times_out_and_the_rest_still_run(mini):
    spec = mini.lang("go")
    source = 'package main\n\nimport "time"\n\nfunc Add(a, b int) int {\n\tif a == 2 {\n\t\ttime.Sleep(time.Minute)\n\t}\n\treturn a + b\n}\n\nfunc main() {}\n'
    results, missing = check_go(
        [spec.visible_tests_path],
        ["TestAdds", "TestNegative"],
        answer_source=source,
        test_timeout=2,
    )
    assert results["TestAdds"] == TestResult("TestAdds", "failed", "panic: test timed out after 2s")
    assert results["TestNegative"].passed
    assert missing == ""


def test_go_gonb_mode_tests_gonbs_program(mini, tmp_path):
    gonb_tmp = tmp_path / "gonb_1234"
    gonb_tmp.mkdir()
    (gonb_tmp / "go.mod").write_text("module gonb_1234\n\ngo 1.26\n")
    (gonb_tmp / "main.go").write_text(
        'package main\n\nimport (\n\t"flag"\n\t"fmt"\n)\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n\n'
        "func main() {\n\tflag.Parse()\n\tfmt.Println(Add(1, 2))\n}\n"
    )
    result = check_gonb(gonb_dir=mini.lang("go").test_dir, gonb_tmp=gonb_tmp)
    assert result.report() == "✓ TestAdds\n✓ TestNegative\n2/2 tests passed"


def test_go_gonb_mode_before_any_cell_ran(mini, tmp_path):
    result = check_gonb(gonb_dir=mini.lang("go").test_dir, gonb_tmp=tmp_path)
    assert (
        result.results[0].first_line()
        == "did not run: GoNB has no program yet, run the answer cell first"
    )


def test_go_messages_come_from_each_subtests_output_and_a_crash_names_its_panic():
    # the test binary's output in test2json framing (\x16 lines), as the harness runs it
    output = (
        "\x16=== RUN   TestTwinbookHarness\n"
        "\x16=== RUN   TestTwinbookHarness/TestA\n"
        "    x_test.go:9: one is wrong\n"
        "\x16--- FAIL: TestTwinbookHarness/TestA (0.00s)\n"
        "\x16=== RUN   TestTwinbookHarness/TestB\n"
        "\x16--- PASS: TestTwinbookHarness/TestB (0.00s)\n"
        "\x16=== RUN   TestTwinbookHarness/TestC\n"
        "panic: boom [recovered]\n"
    )
    raw = RawRun(output=output.encode(), exit_code=2)
    results = {
        "TestA": TestResult("TestA", "failed"),
        "TestB": TestResult("TestB", "passed"),
    }
    attach_messages(raw, results)
    assert results == {
        "TestA": TestResult("TestA", "failed", "one is wrong"),
        "TestB": TestResult("TestB", "passed"),
    }
    assert describe(raw, "TestC") == "panic: boom"


# --- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli(make_exercise, tmp_path):
    make_exercise()
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "README.md").write_text("kept\n")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(
            app,
            [*args, "--root", str(tmp_path)]
            if args[0] != "dev"
            else [*args, "--root", str(tmp_path)],
        )

    return invoke


def test_cli_generate_check_then_generate(cli, tmp_path):
    stale = cli("dev", "generate", "--check")
    assert stale.exit_code == 1
    assert f"{tmp_path}/exercises/ch00-demo/01-add/python/add.ipynb: missing" in stale.output
    assert cli("dev", "generate").exit_code == 0
    fresh = cli("dev", "generate", "--check")
    assert fresh.exit_code == 0 and "up to date" in fresh.output


def test_cli_check_reports_and_sets_the_exit_code(cli):
    assert cli("dev", "generate").exit_code == 0
    stub = cli("check", "ch00-demo/01-add", "--lang", "python")
    assert stub.exit_code == 1
    # a table row per notebook, then the first failing test and its message (tests/learner has more)
    assert "│ ch00-demo/01-add │ python   │   0/2 │ · not started │" in stub.output
    assert (
        "✗ ch00-demo/01-add (python) · test_adds\n  NotImplementedError: Add two numbers\n"
        in stub.output
    )
    solved = cli("check", "01-add", "--solutions", "--hidden", "--json")
    assert solved.exit_code == 0, solved.output
    data = json.loads(solved.output)
    assert [(d["language"], d["passed"], d["total"]) for d in data] == [
        ("python", 3, 3),
        ("go", 3, 3),
    ]


def test_cli_hidden_tests_of_a_learners_copy_come_from_solutions(cli, tmp_path):
    assert cli("dev", "generate").exit_code == 0
    out = cli("check", "ch00-demo/01-add", "--lang", "go", "--hidden")
    assert out.exit_code == 1
    assert "│ ch00-demo/01-add │ go       │   0/3 │" in out.output
    assert (
        "✗ TestHiddenBig: panic: TODO: Add two numbers" in out.output
    )  # instructors see every test


def test_cli_hint_and_errors(cli):
    out = cli("hint", "ch00-demo/01-add", "2")
    assert (
        out.output
        == "Hint 1/3: use +\nHint 2/3: return it\n(next: twinbook hint ch00-demo/01-add 3)\n"
    )
    missing = cli("check", "nope")
    assert missing.exit_code == 2
