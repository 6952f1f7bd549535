"""The fixed sample of mutants ``make test`` runs: a few per exercise and language.

A full run takes minutes (``make mutate``); CI runs a sample that a weakened test would let
through. The sample is chosen from a full run and kept in a file
(``tests/exercises/mutation_sample.toml``), so it is the same on every run::

    ["ch01-concurrency/04-rate-limiter".python]
    mutants = ["comparison: self._tokens < 1 -> self._tokens <= 1 #1", ...]

Per pair it is the first :data:`SIZE` mutants, in the order of a hash of their stable ids
(:meth:`~.runner.Plan.candidates`), that the run found killed within :data:`FAST` seconds:
a mutant the tests catch only by waiting out their own timeouts would make CI slow, and
one that survives is the full run's finding, not CI's.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from .runner import KILLED, PairResult

#: mutants per exercise and language
SIZE = 3
#: seconds a sampled mutant's check took at most in the full run
FAST = 3.0


def choose(result: PairResult, size: int = SIZE, fast: float = FAST) -> list[str]:
    """The sample of one pair from its full run."""
    quick = {o.mutant.id for o in result.outcomes if o.status == KILLED and o.seconds <= fast}
    return [m.id for m in result.plan.candidates() if m.id in quick][:size]


def read_sample(path: Path) -> dict[tuple[str, str], list[str]]:
    """(exercise id, language) -> the sampled mutants' ids; empty when there is no file."""
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        (exercise, language): list(entry.get("mutants", []))
        for exercise, languages in data.items()
        for language, entry in languages.items()
    }


def write_sample(path: Path, chosen: dict[tuple[str, str], list[str]]) -> None:
    """Merge ``chosen`` into the file (the pairs not run keep their sample)."""
    sample = {**read_sample(path), **chosen}
    lines = [
        "# The mutants `make test` runs per exercise and language "
        "(tests/exercises/test_mutation_sample.py).",
        "# Written by `twinbook dev mutate --write-sample PATH` from a full run: the first "
        f"{SIZE} in the order",
        f"# of a hash of their ids that the run found killed within {FAST:g}s.",
    ]
    for exercise, language in sorted(sample):
        lines += ["", f"[{json.dumps(exercise)}.{language}]", "mutants = ["]
        lines += [f"  {json.dumps(i, ensure_ascii=False)}," for i in sample[exercise, language]]
        lines.append("]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
