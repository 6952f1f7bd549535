"""The book includes listings from these files by marker: the markers must hold up."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_markers import regions

import twinbook.concurrency

PACKAGE = Path(twinbook.concurrency.__file__).parent

# The listings the book's chapter 1 asks for, by file.
REQUIRED = {
    "pool.py": {"pool-ordered", "pool-as-completed"},
    "aio/pool.py": {"aio-pool-ordered"},
    "pipeline.py": {"pipeline-stage"},
    "aio/pipeline.py": {"aio-pipeline-stage"},
    "fanout.py": {"merge", "fan-out"},
    "aio/fanout.py": {"aio-merge", "aio-fan-out"},
    "group.py": {"group-go", "group-wait"},
    "aio/group.py": {"aio-group"},
    "ratelimit.py": {"limiter-allow", "limiter-wait", "limiter-wait-async"},
}


@pytest.mark.parametrize("filename", sorted(REQUIRED))
def test_required_listings_exist_and_are_short(filename: str) -> None:
    found = regions(PACKAGE / filename)
    assert REQUIRED[filename] <= found.keys()
    for name, lines in found.items():
        assert 5 <= len(lines) <= 30, f"{filename}: {name} has {len(lines)} lines"
        assert lines[-1].strip(), f"{filename}: {name} ends with a blank line"


def test_no_other_file_has_broken_markers() -> None:
    for path in PACKAGE.rglob("*.py"):
        regions(path)
