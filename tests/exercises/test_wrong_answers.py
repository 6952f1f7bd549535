"""Wrong answers kept as tests of the tests (issue 11): each exercise keeps plausible wrong
answers beside its solution, ``solutions/<chapter>/<exercise>/<lang>/wrong_answers/<name>.py``
or ``.go``, whole answer files as the checker takes them. Each must fail at least one test
through the path of the grader and of ``twinbook check --hidden`` (``check_source(...,
hidden=True)``), with a message a learner can read; each says on its first line what is wrong
with it; and none leaves ``solutions/``: neither the generator nor the student edition ships
them (they would give most of an answer away).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.repo import EXERCISES, SOLUTIONS
from twinbook.authoring.generate import generate_tree
from twinbook.authoring.release import Secrets, find_leaks
from twinbook.exercises.model import INSTRUCTOR_ONLY
from twinbook.runner.check import check_source

FOLDER = "wrong_answers"
LANGUAGE_OF = {".py": "python", ".go": "go"}
COMMENT = {"python": "#", "go": "//"}
#: Each exercise keeps at least this many wrong answers per language (issue 11).
AT_LEAST = 3
#: Words a learner should never have to read: pytest's and the interpreter's own.
RAW = ("Traceback", "DID NOT RAISE")


def wrong_answers() -> list[Path]:
    return sorted(
        p for p in SOLUTIONS.glob(f"*/*/*/{FOLDER}/*") if p.is_file() and p.suffix in LANGUAGE_OF
    )


WRONG_ANSWERS = wrong_answers()


def _id(path: Path) -> str:
    return str(path.relative_to(SOLUTIONS))


def _exercise(path: Path) -> Path:
    """solutions/<chapter>/<exercise> of solutions/<chapter>/<exercise>/<lang>/wrong_answers/x."""
    return path.parents[2]


def readable(message: str) -> bool:
    """A failure message in the exercise's words: not empty, not a traceback nor pytest's own
    phrase, not a bare ``AssertionError`` or ``assert x == y``, and made of words (a race
    report's banner line of ``=`` alone says nothing)."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return (
        bool(re.search(r"[A-Za-z]{3}", first))
        and not any(raw in message for raw in RAW)
        and first.rstrip(":") != "AssertionError"
        and not first.startswith(("assert ", "AssertionError: assert "))
    )


def test_wrong_answers_are_found():
    assert len(WRONG_ANSWERS) >= 24, f"found {len(WRONG_ANSWERS)} wrong answers under {SOLUTIONS}"


@pytest.mark.parametrize("path", WRONG_ANSWERS, ids=_id)
def test_wrong_answer_says_what_is_wrong(path):
    lang = LANGUAGE_OF[path.suffix]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = f"{COMMENT[lang]} wrong: "
    assert first.startswith(prefix) and len(first) > len(prefix) + 10, (
        f"{path}: the first line must be `{prefix}<what is wrong with it, in one line>`"
    )


@pytest.mark.parametrize("path", WRONG_ANSWERS, ids=_id)
def test_wrong_answer_fails_a_test_with_a_readable_message(path):
    lang = LANGUAGE_OF[path.suffix]
    result = check_source(path.read_text(encoding="utf-8"), _exercise(path), lang, hidden=True)
    assert not result.problem, f"{path} did not run (fix the wrong answer): {result.problem}"
    failed = [r for r in result.results if not r.passed]
    assert failed, f"{path} passes every visible and hidden test: a test is missing"
    assert any(readable(r.message) for r in failed), (
        f"{path} fails only with messages a learner cannot read:\n{result.report()}"
    )


def test_every_exercise_keeps_enough_wrong_answers():
    counts: dict[str, int] = {}
    for toml in SOLUTIONS.glob("*/*/exercise.toml"):
        for lang in LANGUAGE_OF.values():
            if (toml.parent / lang).is_dir():
                counts[f"{toml.parent.relative_to(SOLUTIONS)} ({lang})"] = 0
    for path in WRONG_ANSWERS:
        counts[f"{_exercise(path).relative_to(SOLUTIONS)} ({LANGUAGE_OF[path.suffix]})"] += 1
    few = {pair: n for pair, n in counts.items() if n < AT_LEAST}
    assert few == {}, f"keep at least {AT_LEAST} wrong answers per exercise and language: {few}"


def test_the_generator_and_exercises_leave_wrong_answers_out():
    assert FOLDER in INSTRUCTOR_ONLY
    generated = [rel for rel in generate_tree(SOLUTIONS) if FOLDER in rel.parts]
    assert generated == [], f"the generator writes wrong answers into exercises/: {generated}"
    committed = [p for p in EXERCISES.rglob("*") if FOLDER in p.parts]
    assert committed == [], f"wrong answers under exercises/: {committed}"


def test_the_release_scan_refuses_a_wrong_answer(tmp_path):
    """Whatever copies it, a wrong answer in a student edition is a leak."""
    secrets = Secrets(answers={}, shared={}, hidden_names={}, hidden_lines={})
    wrong = tmp_path / "exercises" / "ch00-demo" / "01-add" / "python" / FOLDER / "off_by_one.py"
    wrong.parent.mkdir(parents=True)
    wrong.write_text("# wrong: adds one too many\ndef add(a, b):\n    return a + b + 1\n")
    assert find_leaks(tmp_path, secrets) == [
        "exercises/ch00-demo/01-add/python/wrong_answers/off_by_one.py: "
        "instructors only (kept wrong answers, equivalent mutants)"
    ]
