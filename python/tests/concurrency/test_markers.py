"""The book includes listings from these files by marker: the markers must hold up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import twinbook.concurrency

PACKAGE = Path(twinbook.concurrency.__file__).parent
MARKER = re.compile(r"^\s*# docs:(start|end) (\S+)\s*$")

# The listings the book's chapter 1 asks for, by file.
REQUIRED = {
    "pool.py": {"pool-ordered", "pool-as-completed"},
    "aio_pool.py": {"aio-pool-ordered"},
    "pipeline.py": {"pipeline-stage"},
    "aio_pipeline.py": {"aio-pipeline-stage"},
    "fanout.py": {"merge", "fan-out"},
    "aio_fanout.py": {"aio-merge", "aio-fan-out"},
    "group.py": {"group-go", "group-wait"},
    "aio_group.py": {"aio-group"},
    "ratelimit.py": {"limiter-allow", "limiter-wait", "limiter-wait-async"},
}


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
            open_name = None
    assert open_name is None, f"{path.name}: {open_name} never ends"
    return found


@pytest.mark.parametrize("filename", sorted(REQUIRED))
def test_required_listings_exist_and_are_short(filename: str) -> None:
    found = regions(PACKAGE / filename)
    assert REQUIRED[filename] <= found.keys()
    for name, lines in found.items():
        assert 5 <= len(lines) <= 30, f"{filename}: {name} has {len(lines)} lines"
        assert lines[-1].strip(), f"{filename}: {name} ends with a blank line"


def test_no_other_file_has_broken_markers() -> None:
    for path in PACKAGE.glob("*.py"):
        regions(path)
