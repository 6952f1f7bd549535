"""The book's chapters and their parts, read from ``book/chapters.toml`` (the one list).

``book/conf.py`` turns them into ``twinbook_chapters`` (source pages, downloads), the chapter
template page shows them, and ``tests/book/test_chapter_template.py`` checks each part.
Standard library only, so the tests read the same list without Sphinx.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

CHAPTERS_FILE = Path(__file__).resolve().parents[1] / "chapters.toml"


@dataclass(frozen=True)
class Chapter:
    """One chapter's row of ``chapters.toml``; paths are from the repository root."""

    id: str
    title: str
    go: tuple[str, ...]
    python: tuple[str, ...]
    tests: tuple[str, ...]
    spec: str
    vectors: str
    benchmarks: tuple[str, ...]
    no_spec: str = ""

    @property
    def number(self) -> int:
        return int(self.id[2:4])

    def sphinx_config(self) -> dict[str, list[str]]:
        """The chapter's entry in ``twinbook_chapters`` (book/conf.py)."""
        return {"source": [*self.go, *self.python], "tests": list(self.tests)}


def load_chapters(path: Path = CHAPTERS_FILE) -> dict[str, Chapter]:
    """Every chapter of the list, by id, in the list's order; a ValueError on a bad row."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in fields(Chapter)} - {"id"}
    chapters = {}
    for chapter_id, row in data.items():
        unknown = set(row) - known
        if unknown:
            raise ValueError(f"{path}: [{chapter_id}]: unknown key(s) {sorted(unknown)}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in row.items()}
        try:
            chapters[chapter_id] = Chapter(id=chapter_id, **values)
        except TypeError as err:
            raise ValueError(f"{path}: [{chapter_id}]: {err}") from None
    return chapters
