"""When a submission was made, and whether that was after the deadline.

The time of a submission is, in this order:

1. the first line of a file ``submitted-at.txt`` at the top of the submission (or inside
   its one wrapping folder), an ISO 8601 time with a zone, e.g.
   ``2026-12-01T23:59:00+01:00`` (what an export script or the learning platform writes);
2. otherwise the newest modification time of the exercise notebooks that were read: the
   file's time in a folder, the member's time in a zip (zip times have no zone and are
   read as UTC).

A deadline is an ISO 8601 time with a zone (``--deadline 2026-12-01T23:59:00+00:00``); a
submission is late when its time is strictly after it. A submission without any time is
never marked late (and the feedback says its time is unknown).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .submissions import Submission

STAMP_FILE = "submitted-at.txt"


class DeadlineError(ValueError):
    """A time that cannot be read (the message names where it came from)."""


def parse_time(text: str, where: str) -> datetime:
    """An aware datetime from ISO 8601 text; a time without a zone is refused."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DeadlineError(
            f"{where}: {text.strip()[:60]!r} is not an ISO 8601 time (e.g. 2026-12-01T23:59:00+00:00)"
        ) from None
    if when.tzinfo is None:
        raise DeadlineError(f"{where}: {text.strip()[:60]!r} has no time zone (add +00:00 or Z)")
    return when


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def submission_time(sub: Submission) -> tuple[str, str] | None:
    """(UTC time as ISO 8601, its source) of a submission, or None when it has none."""
    for root in ("", *[r for r in sub.roots() if r and not r.endswith("exercises/")]):
        rel = root + STAMP_FILE
        if sub.exists(rel):
            try:
                text = sub.read(rel).decode("utf-8", "replace")
                first = text.strip().splitlines()[0] if text.strip() else ""
                return iso(parse_time(first, rel)), rel
            except Exception:  # unreadable stamp: fall back to the files' times
                break
    times = [t for t in (sub.mtime(p) for p in sub.read_paths) if t is not None]
    if not times:
        return None
    return iso(datetime.fromtimestamp(max(times), UTC)), "file times"


def is_late(submitted: str, deadline: datetime | None) -> bool:
    if deadline is None or not submitted:
        return False
    return parse_time(submitted.replace("Z", "+00:00"), "submission") > deadline
