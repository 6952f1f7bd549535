"""Chapter 4's compatibility exercise replays the current Avro vectors, through one replayer.

The exercise's hidden tests embed the avro_resolution cases of tests/vectors/avro that its
learner's ``can_read`` covers (valid schemas, distinct short names: the selection and the
block writer are tests/vectors/reference/avro_exercise_vectors.py), replayed by the chapter's
helper files. A vector added or changed without `--write` leaves a stale block, and fails here.
"""

from __future__ import annotations

import pytest

from tests.vectors.reference.cases import load_script

exercise_vectors = load_script("avro_exercise_vectors.py", "twinbook_avro_exercise_vectors")


def test_exercise_hidden_tests_embed_the_current_vectors():
    stale = exercise_vectors.stale_files()
    assert stale == [], (
        "run `.venv/bin/python tests/vectors/reference/avro_exercise_vectors.py --write`: "
        + ", ".join(str(p.relative_to(exercise_vectors.ROOT)) for p in stale)
    )


@pytest.mark.parametrize("language", sorted(exercise_vectors.REPLAYERS))
def test_the_vector_replayer_exists_once_per_language(language):
    helper, loop = exercise_vectors.REPLAYERS[language]
    assert loop in helper.read_text(encoding="utf-8"), f"{helper}: no replayer ({loop!r})"
    assert exercise_vectors.replayer_copies() == [], (
        "replay the vectors with the chapter helper's replayer, not a copy"
    )


@pytest.mark.parametrize("exercise", sorted(exercise_vectors.EXERCISES))
def test_the_exercise_replays_every_valid_case_it_can(exercise):
    cases = exercise_vectors.select(exercise)
    assert len(cases) >= 60, f"{exercise}: only {len(cases)} vector cases apply"
    every = exercise_vectors.all_cases()
    valid = [c for c in every if not c.get("invalid", False)]
    left_out = [c["name"] for c in valid if c["name"] not in {s["name"] for s in cases}]
    # the only valid cases left out are those whose schemas reuse a short name
    assert all(not exercise_vectors.in_scope(c) for c in valid if c["name"] in left_out)
    assert {c["compatible"] for c in cases} == {True, False}, "both answers are replayed"
    assert all(set(c) == set(exercise_vectors.REPLAYED_KEYS) for c in cases)


@pytest.mark.parametrize(
    ("case", "applies"),
    [
        ({"name": "x", "reader": "int", "writer": "int", "compatible": True}, True),
        (
            {"name": "x", "reader": "int", "writer": "int", "compatible": True, "invalid": False},
            True,
        ),
        (
            {"name": "x", "reader": "nt", "writer": "int", "compatible": False, "invalid": True},
            False,
        ),
        (
            {
                "name": "two Ids",
                "reader": {
                    "type": "record",
                    "name": "a.R",
                    "fields": [
                        {"name": "x", "type": {"type": "fixed", "name": "a.Id", "size": 2}},
                        {"name": "y", "type": {"type": "fixed", "name": "b.Id", "size": 4}},
                    ],
                },
                "writer": "int",
                "compatible": False,
            },
            False,
        ),
    ],
    ids=["valid", "marked-valid", "invalid", "short-names-collide"],
)
def test_which_cases_apply(case, applies):
    assert exercise_vectors.in_scope(case) is applies
