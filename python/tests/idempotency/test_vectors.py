"""The idempotency_key conformance vectors through the ASGI middleware: one test per case.

Cases come from every ``*.json`` in ``$TWINBOOK_VECTORS_DIR/idempotency/`` when that variable
is set, else from the repository's ``tests/vectors/idempotency/`` (the rule shared with the Go
runner ``go/idempotency/vectors_test.go``; finding and loading is
``python/tests/vectors_files.py``). The folder also holds the ``saga`` files, which are
``python/tests/saga/test_vectors.py``'s: this runner runs its own concept's cases only. Each
case runs on the records in memory and on the records in a store (SQLite and PostgreSQL;
see conftest.py). A malformed case fails naming it; nothing is skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vectors_files import Broken, Case, Loaded, case_of, load_cases, vectors_dir

from .vectors import Malformed, run_case

FOLDER = "idempotency"
CONCEPT = "idempotency_key"
CONCEPTS = {CONCEPT, "saga"}


def empty_files(directory: Path) -> list[Broken]:
    """Files whose ``cases`` list is empty: the spec fails them by name (the loader lets them be)."""
    broken = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # the loader reports it already
        if isinstance(data, dict) and data.get("cases") == []:
            broken.append(Broken(f"broken file {path.name}", f"{path.name}: cases is empty"))
    return broken


def _mine(loaded: list[Loaded]) -> list[Loaded]:
    return [item for item in loaded if isinstance(item, Broken) or item.concept == CONCEPT]


LOADED: list[Loaded] = _mine(
    [*load_cases(FOLDER, concepts=CONCEPTS), *empty_files(vectors_dir(FOLDER))]
)
IDS = [item.name for item in LOADED]


@pytest.mark.parametrize("item", LOADED, ids=IDS)
def test_vectors(item: Loaded, new_records, arun) -> None:
    """One case, on each kind of records (``[memory-...]``, ``[sqlite-...]``, ``[postgres-...]``)."""
    case = case_of(item)
    try:
        arun(run_case(case.body, new_records()))
    except Malformed as exc:
        pytest.fail(f"{case.file}: case {case.name!r} is malformed: {exc}")


def test_vectors_have_cases_of_this_concept() -> None:
    cases = [item for item in LOADED if isinstance(item, Case)]
    assert cases, f"no {CONCEPT} cases in {vectors_dir(FOLDER)}"
    names = [item.name for item in cases]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"case names must be unique (they are test ids): {duplicates}"
