"""The limiter's conformance vectors: one test per case and flavour, named by the case.

Cases come from every ``*.json`` in ``$TWINBOOK_VECTORS_DIR/limiter/`` when
that variable is set, else from the repository's ``tests/vectors/limiter/``
(the rule shared with the Go runner ``go/concurrency/limiter_vectors_test.go``;
the finding and loading is ``python/tests/vectors_files.py``).
Every case runs twice: with ``Limiter.wait`` in threads and with
``Limiter.wait_async`` in tasks. A case with an op or an expect key this runner
does not know fails; nothing is skipped. A file that does not parse is a failing
test of its own, and so is a folder with no case at all.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from vectors_files import Loaded, case_of, vector_cases

from .limiter_vectors import TaskWaits, ThreadWaits, run_case

Run = Callable[[Coroutine[Any, Any, None]], None]


@vector_cases("limiter")
def test_limiter_vector_threads(item: Loaded, arun: Run) -> None:
    arun(run_case(case_of(item).body, ThreadWaits))


@vector_cases("limiter")
def test_limiter_vector_asyncio(item: Loaded, arun: Run) -> None:
    arun(run_case(case_of(item).body, TaskWaits))
