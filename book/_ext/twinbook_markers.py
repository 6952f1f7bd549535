"""Marker regions: the parts of a Go or Python source file that the book may show.

A region is the lines between ``docs:start NAME`` and ``docs:end NAME`` comment lines,
written with the language's own line comment (``//`` in Go, ``#`` in Python) and nothing
else on the line. This is the one parser of them: the book's ``listing`` directive uses it
to refuse a listing whose marker is missing, and the marker tests use it to check every
region in the code. It depends on the standard library only, so both can import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: The line comment of each language the book cuts listings from, by file suffix (YAML for
#: the grading workflow the instructors' page shows).
COMMENT = {".go": "//", ".py": "#", ".yml": "#", ".yaml": "#"}
#: Marker names: kebab-case, as in the pages' ``listing`` lines.
NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: Any mention of a marker keyword; a line that has one must be a well-formed marker line,
#: or Sphinx (which cuts at the first line *containing* the text) could cut in the wrong place.
_MENTION = re.compile(r"docs:(?:start|end)\b")


#: A region long enough to say something and short enough to read in one screen, the
#: same in both languages: a Go region that needs more is two listings, or leaves out
#: what the prose does not discuss.
MIN_LINES = 5
MAX_LINES = 30


def line_limits(suffix: str, name: str) -> tuple[int, int]:
    """The fewest and the most lines region ``name`` may have in a ``suffix`` file."""
    return MIN_LINES, MAX_LINES


class MarkerError(ValueError):
    """A file's markers are malformed; the message starts with ``file:line``."""


@dataclass(frozen=True)
class Region:
    """One region: its name, the line numbers of its two markers, and the lines between.

    ``lines`` leaves out blank lines just after the start marker and just before the end
    marker: ruff format puts two blank lines between a top-level definition and a comment
    after it, Go needs one between a marker and a doc comment (or the marker would join
    the doc comment), and the book's highlighter strips them from the listing, so they
    are not part of what a reader sees.
    """

    name: str
    start: int
    end: int
    lines: tuple[str, ...]


def marker_line(suffix: str) -> re.Pattern[str]:
    """The pattern of a marker line in a file with this suffix (``.go``, ``.py``)."""
    comment = COMMENT.get(suffix)
    if comment is None:
        raise MarkerError(f"no marker syntax for {suffix!r} files (only {sorted(COMMENT)})")
    return re.compile(rf"^\s*{re.escape(comment)} docs:(start|end) (\S+)\s*$")


def start_text(name: str) -> str:
    """The text a ``literalinclude`` cuts after (``:start-after:``) for region ``name``."""
    return f"docs:start {name}"


def end_text(name: str) -> str:
    """The text a ``literalinclude`` cuts before (``:end-before:``) for region ``name``."""
    return f"docs:end {name}"


def regions(path: Path) -> dict[str, Region]:
    """Every region of ``path`` by name; a :class:`MarkerError` on any misuse.

    Misuse: a region started inside another, a name that is not kebab-case or is used
    twice in the file, an end that is not the open region's, a region left open, and a
    line that mentions ``docs:start`` / ``docs:end`` without being a marker line.
    """
    pattern = marker_line(path.suffix)
    found: dict[str, Region] = {}
    open_name: str | None = None
    open_line = 0
    body: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path}:{number}"
        match = pattern.match(line)
        if match is None:
            if _MENTION.search(line):
                raise MarkerError(
                    f"{where}: {line.strip()!r} mentions a marker but is not a marker line "
                    f"('{COMMENT[path.suffix]} docs:start NAME' alone on its line)"
                )
            if open_name is not None:
                body.append(line)
            continue
        kind, name = match.groups()
        if kind == "start":
            if open_name is not None:
                raise MarkerError(f"{where}: {name} starts inside {open_name}")
            if not NAME.fullmatch(name):
                raise MarkerError(f"{where}: marker {name!r} is not kebab-case")
            if name in found:
                raise MarkerError(f"{where}: marker {name!r} is used twice in the file")
            open_name, open_line, body = name, number, []
            continue
        if name != open_name:
            raise MarkerError(f"{where}: end of {name!r}, but the open region is {open_name!r}")
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        found[name] = Region(name, open_line, number, tuple(body))
        open_name = None
    if open_name is not None:
        raise MarkerError(f"{path}:{open_line}: region {open_name!r} never ends")
    return found
