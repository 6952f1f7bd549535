"""The saga conformance vectors through :class:`twinbook.saga.Orchestrator`, on every log.

Cases come from every ``*.json`` of ``$TWINBOOK_VECTORS_DIR/idempotency/`` when that
variable is set, else of the repository's ``tests/vectors/idempotency/``; that folder holds
both of chapter 5's concepts, so it is loaded with both and only the saga cases run here
(``idempotency_key`` ones are ``python/tests/idempotency/``'s). A file of another concept
fails by name; a malformed case fails naming the reason; nothing is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from vectors_files import ROOT, Broken, Case, Loaded, case_of, load_cases, vectors_dir

from twinbook.saga import Log, MemoryLog, StoreLog
from twinbook.store import Store, connect

from .vectors import Malformed, run_case

CONCEPTS = ("saga", "idempotency_key")
MALFORMED_DIR = ROOT / "tests" / "fixtures" / "vectors-malformed" / "idempotency"


def empty_files(directory: Path) -> list[Broken]:
    """Files whose ``cases`` list is empty: failed by name (the loader lets them be)."""
    broken = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # the loader reports it already
        if isinstance(data, dict) and data.get("cases") == []:
            broken.append(Broken(f"broken file {path.name}", f"{path.name}: cases is empty"))
    return broken


def saga_cases(directory: Path | None = None) -> list[Loaded]:
    loaded = load_cases("idempotency", directory, concepts=CONCEPTS)
    return [
        item
        for item in [*loaded, *empty_files(directory or vectors_dir("idempotency"))]
        if not isinstance(item, Case) or item.concept == "saga"
    ]


LOADED = saga_cases()


def _replay(item: Loaded, reopen: Callable[[], Log]) -> None:
    case = case_of(item)
    try:
        run_case(case.body, reopen)
    except Malformed as exc:
        pytest.fail(f"{case.file}: case {case.name!r} is malformed: {exc}")


@pytest.mark.parametrize("item", LOADED, ids=[item.name for item in LOADED])
def test_vectors(item: Loaded) -> None:
    log = MemoryLog()
    _replay(item, lambda: log)


@pytest.mark.parametrize("item", LOADED, ids=[item.name for item in LOADED])
def test_vectors_on_a_store(item: Loaded, saga_store: tuple[str, Store]) -> None:
    url, _ = saga_store
    stores: list[Store] = []

    def reopen() -> Log:  # a new connection and log per "process"
        stores.append(connect(url))
        return StoreLog(stores[-1])

    try:
        _replay(item, reopen)
    finally:
        for store in stores:
            store.close()


def test_vectors_case_names_are_unique() -> None:
    names = [item.name for item in LOADED if isinstance(item, Case)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"case names must be unique (they are test ids): {duplicates}"


MALFORMED = saga_cases(MALFORMED_DIR)


@pytest.mark.parametrize("item", MALFORMED, ids=[item.name for item in MALFORMED])
def test_vectors_reject_a_malformed_case(item: Loaded) -> None:
    case = case_of(item)
    log = MemoryLog()
    with pytest.raises(Malformed):
        run_case(case.body, lambda: log)


def test_vectors_fail_a_file_of_an_unknown_concept(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"concept": "sagas", "cases": [{}]}))
    assert [type(item) for item in saga_cases(tmp_path)] == [Broken, Broken]
