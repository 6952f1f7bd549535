"""The student edition's scan and the chapter helper files: a helper is visible code that
ships, so its lines are no leak even where a hidden test has them too; a hidden test file
still is, whatever else sits beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinbook.authoring.release import Secrets, find_leaks, project_files
from twinbook.exercises.model import CHAPTER_HELPERS

# a line the hidden test and the helper share, long enough for the scan to care about
SHARED = "    assert answer.add(a, b) == a + b, f'add({a}, {b}) must be {a + b} here'"
HELPER = f"def expect_add(answer, a, b):\n{SHARED}\n"
HIDDEN = f"def test_hidden_big(answer):\n    a, b = 10**20, 1\n{SHARED}\n"


@pytest.fixture
def root(make_exercise, tmp_path) -> Path:
    """A repository with the small exercise, its hidden test sharing a line with the
    chapter's helper file."""
    folder = make_exercise(files={"python/test_hidden.py": HIDDEN})
    (folder.parent / CHAPTER_HELPERS["python"]).write_text(HELPER)
    return tmp_path


def test_the_helpers_lines_are_teaching_not_hidden(root):
    secrets = Secrets.of(root)
    assert "test_hidden_big" in secrets.hidden_names
    assert not any("must be {a + b} here" in line for line in secrets.hidden_lines)


def test_a_shipped_helper_is_no_leak_and_a_hidden_test_file_still_is(root, tmp_path):
    out = tmp_path / "out"
    chapter = out / "exercises" / "ch00-demo"
    (chapter / "01-add" / "python").mkdir(parents=True)
    (chapter / CHAPTER_HELPERS["python"]).write_text(HELPER)
    secrets = Secrets.of(root)
    assert find_leaks(out, secrets) == []
    (chapter / "01-add" / "python" / "test_hidden.py").write_text(HIDDEN)
    assert find_leaks(out, secrets) == [
        "exercises/ch00-demo/01-add/python/test_hidden.py: a hidden test file"
    ]


def test_helper_files_are_not_solution_like(root):
    """``exercises/`` with a chapter helper is a tree the release takes as it is."""
    chapter = root / "exercises" / "ch00-demo"
    chapter.mkdir(parents=True)
    for name in CHAPTER_HELPERS.values():
        (chapter / name).write_text("x\n")
    files = project_files(root, "exercises")  # strict: a solution-like file would raise
    assert {f.name for f in files} == set(CHAPTER_HELPERS.values())
