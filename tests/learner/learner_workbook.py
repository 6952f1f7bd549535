"""Helpers for the learner tools' tests: fill in a learner's answers from solutions/ and read
the workbook's progress. A module of its own (not conftest) so that tests import it by a
name no other test folder uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.repo import ROOT, SOLUTIONS

MARKERS = {"# BEGIN SOLUTION", "# END SOLUTION", "// BEGIN SOLUTION", "// END SOLUTION"}
WORKER_POOL = "ch01-concurrency/01-worker-pool"


def _answer_cells(nb: dict) -> list[dict]:
    return [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code"
        and (c.get("metadata", {}).get("twinbook") or {}).get("role") == "answer"
    ]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def solution_answers(ex_id: str, language: str) -> list[str]:
    """The answer cells of the solution notebook, marker lines removed."""
    folder = SOLUTIONS / ex_id / language
    nb = json.loads(next(folder.glob("*.ipynb")).read_text(encoding="utf-8"))
    return [
        "\n".join(line for line in _source(c).split("\n") if line.strip() not in MARKERS)
        for c in _answer_cells(nb)
    ]


def fill_in(
    exercises: Path,
    ex_id: str,
    language: str,
    answers: list[str] | None = None,
    replace: dict | None = None,
) -> Path:
    """Save the learner's notebook with ``answers`` (default: the solution's) in its answer
    cells, each ``old`` text of ``replace`` replaced by its new text. Returns its path."""
    answers = solution_answers(ex_id, language) if answers is None else answers
    changes = replace or {}
    path = next((exercises / ex_id / language).glob("*.ipynb"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = _answer_cells(nb)
    assert len(cells) == len(answers), (
        "the learner's notebook and the solution differ in answer cells"
    )
    for cell, answer in zip(cells, answers, strict=True):
        for old, new in changes.items():
            assert old in answer, f"{old!r} is not in the answer of {ex_id} ({language})"
            answer = answer.replace(old, new)
        cell["source"] = answer
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


CHAPTER = "ch01-concurrency"


def bar(exercises: Path, python: int = 0, go: int = 0) -> str:
    """The counts of the workbook's progress line, e.g. `` 1/8 done (python 1/4 · go 0/4)``."""
    from twinbook.exercises import find_exercises

    found = find_exercises(exercises)
    n_py = sum("python" in ex.languages for ex in found)
    n_go = sum("go" in ex.languages for ex in found)
    return f" {python + go}/{n_py + n_go} done (python {python}/{n_py} · go {go}/{n_go})"


def pairs(exercises: Path) -> list[tuple[str, str]]:
    """(exercise id, language) of the workbook, in workbook order."""
    from twinbook.exercises import find_exercises

    return [(ex.id, lang) for ex in find_exercises(exercises) for lang in ex.languages]


def state(exercises: Path) -> dict:
    return json.loads((exercises / ".twinbook" / "progress.json").read_text(encoding="utf-8"))


def edition_twinbook(
    edition: Path, *args: str, columns: int = 120
) -> subprocess.CompletedProcess[str]:
    """A released edition's own twinbook (its python/src first on the path), run inside it."""
    env = dict(os.environ, PYTHONPATH=str(edition / "python" / "src"), COLUMNS=str(columns))
    return subprocess.run(
        [sys.executable, "-m", "twinbook.cli", *args],
        cwd=edition,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def make_release(site: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``make release`` into ``out`` with the book copied from ``site`` (no setup run)."""
    proc = subprocess.run(
        ["make", "-o", "setup", "release", f"OUT={out}", f"RELEASE_ARGS=--book-from {site}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc
