"""The conformance vectors: one test per case, named by the case.

Cases come from every ``*.json`` in ``$TWINBOOK_VECTORS_DIR/breaker/`` when
that variable is set, else from the repository's ``tests/vectors/breaker/``
(the spec's rule, shared with the Go runner ``go/breaker/vectors_test.go``).
A case with an op or an expect key this runner does not know fails; nothing
is skipped. A file that does not parse is a failing test of its own, and so
is a folder with no case at all.
"""

from __future__ import annotations

import pytest

from .vectors import Case, load_cases, run_case, vectors_dir

DIRECTORY = vectors_dir()
LOADED = list(load_cases(DIRECTORY)) if DIRECTORY.is_dir() else []


@pytest.mark.parametrize(
    "item",
    LOADED or [None],
    ids=[item.name if isinstance(item, Case) else f"broken file {item[0]}" for item in LOADED]
    or [f"no vectors in {DIRECTORY}"],
)
def test_vector(item: Case | tuple[str, Exception] | None) -> None:
    if item is None:
        pytest.fail(f"no *.json vector files with cases in {DIRECTORY}")
    if not isinstance(item, Case):
        pytest.fail(f"{item[0]}: {item[1]}")
    run_case(item.body)
