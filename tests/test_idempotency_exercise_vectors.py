"""Chapter 5's idempotency-keys exercise replays the current vectors, through one replayer.

The exercise's hidden tests embed every idempotency_key case of tests/vectors/idempotency (the
selection and the block writer are tests/vectors/reference/idempotency_exercise_vectors.py),
replayed by the chapter's helper files. A vector added or changed without `--write` leaves a
stale block, and fails here.
"""

from __future__ import annotations

import pytest

from tests.vectors.reference.cases import load_script

exercise_vectors = load_script(
    "idempotency_exercise_vectors.py", "twinbook_idempotency_exercise_vectors"
)


def test_exercise_hidden_tests_embed_the_current_vectors():
    stale = exercise_vectors.stale_files()
    assert stale == [], (
        "run `.venv/bin/python tests/vectors/reference/idempotency_exercise_vectors.py --write`: "
        + ", ".join(str(p.relative_to(exercise_vectors.ROOT)) for p in stale)
    )


@pytest.mark.parametrize("language", sorted(exercise_vectors.REPLAYERS))
def test_the_vector_replayer_exists_once_per_language(language):
    helper, loop = exercise_vectors.REPLAYERS[language]
    assert loop in helper.read_text(encoding="utf-8"), f"{helper}: no replayer ({loop!r})"
    assert exercise_vectors.replayer_copies() == [], (
        "replay the vectors with the chapter helper's replayer, not a copy"
    )


def test_the_keys_exercise_replays_every_idempotency_key_case():
    cases = exercise_vectors.select("01-idempotency-keys")
    assert len(cases) >= 60, f"01-idempotency-keys: only {len(cases)} vector cases"
    model = load_script("idempotency_model.py", "twinbook_idempotency_reference_model")
    for case in cases:
        assert model.run_case(case) > 0, case["name"]


def test_the_saga_exercise_replays_every_case_without_a_crash():
    cases = exercise_vectors.select("04-saga-compensation")
    every = exercise_vectors.saga_cases()
    assert len(cases) >= 25, f"only {len(cases)} saga cases without a crash"
    assert [c for c in every if c not in cases] == [c for c in every if c["crash_after"]]
    assert {c["expect"]["outcome"] for c in cases} == {"completed", "compensated"}
