"""Grading a class in slices (``--shard K/N``) and merging the slices back into one run.

The class is ordered by safe id (:mod:`.ids`) and student *i* (from 0) goes to shard
``i % N + 1``: the slices are deterministic, disjoint, cover the class, and stay balanced
whatever the ids look like. Every shard scans the whole of SUBMISSIONS first, so the
warnings about the class (ignored entries, roster and adjustment mismatches) are the same
in every shard.

Every OUT holds ``grades.json``: the grades themselves (no hidden test message is ever in
them, see :mod:`.grade`). ``twinbook grade merge OUT1 ... --out OUT`` reads those, checks
the shards graded the same exercises the same way, and writes every report from the union,
so the merged OUT is byte for byte what one run over the whole class writes.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .grade import (
    Adjustment,
    ClassGrade,
    ExerciseGrade,
    GradeSetupError,
    StudentGrade,
    TestGrade,
    load_solutions,
)
from .ids import plain
from .slices import class_warnings, select

__all__ = ["class_warnings", "merge", "parse_shard", "read_grades", "select", "to_json"]

GRADES_FILE = "grades.json"
FORMAT = 1


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` as (K, N) with 1 <= K <= N; :class:`GradeSetupError` otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise GradeSetupError(f"--shard {text!r}: expected K/N, e.g. 2/3 (the 2nd of 3 slices)")
    k, n = int(match.group(1)), int(match.group(2))
    if not 1 <= k <= n:
        raise GradeSetupError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


# --- grades.json ---------------------------------------------------------------------------


def to_json(grades: ClassGrade) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "columns": grades.column_keys(),
        "isolation": grades.isolation,
        "assignment": grades.assignment,
        "roster": grades.roster,
        "deadline": grades.deadline,
        "warnings": list(grades.warnings),
        "students": [
            {k: v for k, v in asdict(s).items() if k != "notebooks"}
            for s in sorted(grades.students, key=lambda s: s.student)
        ],
    }


def _student(data: dict[str, Any]) -> StudentGrade:
    exercises = [
        ExerciseGrade(**{**e, "tests": [TestGrade(**t) for t in e["tests"]]})
        for e in data["exercises"]
    ]
    adjustments = [Adjustment(**a) for a in data["adjustments"]]
    return StudentGrade(**{**data, "exercises": exercises, "adjustments": adjustments})


def read_grades(out: Path) -> dict[str, Any]:
    path = out / GRADES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GradeSetupError(
            f"{path}: not found: {out} is not the OUT of a twinbook grade run"
        ) from None
    except (OSError, ValueError) as exc:
        raise GradeSetupError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GradeSetupError(f"{path}: not a grades file of this twinbook version")
    return data


_SAME = ("columns", "isolation", "assignment", "roster", "deadline", "warnings")


def merge(outs: list[Path], solutions: Path) -> ClassGrade:
    """One class from the grades of several shard OUTs; :class:`GradeSetupError` when they do
    not fit together (other exercises, options or warnings, or a student twice)."""
    if not outs:
        raise GradeSetupError("merge: name at least one shard OUT")
    shards = [read_grades(o) for o in outs]
    first = shards[0]
    for out, data in zip(outs[1:], shards[1:], strict=True):
        for key in _SAME:
            if data.get(key) != first.get(key):
                raise GradeSetupError(
                    f"merge: {out} and {outs[0]} differ in {key}: they are not shards of one run"
                )
    students: dict[str, StudentGrade] = {}
    for out, data in zip(outs, shards, strict=True):
        for raw in data["students"]:
            try:
                student = _student(raw)
            except (TypeError, KeyError) as exc:
                raise GradeSetupError(
                    f"{out / GRADES_FILE}: a student cannot be read ({exc})"
                ) from None
            if student.student in students:
                raise GradeSetupError(f"merge: {plain(student.student)} appears in two shards")
            students[student.student] = student
    keys = first["columns"]
    ids = sorted({k.rsplit(":", 1)[0] for k in keys})
    pairs = {f"{ex.id}:{lang}": (ex, lang) for ex, lang in load_solutions(solutions, ids)}
    missing = [k for k in keys if k not in pairs]
    if missing:
        raise GradeSetupError(f"merge: {', '.join(missing)} not found in {solutions}")
    return ClassGrade(
        [students[s] for s in sorted(students)],
        [pairs[k] for k in keys],
        list(first["warnings"]),
        first["isolation"],
        assignment=first["assignment"],
        roster=first["roster"],
        deadline=first["deadline"],
    )
