"""The book includes listings by ``# docs:start NAME`` / ``# docs:end NAME`` markers; the
marker tests of every chapter read them with this one parser."""

from __future__ import annotations

import re
from pathlib import Path

MARKER = re.compile(r"^\s*# docs:(start|end) (\S+)\s*$")


def regions(path: Path) -> dict[str, list[str]]:
    """Map each marker name to the lines between its start and end; fail on any misuse."""
    found: dict[str, list[str]] = {}
    open_name: str | None = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = MARKER.match(line)
        if match is None:
            if open_name is not None:
                found[open_name].append(line)
            continue
        kind, name = match.groups()
        where = f"{path.name}:{number}"
        if kind == "start":
            assert open_name is None, f"{where}: {name} starts inside {open_name}"
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), (
                f"{where}: {name} is not kebab-case"
            )
            assert name not in found, f"{where}: {name} used twice"
            open_name, found[name] = name, []
        else:
            assert name == open_name, f"{where}: end of {name}, but {open_name} is open"
            # The formatter puts two blank lines between a top-level definition and the end
            # marker after it; the book's highlighter strips them, so the region does too.
            while found[name] and not found[name][-1].strip():
                found[name].pop()
            open_name = None
    assert open_name is None, f"{path.name}: {open_name} never ends"
    return found
