"""A small fixed sample of each exercise's mutants must be killed, and each equivalents file
must name current mutants with reasons (``make mutate`` runs every mutant; this catches a
weakened test in CI at a fraction of the cost).

The sample is kept in ``mutation_sample.toml`` beside this file (see
:mod:`twinbook.authoring.mutation.sample`): per exercise and language, the first three
mutants in the order of a hash of their stable ids that a full run found killed quickly.
When a solution changes and a sampled mutant no longer exists, a full run writes a new
sample: ``twinbook dev mutate --write-sample tests/exercises/mutation_sample.toml``.
Each runs through the checker learners and the grader use, with the hidden tests. The Go
half of the sample is in test_mutation_sample_go.py: with pytest-xdist's ``--dist
loadfile`` the two halves run on two workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.exercises.conftest import EXERCISE_LANGUAGES
from tests.repo import SOLUTIONS
from twinbook.authoring.mutation.runner import KILLED, plan, run_plan
from twinbook.authoring.mutation.sample import read_sample
from twinbook.exercises import load_exercise

SAMPLE_FILE = Path(__file__).with_name("mutation_sample.toml")
WRITE = f"twinbook dev mutate --write-sample {SAMPLE_FILE.relative_to(SOLUTIONS.parent)}"


@pytest.fixture
def mutation_plan(exercise_language):
    ex_id, language = exercise_language
    return plan(load_exercise(SOLUTIONS / ex_id), language)


def test_equivalents_file_names_current_mutants_with_reasons(mutation_plan):
    stale = [e.mutant for e in mutation_plan.stale()]
    assert not stale, f"equivalent_mutants.toml names mutants that no longer exist: {stale}"
    unexplained = [e.mutant for e in mutation_plan.unexplained()]
    assert not unexplained, f"equivalent_mutants.toml entries without a reason: {unexplained}"


def sample_is_killed(pair: tuple[str, str]) -> None:
    """Run the sample of one exercise in one language; fail naming each survivor."""
    mutation_plan = plan(load_exercise(SOLUTIONS / pair[0]), pair[1])
    ids = read_sample(SAMPLE_FILE).get(pair, [])
    assert ids, f"no sample for {pair} in {SAMPLE_FILE.name}: run `{WRITE}`"
    by_id = {m.id: m for m in mutation_plan.mutants}
    gone = [i for i in ids if i not in by_id]
    assert not gone, f"sampled mutants that no longer exist: {gone}; run `{WRITE}`"
    listed = [i for i in ids if i in mutation_plan.equivalent_ids]
    assert not listed, f"sampled mutants now listed as equivalent: {listed}; run `{WRITE}`"
    result = run_plan(mutation_plan, jobs=2, only=[by_id[i] for i in ids])
    survivors = [o for o in result.outcomes if o.status != KILLED]
    assert not survivors, "a wrong answer is no longer caught by the tests:\n" + "\n".join(
        f"{o.mutant.id} ({o.status}: {o.detail})\n{o.mutant.diff(mutation_plan.source)}"
        for o in survivors
    )


@pytest.mark.parametrize(
    "pair",
    [p for p in EXERCISE_LANGUAGES if p[1] == "python"],
    ids=[f"{e}-{lang}" for e, lang in EXERCISE_LANGUAGES if lang == "python"],
)
def test_sample_of_python_mutants_is_killed(pair):
    sample_is_killed(pair)
