"""The slices of a class for ``--shard K/N`` and the warnings every slice shares.

A module apart from :mod:`.shards` (which reads and merges grades) so that :mod:`.grade`
can use it without an import cycle. The class is ordered by safe id and student *i*
(from 0) goes to shard ``i % N + 1``.
"""

from __future__ import annotations

from typing import Any

from .submissions import Entry


def select(entries: list[Entry], shard: tuple[int, int] | None) -> list[Entry]:
    """This shard's students, in the class's order."""
    if shard is None:
        return entries
    k, n = shard
    return entries[k - 1 :: n]


def class_warnings(
    entries: list[Entry], roster: dict[str, Any] | None, adjustments: dict[str, Any] | None
) -> list[str]:
    """What the roster and the adjustments say that the submissions do not (whole class)."""
    ids = {e.student for e in entries}
    out = []
    if roster is not None:
        out += [
            f"roster: submission {e.student} is not in the roster"
            for e in entries
            if e.student not in roster
        ]
        out += [
            f"roster: no submission from {who.name} ({sid})"
            for sid, who in sorted(roster.items())
            if sid not in ids
        ]
    if adjustments:
        out += [
            f"adjustments: {sid}: no such submission (its adjustments are not used)"
            for sid in sorted(adjustments)
            if sid not in ids
        ]
    return out
