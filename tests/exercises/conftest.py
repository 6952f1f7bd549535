"""Fixtures for the exercise integrity tests.

Parametrization is read from solutions/*/*/exercise.toml with a plain TOML parse, not the
validating loader, so that one broken exercise fails its own tests instead of the collection.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.repo import EXERCISES, SOLUTIONS
from twinbook.authoring.generate import generate_tree
from twinbook.exercises import load_exercise


def exercise_languages() -> list[tuple[str, str]]:
    pairs = []
    for toml in sorted(SOLUTIONS.glob("*/*/exercise.toml")):
        ex_id = f"{toml.parent.parent.name}/{toml.parent.name}"
        try:
            data = tomllib.loads(toml.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError:
            data = {"python": {}}  # surfaces as a failing validity test
        pairs += [(ex_id, lang) for lang in ("python", "go") if lang in data]
    return pairs


EXERCISE_LANGUAGES = exercise_languages()
EXERCISE_IDS = sorted({ex_id for ex_id, _ in EXERCISE_LANGUAGES})


def pytest_generate_tests(metafunc):
    if "exercise_language" in metafunc.fixturenames:
        metafunc.parametrize(
            "exercise_language",
            EXERCISE_LANGUAGES,
            ids=[f"{e}-{lang}" for e, lang in EXERCISE_LANGUAGES],
        )
    if "exercise_id" in metafunc.fixturenames:
        metafunc.parametrize("exercise_id", EXERCISE_IDS)


@pytest.fixture(scope="session")
def solutions_dir() -> Path:
    return SOLUTIONS


@pytest.fixture(scope="session")
def exercises_dir() -> Path:
    return EXERCISES


@pytest.fixture(scope="session")
def generated_exercises(tmp_path_factory, solutions_dir) -> Path:
    """exercises/ as the generator makes it now, in a temporary folder."""
    out = tmp_path_factory.mktemp("generated-exercises")
    for rel, data in generate_tree(solutions_dir).items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return out


@pytest.fixture
def solution(exercise_language, solutions_dir):
    """(exercise, language spec) of the solutions/ copy."""
    ex_id, lang = exercise_language
    ex = load_exercise(solutions_dir / ex_id)
    return ex, ex.lang(lang)


@pytest.fixture
def stub(exercise_language, generated_exercises):
    """(exercise, language spec) of the generated learner's copy."""
    ex_id, lang = exercise_language
    ex = load_exercise(generated_exercises / ex_id)
    return ex, ex.lang(lang)
