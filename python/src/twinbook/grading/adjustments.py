"""Points given or taken by hand, with the reason the student sees.

A CSV file (UTF-8, a header line, ``#`` comments allowed)::

    student,exercise,points,reason
    alice,ch01-concurrency/01-worker-pool:python,+1,clean design beyond the tests
    bob,01-worker-pool:go,-2,copied from a classmate (see email of 3 Dec)
    cy,,2,late enrolment: extra credit

``student`` is a submission name or safe id; ``exercise`` an exercise id or ``NN-slug``
with ``:python`` or ``:go``, or empty for the whole submission; ``points`` a number
(negative removes); ``reason`` is required. Adjustments add to the exercise's points in the
gradebook and appear, with their reason, in the student's feedback.
"""

from __future__ import annotations

import math
from pathlib import Path

from .csvfile import rows
from .formats import FormatError
from .grade import Adjustment
from .ids import plain, safe_id


def load_adjustments(path: Path, columns: list[str]) -> dict[str, list[Adjustment]]:
    """Safe id -> adjustments, in file order; ``columns`` are the graded exercise keys
    (``id:language``), to resolve ``NN-slug:language`` and refuse unknown exercises."""
    out: dict[str, list[Adjustment]] = {}
    for n, row in rows(path, ("student", "exercise", "points", "reason")):
        if not row["student"]:
            raise FormatError(path, n, "student", "empty")
        key = _exercise(path, n, row["exercise"], columns)
        try:
            points = float(row["points"])
        except ValueError:
            raise FormatError(
                path, n, "points", f"{plain(row['points'])!r} is not a number"
            ) from None
        if not math.isfinite(points):
            raise FormatError(path, n, "points", "must be a finite number")
        if not row["reason"]:
            raise FormatError(path, n, "reason", "empty: say why (the student sees it)")
        student = row["student"]
        student = safe_id(student[:-4] if student.lower().endswith(".zip") else student)
        out.setdefault(student, []).append(Adjustment(key, points, plain(row["reason"])))
    return out


def _exercise(path: Path, line: int, text: str, columns: list[str]) -> str:
    if not text:
        return ""
    ex, sep, lang = text.rpartition(":")
    if not sep or lang not in ("python", "go"):
        raise FormatError(
            path, line, "exercise", f"{plain(text)!r}: expected <exercise>:python or <exercise>:go"
        )
    match = [k for k in columns if k == text or k.split("/", 1)[-1] == f"{ex}:{lang}"]
    if len(match) != 1:
        raise FormatError(
            path,
            line,
            "exercise",
            f"{plain(text)!r} is not graded here (graded: {', '.join(columns)})",
        )
    return match[0]
