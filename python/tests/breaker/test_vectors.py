"""The conformance vectors: one test per case, named by the case.

Cases come from every ``*.json`` in ``$TWINBOOK_VECTORS_DIR/breaker/`` when
that variable is set, else from the repository's ``tests/vectors/breaker/``
(the spec's rule, shared with the Go runner ``go/breaker/vectors_test.go``;
the finding and loading is ``python/tests/vectors_files.py``).
A case with an op or an expect key this runner does not know fails; nothing
is skipped. A file that does not parse is a failing test of its own, and so
is a folder with no case at all.
"""

from __future__ import annotations

from vectors_files import Loaded, case_of, vector_cases

from .vectors import run_case


@vector_cases("breaker")
def test_vector(item: Loaded) -> None:
    run_case(case_of(item).body)
