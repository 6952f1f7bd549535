"""The Avro conformance vectors: one test per case, named by it.

Cases come from every ``*.json`` in ``$TWINBOOK_VECTORS_DIR/avro/`` when that variable is
set, else from the repository's ``tests/vectors/avro/`` (the rule shared with the Go runner
``go/schema/vectors_test.go``; finding and loading is ``python/tests/vectors_files.py``).
Both concepts, ``avro_resolution`` and ``registry_compatibility``, live in that one folder.
A key the runner does not know, a malformed case or file fails naming it; nothing is skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vectors_files import Broken, Case, Loaded, case_of, load_cases, vectors_dir

from .vectors import CONCEPTS, Malformed, run_case


def load(directory: Path | None = None) -> list[Loaded]:
    """The shared loader's cases, plus what the spec fails besides: a file whose ``cases``
    is empty, and a case name used twice (names are test ids)."""
    directory = vectors_dir("avro") if directory is None else directory
    loaded = load_cases("avro", directory, concepts=CONCEPTS)
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # the loader reports it already
        if isinstance(data, dict) and data.get("cases") == []:
            loaded.append(Broken(f"broken file {path.name}", f"{path.name}: cases is empty"))
    first: dict[str, str] = {}
    for item in [i for i in loaded if isinstance(i, Case)]:
        if item.name in first:
            reason = (
                f"{item.file}: case name {item.name!r} is used twice (first in {first[item.name]})"
            )
            loaded.append(Broken(f"duplicate name {item.name} in {item.file}", reason))
        first.setdefault(item.name, item.file)
    return loaded


LOADED = load()


@pytest.mark.parametrize("item", LOADED, ids=[item.name for item in LOADED])
def test_vectors(item: Loaded) -> None:
    case = case_of(item)
    try:
        run_case(case.concept, case.body)
    except Malformed as exc:
        pytest.fail(f"{case.file}: case {case.name!r} is malformed: {exc}")
    except AssertionError as exc:
        pytest.fail(f"{case.file}: case {case.name!r}: {exc}")
