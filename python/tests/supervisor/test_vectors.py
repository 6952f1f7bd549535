"""The supervisor conformance vectors through the deterministic core: one test per case.

Cases come from every ``*.json`` in ``$TWINBOOK_VECTORS_DIR/supervisor/`` when
that variable is set, else from the repository's ``tests/vectors/supervisor/``
(the rule shared with the Go runner ``go/supervisor/vectors_test.go``; the
finding and loading is ``python/tests/vectors_files.py``). A key this runner
does not know, or a case the format does not allow, fails naming the case
and the reason; nothing is skipped. A file that does not load is a failing
test of its own, and so is a folder with no case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vectors_files import Broken, Case, Loaded, case_of, load_cases, vectors_dir

from .vectors import Malformed, run_case


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


LOADED: list[Loaded] = [*load_cases("supervisor"), *empty_files(vectors_dir("supervisor"))]


@pytest.mark.parametrize("item", LOADED, ids=[item.name for item in LOADED])
def test_vectors(item: Loaded) -> None:
    case = case_of(item)
    try:
        run_case(case.body)
    except Malformed as exc:
        pytest.fail(f"{case.file}: case {case.name!r} is malformed: {exc}")


def test_vectors_case_names_are_unique() -> None:
    names = [item.name for item in LOADED if isinstance(item, Case)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"case names must be unique (they are test ids): {duplicates}"
