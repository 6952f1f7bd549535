"""The command line grouped by who uses it, and ``twinbook reset``."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from typer.testing import CliRunner

from twinbook.cli import app

ADD = "ch00-demo/01-add"


def commands(*args: str) -> list[str]:
    out = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    return re.findall(r"^│ (\w+) ", out.output, re.M)


def test_learners_at_the_top_authors_under_dev_instructors_under_grade():
    assert commands() == ["check", "hint", "watch", "progress", "reset", "grade", "dev"]
    assert commands("dev") == ["check", "list", "validate", "generate", "execute", "release"]


@pytest.fixture
def workbook(make_exercise, tmp_path):
    """A project with the small exercise, exercises/ generated from solutions/."""
    make_exercise()
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "README.md").write_text("kept\n")
    assert CliRunner().invoke(app, ["dev", "generate", "--root", str(tmp_path)]).exit_code == 0
    return tmp_path


def twinbook(root, *args):
    return CliRunner().invoke(app, [*args, "--root", str(root)])


def state(root) -> dict:
    return json.loads((root / "exercises" / ".twinbook" / "progress.json").read_text())


def test_reset_forgets_checks_and_hints_of_one_language(workbook):
    assert twinbook(workbook, "check", ADD).exit_code == 1  # the stubs fail: recorded
    assert twinbook(workbook, "hint", ADD).exit_code == 0
    assert set(state(workbook)["checks"][ADD]) == {"python", "go"}
    assert state(workbook)["hints"] == {ADD: 1}
    out = twinbook(workbook, "reset", ADD, "--lang", "go")
    assert out.exit_code == 0, out.output
    assert out.output == (
        f"{ADD} (go): progress and hints forgotten; notebook kept as it is (not tracked in git)\n"
    )
    assert set(state(workbook)["checks"][ADD]) == {"python"}
    assert state(workbook)["hints"] == {}


def test_reset_puts_a_tracked_notebook_back(workbook):
    notebook = workbook / "exercises" / ADD / "python" / "add.ipynb"
    original = notebook.read_bytes()
    git = ["git", "-C", str(workbook), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "exercises"], ["commit", "-qm", "start"]):
        subprocess.run([*git, *args], check=True)
    notebook.write_text(notebook.read_text().replace("NotImplementedError", "my answer"))
    out = twinbook(workbook, "reset", ADD, "--lang", "python")
    assert out.exit_code == 0, out.output
    assert "notebook restored from git" in out.output
    assert notebook.read_bytes() == original


def test_reset_names_an_unknown_exercise(workbook):
    out = twinbook(workbook, "reset", "ch00-demo/09-none")
    assert out.exit_code == 2 and "no exercise 'ch00-demo/09-none'" in out.output
