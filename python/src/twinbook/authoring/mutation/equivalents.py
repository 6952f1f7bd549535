"""The equivalent mutants of an exercise in one language: ``equivalent_mutants.toml``.

A mutant no test can tell from the solution (it behaves the same) is listed by its stable
id with a one-line reason a person wrote::

    [[equivalent]]
    mutant = "comparison: > -> >= #1"
    reason = "elapsed 0 adds 0 tokens either way"

Listed mutants are not run (``--run-equivalents`` runs them, to catch an entry that a test
now tells apart). An entry whose mutant no longer exists (the solution changed) is stale,
and one without a reason is incomplete: both fail the run.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "equivalent_mutants.toml"


@dataclass(frozen=True)
class Equivalent:
    """One entry: the mutant's stable id and why it behaves as the solution does."""

    mutant: str
    reason: str


def equivalents_path(language_dir: Path) -> Path:
    """Where an exercise's language folder keeps its list."""
    return language_dir / FILE_NAME


def load_equivalents(path: Path) -> list[Equivalent]:
    """The entries of ``path`` (none when there is no file); ValueError naming the file
    when it is not a list of ``[[equivalent]]`` tables with a ``mutant``."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from None
    entries = data.get("equivalent", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: `equivalent` must be a list of [[equivalent]] tables")
    found = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("mutant"), str):
            raise ValueError(f"{path}: entry {number} has no `mutant` id")
        reason = entry.get("reason", "")
        found.append(Equivalent(entry["mutant"], reason.strip() if isinstance(reason, str) else ""))
    return found
