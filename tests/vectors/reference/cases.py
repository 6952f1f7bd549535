"""What the reference models and their tests share: the vector files, their errors, the CLI.

Each model (``breaker_model.py``, ``limiter_model.py``) replays one concept's cases; reading
a concept's files, failing a file that is not one of them, and the models' command line
(``python tests/vectors/reference/CONCEPT_model.py FILE...``) are the same for every concept,
so they are written once here. The tests load a model with :func:`load_model` and its cases
with :func:`file_cases`.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

REFERENCE = Path(__file__).resolve().parent
VECTORS = REFERENCE.parent
FILE_KEYS = {"concept", "cases"}


class VectorError(Exception):
    """A malformed vector (unknown op or key, bad field): the case fails."""


class Mismatch(AssertionError):
    """An expectation that the model does not meet."""


def load_cases(path: Path, concept: str) -> list[dict[str, Any]]:
    """The cases of one vector file of ``concept``; :class:`VectorError` if it is not one."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if (
        not isinstance(data, dict)
        or set(data) != FILE_KEYS
        or data["concept"] != concept
        or not isinstance(data["cases"], list)
    ):
        raise VectorError(f"{path}: not a {concept} vector file")
    return data["cases"]


def vector_files(concept: str) -> list[Path]:
    """The repository's vector files of ``concept`` (``tests/vectors/CONCEPT/*.json``), sorted."""
    return sorted((VECTORS / concept).glob("*.json"))


def file_cases(concept: str) -> list[tuple[str, dict[str, Any]]]:
    """Every case of the concept's files as (file name, case), in file then case order."""
    return [
        (path.name, case) for path in vector_files(concept) for case in load_cases(path, concept)
    ]


def duplicate_names(cases: Sequence[tuple[str, dict[str, Any]]]) -> list[str]:
    """The case names that stand more than once among ``cases`` (across files too)."""
    counts = Counter(case["name"] for _, case in cases)
    return [name for name, n in counts.items() if n > 1]


def first_case(cases: Sequence[tuple[str, dict[str, Any]]], prefix: str) -> dict[str, Any]:
    """A deep copy of the first case whose name starts with ``prefix``, free to be broken."""
    return copy.deepcopy(next(case for _, case in cases if case["name"].startswith(prefix)))


def cases_catching(
    model: ModuleType, mutant: type, cases: Sequence[tuple[str, dict[str, Any]]]
) -> list[str]:
    """The cases that a copy of the model with one rule broken (``mutant``) fails, as
    ``file: name``: an empty list means no vector pins that rule."""
    caught = []
    for file, case in cases:
        try:
            model.run_case(case, mutant)
        except model.Mismatch:
            caught.append(f"{file}: {case['name']}")
    return caught


def load_script(file: str, name: str) -> ModuleType:
    """A file of this folder, loaded by path (the folder is not a package: its files run as
    scripts) under ``name``, once, so that every test and tool that asks shares one module."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REFERENCE / file)
        assert spec is not None and spec.loader is not None, file
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up by name
        spec.loader.exec_module(module)
    return sys.modules[name]


def load_model(concept: str) -> ModuleType:
    """``CONCEPT_model.py`` (see :func:`load_script`)."""
    return load_script(f"{concept}_model.py", f"twinbook_{concept}_reference_model")


def main(
    argv: list[str],
    concept: str,
    run_case: Callable[[dict[str, Any]], int],
    load: Callable[[Path], list[dict[str, Any]]] | None = None,
) -> int:
    """Replay every case of the files named in ``argv``; print each failure, then a summary.

    ``load`` reads one file (default: :func:`load_cases` for ``concept``); a file it refuses
    is printed as a failure under its name, and the other files still run.
    """
    failed = 0
    for arg in argv:
        try:
            found = load(Path(arg)) if load else load_cases(Path(arg), concept)
        except (VectorError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            failed += 1
            print(f"FAIL {arg}: {exc}")
            continue
        for case in found:
            try:
                run_case(case)
            except (VectorError, Mismatch, KeyError) as exc:
                failed += 1
                print(f"FAIL {arg}: {exc}")
    print("ok" if not failed else f"{failed} case(s) failed")
    return 1 if failed else 0
