"""Reading the instructor's CSV files with errors that name file, line and field."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from .formats import FormatError


def rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a UTF-8 CSV file with a header line naming ``required`` (and
    maybe ``optional``) columns; values are stripped. Blank lines and lines starting with
    ``#`` are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FormatError(path, None, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(path, None, None, f"cannot be read ({exc})") from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise FormatError(path, None, None, f"empty: expected a header line {','.join(required)}")
    header_line, header = lines[0]
    names = [h.strip() for h in next(csv.reader([header]))]
    for name in required:
        if name not in names:
            raise FormatError(
                path,
                header_line,
                name,
                f"missing column (the header must name {', '.join(required)})",
            )
    for name in names:
        if name not in required + optional:
            raise FormatError(
                path, header_line, name, f"unknown column (known: {', '.join(required + optional)})"
            )
    for n, line in lines[1:]:
        values = next(csv.reader([line]))
        if len(values) != len(names):
            raise FormatError(path, n, None, f"{len(values)} fields, the header has {len(names)}")
        yield n, {k: v.strip() for k, v in zip(names, values, strict=True)}
