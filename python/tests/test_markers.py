"""The book shows each chapter's code by marker regions: they must hold up.

One test for every chapter of ``book/chapters.toml``, so a new chapter is checked as soon as
it is listed there. The rules and the parser are shared (``python/tests/docs_markers.py``);
the names come from the book's pages alone. Go's ``//`` regions are checked like Python's
``#`` ones. Each file is a test of its own, named by its path from the repository root.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_markers import ROOT, chapter_files, load_chapters, malformed, unshown

FILES = sorted({path for chapter in load_chapters() for path in chapter_files(chapter)})


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_regions_are_well_formed_and_short(path: Path) -> None:
    assert not malformed(path)


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_every_region_is_shown_by_a_page(path: Path) -> None:
    assert not unshown(path)
