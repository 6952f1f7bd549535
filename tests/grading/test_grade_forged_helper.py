"""A submission that ships its own chapter helper file cannot replace the instructor's.

`twinbook grade` on the count-window exercise (chapter 2), two students with the same
answer, one that breaks a rule (it opens above the threshold instead of at it), so it
earns some points, not all:

    honest   that answer, nothing else
    forger   that answer, plus forged helper files (with the helper's names, in the chapter
             folder and beside each notebook) whose vector replayer checks nothing: if the
             grader used them, the conformance vectors would pass

Both must get exactly the same points, fewer than full marks.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import classbuild as cb
import pytest

from tests.repo import ROOT, SOLUTIONS
from twinbook.exercises.model import CHAPTER_HELPERS, load_exercise
from twinbook.runner.check import answer_source, check_source

EXERCISE = "ch02-circuit-breaker/01-count-window"
CHAPTER = EXERCISE.split("/")[0]
# the rule the answer breaks, per language: (the solution's line, the broken one)
BREAK = {
    "python": ("* 100 / calls >= self._threshold", "* 100 / calls > self._threshold"),
    "go": (
        "m.FailureRate >= b.cfg.FailureRateThreshold",
        "m.FailureRate > b.cfg.FailureRateThreshold",
    ),
}


def forged_helpers() -> dict[str, str]:
    """The instructor's helpers with a replayer that checks nothing."""
    python = (SOLUTIONS / CHAPTER / CHAPTER_HELPERS["python"]).read_text(encoding="utf-8")
    python += (
        "\n\ndef replay(case, driver):  # forged: every vector passes\n    return None\n\n\n"
        "class BreakerDriver:  # forged: never builds the learner's breaker\n"
        "    def __init__(self, answer, **config):\n        pass\n"
    )
    go = (SOLUTIONS / CHAPTER / CHAPTER_HELPERS["go"]).read_text(encoding="utf-8")
    head = "func vecRun(t *testing.T, vectorsJSON string, newDriver func(vecConfig) vecDriver) {\n"
    assert head in go, "the forged Go helper must replace the instructor's vecRun"
    go = go.replace(head, head + "\treturn // forged: every vector passes\n")
    return {"python": python, "go": go}


def broken_answer(student: Path, language: str) -> None:
    notebook = student / cb.notebook_rel(EXERCISE, language)
    good, bad = BREAK[language]
    sources = cb.answer_sources(SOLUTIONS / cb.notebook_rel(EXERCISE, language))
    assert any(good in s for s in sources), f"{language}: the solution changed, update BREAK"
    cb.set_answers(notebook, [s.replace(good, bad) for s in sources])


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory) -> dict[str, dict[str, str]]:
    base = tmp_path_factory.mktemp("forged")
    subs = base / "submissions"
    subs.mkdir()
    for name in ("honest", "forger"):
        student = cb.make_student(subs / name)
        for language in ("python", "go"):
            broken_answer(student, language)
    forger = subs / "forger"
    for language, text in forged_helpers().items():
        name = CHAPTER_HELPERS[language]
        (forger / CHAPTER / name).write_text(text, encoding="utf-8")
        (forger / cb.notebook_rel(EXERCISE, language)).parent.joinpath(name).write_text(
            text, encoding="utf-8"
        )
    out = base / "out"
    cmd = [sys.executable, "-m", "twinbook.cli", "grade", str(subs), "--out", str(out)]
    proc = subprocess.run(
        [*cmd, "--jobs", "2", "--exercise", EXERCISE],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = csv.DictReader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8")))
    return {row["student"]: row for row in rows}


@pytest.mark.parametrize("language", ["python", "go"])
def test_a_forged_helper_earns_nothing_more_than_the_answer(gradebook, language):
    column = f"{EXERCISE}:{language}"
    full = load_exercise(SOLUTIONS / EXERCISE).lang(language).total_points
    honest, forger = float(gradebook["honest"][column]), float(gradebook["forger"][column])
    assert 0 < honest < full, f"the broken answer should earn some points, got {honest}/{full}"
    assert forger == honest, (
        f"{language}: the forger got {forger}, the same answer alone {honest}: the grader "
        "must run the instructor's helper, never the submission's"
    )


@pytest.mark.parametrize("language", ["python", "go"])
def test_the_forged_helper_would_pass_the_vectors_if_it_were_used(tmp_path, language):
    """The attack is real: in a tree holding the forged helper, the broken answer passes the
    conformance vectors it fails with the instructor's helper."""
    chapter = tmp_path / CHAPTER
    shutil.copytree(SOLUTIONS / EXERCISE, chapter / EXERCISE.split("/")[1])
    name = CHAPTER_HELPERS[language]
    vectors = {"python": "test_hidden_conformance_vectors", "go": "TestHiddenConformanceVectors"}
    good, bad = BREAK[language]
    source = answer_source(load_exercise(SOLUTIONS / EXERCISE).lang(language)).replace(good, bad)

    def vectors_outcome(helper: str) -> str:
        (chapter / name).write_text(helper, encoding="utf-8")
        result = check_source(source, chapter / EXERCISE.split("/")[1], language, hidden=True)
        return next(r.outcome for r in result.results if r.name == vectors[language])

    assert vectors_outcome((SOLUTIONS / CHAPTER / name).read_text(encoding="utf-8")) == "failed"
    assert vectors_outcome(forged_helpers()[language]) == "passed"
