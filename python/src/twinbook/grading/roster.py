"""The roster: which submission is which student.

A CSV file (UTF-8, a header line, ``#`` comments allowed)::

    submission,name,email
    alice,Alice Martin,alice@example.edu
    bob-smith.zip,Bob Smith,bob@example.edu

``submission`` is the entry's name in SUBMISSIONS (a ``.zip`` suffix may be left out) or
its safe id (:mod:`.ids`). The gradebook gains the name and email columns; submissions that
no roster line names and roster students without a submission are reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .csvfile import rows
from .formats import FormatError
from .ids import plain, safe_id


@dataclass(frozen=True)
class Student:
    submission: str  # the safe id the line maps to
    name: str
    email: str


def load_roster(path: Path) -> dict[str, Student]:
    """Safe id -> student; :class:`FormatError` naming file, line and field."""
    out: dict[str, Student] = {}
    for n, row in rows(path, ("submission", "name", "email")):
        sub = row["submission"]
        if not sub:
            raise FormatError(path, n, "submission", "empty")
        if sub.lower().endswith(".zip"):
            sub = sub[:-4]
        if not row["name"]:
            raise FormatError(path, n, "name", "empty")
        email = row["email"]
        if email and ("@" not in email or any(c.isspace() for c in email)):
            raise FormatError(path, n, "email", f"{plain(email)!r} is not an email address")
        key = safe_id(sub)
        if key in out:
            raise FormatError(path, n, "submission", f"{plain(sub)!r} appears twice")
        out[key] = Student(key, plain(row["name"]), plain(email))
    return out
