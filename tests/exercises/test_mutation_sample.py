"""A small fixed sample of each exercise's mutants must be killed (``make mutate`` runs them
all; this catches a weakened test in CI at a fraction of the cost).

The sample is the first :data:`SAMPLE` valid mutants in the order of a hash of their
stable ids, the listed equivalents left out (:meth:`Plan.candidates`): fixed while the
solution does not change, and spread over the operators and the answer. Each runs through
the checker learners and the grader use, with the hidden tests.
"""

from __future__ import annotations

import pytest

from tests.repo import SOLUTIONS
from twinbook.authoring.mutation.runner import INVALID, KILLED, plan, run_mutant
from twinbook.exercises import load_exercise

#: mutants per exercise and language
SAMPLE = 3


@pytest.fixture
def mutation_plan(exercise_language):
    ex_id, language = exercise_language
    return plan(load_exercise(SOLUTIONS / ex_id), language)


def test_equivalents_file_names_current_mutants_with_reasons(mutation_plan):
    stale = [e.mutant for e in mutation_plan.stale()]
    assert not stale, f"equivalent_mutants.toml names mutants that no longer exist: {stale}"
    unexplained = [e.mutant for e in mutation_plan.unexplained()]
    assert not unexplained, f"equivalent_mutants.toml entries without a reason: {unexplained}"


def test_sample_of_mutants_is_killed(mutation_plan):
    outcomes = []
    for mutant in mutation_plan.candidates():
        outcome = run_mutant(mutation_plan, mutant)
        if outcome.status != INVALID:
            outcomes.append(outcome)
        if len(outcomes) == SAMPLE:
            break
    assert outcomes, "no mutant to run"
    survivors = [o for o in outcomes if o.status != KILLED]
    assert not survivors, "a wrong answer passes every test:\n" + "\n".join(
        f"{o.mutant.id}\n{o.mutant.diff(mutation_plan.source)}" for o in survivors
    )
