"""Find and load a concept's conformance vectors, the same way for every Python runner.

The rule (``tests/vectors/README.md``, shared with the Go runners' ``testutil.ForEachCase``):
every ``*.json`` of ``$TWINBOOK_VECTORS_DIR/CONCEPT/`` when that variable is set and not
empty, else of the repository's ``tests/vectors/CONCEPT/``; one test per case, named by the
case. A file that cannot be read, or is not a vector file of the concept, is a failing test
of its own, and so is a folder without a case, so a broken file never passes by going
unnoticed. How a case's steps are checked is each concept's runner's business.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS_ENV = "TWINBOOK_VECTORS_DIR"
FILE_KEYS = {"concept", "cases"}


def vectors_dir(concept: str) -> Path:
    """``$TWINBOOK_VECTORS_DIR/CONCEPT`` when the variable is set, else the repository's own."""
    root = os.environ.get(VECTORS_ENV)
    return (Path(root) if root else ROOT / "tests" / "vectors") / concept


@dataclass(frozen=True)
class Case:
    """One case, as its runner gets it: the file it came from, its test id, its JSON body."""

    file: str
    name: str
    body: Mapping[str, Any]
    concept: str = field(default="", compare=False)


@dataclass(frozen=True)
class Broken:
    """A file or folder that yields no case: the test named ``name`` fails with ``reason``."""

    name: str
    reason: str


Loaded = Case | Broken


def _file_cases(path: Path, concepts: Collection[str]) -> tuple[str, list[Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if unknown := set(data) - FILE_KEYS:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    concept = data.get("concept")
    if concept not in concepts:
        want = " or ".join(repr(c) for c in sorted(concepts))
        raise ValueError(f"concept is {concept!r}, expected {want}")
    cases = data.get("cases")
    if not isinstance(cases, list):
        raise ValueError("cases is not a list")
    return concept, cases


def load_cases(
    concept: str, directory: Path | None = None, *, concepts: Collection[str] = ()
) -> list[Loaded]:
    """Every case of every ``*.json`` file of ``directory`` (default: :func:`vectors_dir`),
    in file then case order; a file that does not load, or a folder without cases, as a
    :class:`Broken`. A case without a name is called ``FILE-STEM[INDEX]`` (its runner fails it).
    ``concept`` names the folder; a folder holding files of several concepts (chapter 4's
    ``avro/``) lists them in ``concepts``, and each case carries its file's.
    """
    directory = vectors_dir(concept) if directory is None else directory
    accepted = set(concepts) or {concept}
    loaded: list[Loaded] = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            file_concept, cases = _file_cases(path, accepted)
        except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            loaded.append(Broken(f"broken file {path.name}", f"{path.name}: {exc}"))
            continue
        for index, case in enumerate(cases):
            name = case.get("name") if isinstance(case, dict) else None
            loaded.append(Case(path.name, name or f"{path.stem}[{index}]", case, file_concept))
    if not any(isinstance(item, Case) for item in loaded):
        loaded.append(
            Broken(
                f"no vectors in {directory}", f"no *.json vector files with cases in {directory}"
            )
        )
    return loaded


def vector_cases(concept: str) -> pytest.MarkDecorator:
    """Parametrize a test's ``item`` over the concept's cases, one test per case named by it."""
    loaded = load_cases(concept)
    return pytest.mark.parametrize("item", loaded, ids=[item.name for item in loaded])


def case_of(item: Loaded) -> Case:
    """The case to run, or the test fails for the broken file or empty folder it stands for."""
    if isinstance(item, Broken):
        pytest.fail(item.reason)
    return item
