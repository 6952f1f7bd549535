"""The student edition's wording of the maintainers' files: what each rewrite keeps, and
a rewrite whose project text is gone stops the release instead of shipping that text."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from twinbook.authoring.student_texts import (
    WordingError,
    student_constraints,
    student_go_tools_mod,
    student_makefile_wording,
    student_pyproject,
)

ROOT = Path(__file__).resolve().parents[3]


def test_the_pyproject_keeps_the_library_and_the_learners_extra_only():
    project = tomllib.loads((ROOT / "python" / "pyproject.toml").read_text())
    text = student_pyproject((ROOT / "python" / "pyproject.toml").read_text())
    student = tomllib.loads(text)
    assert student["project"]["dependencies"] == project["project"]["dependencies"]
    assert student["project"]["optional-dependencies"] == {
        "learn": project["project"]["optional-dependencies"]["learn"]
    }
    assert student["project"]["scripts"] == project["project"]["scripts"]
    assert student["tool"] == {"setuptools": project["tool"]["setuptools"]}
    for gone in ("make test", "make book", "nbval", "chromium", "lint.toml"):
        assert gone not in text


def test_pins_and_modules_stay_as_they_are():
    constraints = (ROOT / "python" / "constraints.txt").read_text()
    pins = [ln for ln in constraints.splitlines() if ln and not ln.startswith("#")]
    assert student_constraints(constraints).splitlines()[1:] == pins
    mod = (ROOT / "go" / "tools" / "go.mod").read_text()
    student = student_go_tools_mod(mod)
    assert student.split("\nmodule ", 1)[1] == mod.split("\nmodule ", 1)[1]
    assert "make " in student and "make proto" not in student and "make test" not in student


def test_a_rewording_whose_text_is_gone_stops_the_release():
    makefile = (ROOT / "Makefile").read_text()
    setup = student_makefile_wording(makefile).split("\nsetup:", 1)[1].split("\n\n", 1)[0]
    assert "make test" not in setup and "make lint" not in setup and "go build" in setup
    with pytest.raises(WordingError, match="the text the student edition rewrites is gone"):
        student_makefile_wording(makefile.replace("(make lint)", "(the linters)"))
    with pytest.raises(WordingError):
        student_go_tools_mod("// no module line here\n")
