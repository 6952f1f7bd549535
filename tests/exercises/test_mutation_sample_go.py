"""The Go half of the fixed sample of mutants (see test_mutation_sample.py)."""

from __future__ import annotations

import pytest

from tests.exercises.conftest import EXERCISE_LANGUAGES
from tests.exercises.test_mutation_sample import sample_is_killed


@pytest.mark.parametrize(
    "pair",
    [p for p in EXERCISE_LANGUAGES if p[1] == "go"],
    ids=[f"{e}-{lang}" for e, lang in EXERCISE_LANGUAGES if lang == "go"],
)
def test_sample_of_go_mutants_is_killed(pair):
    sample_is_killed(pair)
