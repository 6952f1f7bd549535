"""The book includes chapter 2's listings by marker: the markers must hold up.

Same rules as chapter 1 (``python/tests/concurrency/test_markers.py``):
``# docs:start NAME`` / ``# docs:end NAME``, kebab-case names unique per file,
5 to 30 lines, no trailing blank line, nothing left open.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import twinbook.breaker
import twinbook.resilience

PACKAGES = [Path(twinbook.breaker.__file__).parent, Path(twinbook.resilience.__file__).parent]
MARKER = re.compile(r"^\s*# docs:(start|end) (\S+)\s*$")

# The listings chapter 2's page asks for, by file.
REQUIRED = {
    "breaker/window.py": {"count-window", "time-window"},
    "breaker/breaker.py": {"apply-due", "transition", "acquire", "finish", "record", "call", "call-async"},
    "resilience/retry.py": {"backoff", "retry"},
    "resilience/compose.py": {"compose"},
}


def regions(path: Path) -> dict[str, list[str]]:
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
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), f"{where}: {name} is not kebab-case"
            assert name not in found, f"{where}: {name} used twice"
            open_name, found[name] = name, []
        else:
            assert name == open_name, f"{where}: end of {name}, but {open_name} is open"
            open_name = None
    assert open_name is None, f"{path.name}: {open_name} never ends"
    return found


@pytest.mark.parametrize("path", sorted(p for pkg in PACKAGES for p in pkg.glob("*.py")), ids=str)
def test_markers_are_well_formed_and_short(path: Path) -> None:
    for name, lines in regions(path).items():
        assert 5 <= len(lines) <= 30, f"{path.name}: {name} has {len(lines)} lines"
        assert lines[-1].strip(), f"{path.name}: {name} ends with a blank line"


@pytest.mark.parametrize("relative", sorted(REQUIRED))
def test_required_listings_exist(relative: str) -> None:
    root = PACKAGES[0].parent
    assert REQUIRED[relative] <= regions(root / relative).keys()
