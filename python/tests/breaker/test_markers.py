"""The book includes chapter 2's listings by marker: the markers must hold up.

Same rules as chapter 1 (``python/tests/concurrency/test_markers.py``):
``# docs:start NAME`` / ``# docs:end NAME``, kebab-case names unique per file,
5 to 30 lines, no trailing blank line, nothing left open.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_markers import regions

import twinbook.breaker
import twinbook.resilience

PACKAGES = [Path(twinbook.breaker.__file__).parent, Path(twinbook.resilience.__file__).parent]

# The listings chapter 2's page asks for, by file.
REQUIRED = {
    "breaker/window.py": {"count-window", "time-window"},
    "breaker/breaker.py": {
        "apply-due",
        "transition",
        "acquire",
        "finish",
        "record",
        "call",
        "call-async",
    },
    "resilience/retry.py": {"backoff", "retry"},
    "resilience/stack.py": {"compose"},
}


@pytest.mark.parametrize("path", sorted(p for pkg in PACKAGES for p in pkg.rglob("*.py")), ids=str)
def test_markers_are_well_formed_and_short(path: Path) -> None:
    for name, lines in regions(path).items():
        assert 5 <= len(lines) <= 30, f"{path.name}: {name} has {len(lines)} lines"
        assert lines[-1].strip(), f"{path.name}: {name} ends with a blank line"


@pytest.mark.parametrize("relative", sorted(REQUIRED))
def test_required_listings_exist(relative: str) -> None:
    root = PACKAGES[0].parent
    assert REQUIRED[relative] <= regions(root / relative).keys()
