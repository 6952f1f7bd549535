"""A chapter's helper file: every runner places it beside the exercise's tests (through
:func:`twinbook.runner.check.suite_files`), so visible and hidden tests share one copy of
their helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from twinbook.exercises import load_exercise
from twinbook.exercises.model import CHAPTER_HELPERS
from twinbook.exercises.notebook import go_answer_file
from twinbook.runner.check import check_namespace, check_notebook, check_source, suite_files

PY_HELPER = (
    "def expect_add(answer, a, b):\n"
    "    got = answer.add(a, b)\n"
    "    assert got == a + b, f'helper: add({a}, {b}) is {got}, want {a + b}'\n"
)
GO_HELPER = (
    'package main_test\n\nimport (\n\t. "answer"\n\t"testing"\n)\n\n'
    "func expectAdd(t *testing.T, a, b int) {\n\tt.Helper()\n"
    '\tif got := Add(a, b); got != a+b {\n\t\tt.Fatalf("helper: Add(%d, %d) = %d, want %d", a, b, got, a+b)\n\t}\n}\n'
)
# the tests call the helper instead of repeating its check
FILES = {
    "python/test_visible.py": (
        "from chapter_helpers import expect_add\n\n\n"
        "def test_adds(answer):\n    expect_add(answer, 2, 3)\n\n\n"
        "def test_negative(answer):\n    expect_add(answer, -2, -3)\n"
    ),
    "python/test_hidden.py": (
        "from chapter_helpers import expect_add\n\n\n"
        "def test_hidden_big(answer):\n    expect_add(answer, 10**20, 1)\n"
    ),
    "go/visible_test.go": (
        'package main_test\n\nimport "testing"\n\n'
        "func TestAdds(t *testing.T) { expectAdd(t, 2, 3) }\n\n"
        "func TestNegative(t *testing.T) { expectAdd(t, -2, -3) }\n"
    ),
    "go/hidden_test.go": (
        'package main_test\n\nimport "testing"\n\nfunc TestHiddenBig(t *testing.T) { expectAdd(t, 1<<40, 1) }\n'
    ),
}
HELPERS = {"python": PY_HELPER, "go": GO_HELPER}
WRONG = {
    "python": "def add(a, b):\n    return a - b\n",
    "go": go_answer_file(["func Add(a, b int) int { return a - b }"]),
}


@pytest.fixture
def helped(make_exercise) -> Path:
    """The small exercise, its tests using the chapter's helper file (both languages)."""
    folder = make_exercise(files=FILES)
    for language, text in HELPERS.items():
        (folder.parent / CHAPTER_HELPERS[language]).write_text(text)
    return folder


@pytest.mark.parametrize("language", ["python", "go"])
def test_suite_files_put_the_chapter_helper_beside_the_tests(helped, language):
    spec = load_exercise(helped).lang(language)
    helper = helped.parent / CHAPTER_HELPERS[language]
    assert spec.helper_path == helper
    assert suite_files(spec, hidden=False) == [spec.visible_tests_path, helper]
    assert suite_files(spec, hidden=True) == [
        spec.visible_tests_path,
        spec.hidden_tests_path,
        helper,
    ]


def test_suite_files_without_a_helper_are_the_tests_only(mini):
    spec = mini.lang("python")
    assert not spec.helper_path.exists()
    assert suite_files(spec, hidden=True) == [spec.visible_tests_path, spec.hidden_tests_path]


@pytest.mark.parametrize("language", ["python", "go"])
def test_visible_and_hidden_tests_run_with_the_helper(helped, language):
    result = check_notebook(helped, language, hidden=True)
    assert result.ok and result.total == 3, result.report()


@pytest.mark.parametrize("language", ["python", "go"])
def test_a_wrong_answer_fails_through_the_helper(helped, language):
    result = check_source(WRONG[language], helped, language, hidden=True)
    assert [r.outcome for r in result.results] == ["failed"] * 3
    assert "helper: add" in result.results[0].message.lower()


def test_in_process_check_finds_the_helper_and_forgets_it(helped):
    ok = check_namespace({"add": lambda a, b: a + b}, helped, hidden=True)
    assert ok.ok and ok.total == 3, ok.report()
    assert "chapter_helpers" not in sys.modules


def test_hidden_tests_from_solutions_bring_the_solutions_helper(helped, tmp_path):
    """A learner's copy whose helper was changed (or is missing) still gets the instructor's
    helper with the instructor's hidden tests: the tests run with what they were written for."""
    learner = tmp_path / "learner" / "ch00-demo" / "01-add"
    learner.mkdir(parents=True)
    for rel in (
        "exercise.toml",
        "python/test_visible.py",
        "python/add.ipynb",
        "go/visible_test.go",
        "go/add.ipynb",
    ):
        (learner / rel).parent.mkdir(parents=True, exist_ok=True)
        (learner / rel).write_bytes((helped / rel).read_bytes())
    (learner.parent / CHAPTER_HELPERS["python"]).write_text(
        "def expect_add(answer, a, b):\n    pass\n"
    )
    own = check_source(WRONG["python"], learner, "python")
    assert own.ok, "the learner's own check runs the learner's own helper"
    graded = check_source(WRONG["python"], learner, "python", hidden=True, tests_from=helped)
    assert [r.outcome for r in graded.results] == ["failed"] * 3
