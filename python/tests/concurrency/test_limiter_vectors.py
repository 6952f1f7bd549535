"""The limiter's conformance vectors: one test per case and flavour, named by the case.

Cases come from every ``*.json`` in ``$TWINBOOK_VECTORS_DIR/limiter/`` when
that variable is set, else from the repository's ``tests/vectors/limiter/``
(the rule shared with the Go runner ``go/concurrency/limiter_vectors_test.go``).
Every case runs twice: with ``Limiter.wait`` in threads and with
``Limiter.wait_async`` in tasks. A case with an op or an expect key this runner
does not know fails; nothing is skipped. A file that does not parse is a failing
test of its own, and so is a folder with no case at all.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from .limiter_vectors import Case, TaskWaits, ThreadWaits, load_cases, run_case, vectors_dir

Run = Callable[[Coroutine[Any, Any, None]], None]

DIRECTORY = vectors_dir()
Item = Case | tuple[str, Exception] | None
LOADED = list(load_cases(DIRECTORY)) if DIRECTORY.is_dir() else []
ITEMS: list[Item] = [*LOADED] or [None]
IDS = [item.name if isinstance(item, Case) else f"broken file {item[0]}" for item in LOADED] or [
    f"no vectors in {DIRECTORY}"
]


def _case(item: Item) -> Case:
    if item is None:
        pytest.fail(f"no *.json vector files with cases in {DIRECTORY}")
    if not isinstance(item, Case):
        pytest.fail(f"{item[0]}: {item[1]}")
    return item


@pytest.mark.parametrize("item", ITEMS, ids=IDS)
def test_limiter_vector_threads(item: Item, arun: Run) -> None:
    arun(run_case(_case(item).body, ThreadWaits))


@pytest.mark.parametrize("item", ITEMS, ids=IDS)
def test_limiter_vector_asyncio(item: Item, arun: Run) -> None:
    arun(run_case(_case(item).body, TaskWaits))
