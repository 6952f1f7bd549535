"""The command line grouped by who uses it, and ``twinbook reset``'s arguments
(test_reset.py: what it does)."""

from __future__ import annotations

import re

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
    assert commands("dev") == [
        "check",
        "mutate",
        "list",
        "validate",
        "generate",
        "execute",
        "release",
    ]


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


def test_reset_names_an_unknown_exercise(workbook):
    out = twinbook(workbook, "reset", "ch00-demo/09-none")
    assert out.exit_code == 2 and "no exercise 'ch00-demo/09-none'" in out.output


@pytest.mark.parametrize(
    "command",
    [["check"], ["hint"], ["watch"], ["progress"], ["reset"], ["grade"], ["dev", "release"]],
)
def test_help_names_the_arguments_as_the_usage_line_should(command):
    out = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    usage = next(line for line in out.output.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    assert re.fullmatch(r" Usage: twinbook [a-z ]+\[OPTIONS\]( \S+)* *", usage), usage
    assert usage.upper() == usage.replace("twinbook", "TWINBOOK").replace(
        " ".join(command), " ".join(command).upper()
    ).replace("Usage", "USAGE"), usage  # the arguments' names in capitals
