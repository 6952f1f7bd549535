"""The book shows chapter 2's code by marker regions: they must hold up.

The rules and the parser are shared (``python/tests/docs_markers.py``); the names come
from the book's pages alone. Go's ``//`` regions are checked like Python's ``#`` ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_markers import ROOT, chapter_files, malformed, unshown

FILES = chapter_files("ch02-circuit-breaker")


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_regions_are_well_formed_and_short(path: Path) -> None:
    assert not malformed(path)


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_every_region_is_shown_by_a_page(path: Path) -> None:
    assert not unshown(path)
