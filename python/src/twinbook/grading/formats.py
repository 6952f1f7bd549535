"""The instructor's files (roster, adjustments, assignment): one error type that names the
file, the line and the field, so that a typo is found without guessing."""

from __future__ import annotations

from pathlib import Path


class FormatError(ValueError):
    """A file of the instructor's that cannot be used; ``str()`` is the whole message."""

    def __init__(self, path: Path | str, line: int | None, field: str | None, message: str):
        where = str(path) + (f":{line}" if line else "")
        what = f" ({field})" if field else ""
        super().__init__(f"{where}{what}: {message}")
