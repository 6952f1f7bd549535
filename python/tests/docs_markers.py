"""The marker tests' rules, on the book's own parsers.

The book cuts its listings out of go/ and python/ by ``// docs:start NAME`` /
``# docs:start NAME`` marker regions. The pages are the only list of the names: this
module reads them (``book/_ext/twinbook_pages.py``) and the code's regions
(``book/_ext/twinbook_markers.py``, the one marker parser, which the build uses too), and
``python/tests/test_markers.py`` applies the rules below to every chapter's files, which
come from ``book/chapters.toml``.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
if str(BOOK / "_ext") not in sys.path:
    sys.path.insert(0, str(BOOK / "_ext"))

from twinbook_chapters import load_chapters  # noqa: E402
from twinbook_markers import COMMENT, MarkerError, line_limits, regions  # noqa: E402
from twinbook_pages import book_pages, page_cuts  # noqa: E402


def chapter_files(chapter: str) -> list[Path]:
    """Every Go and Python file of the chapter's packages and test folders."""
    ch = load_chapters()[chapter]
    files: set[Path] = set()
    for folder in (*ch.go, *ch.python, *ch.tests):
        files.update(
            f for f in (ROOT / folder).iterdir() if f.is_file() and f.suffix in (".go", ".py")
        )
    assert files, f"{chapter}: no Go or Python files in its folders"
    return sorted(files)


@cache
def shown() -> dict[Path, frozenset[str]]:
    """The regions the book's pages show, by file."""
    found: dict[Path, set[str]] = {}
    for page in book_pages(BOOK):
        for cut in page_cuts(page, BOOK):
            if cut.marker:
                found.setdefault(cut.file, set()).add(cut.marker)
    return {file: frozenset(names) for file, names in found.items()}


def malformed(path: Path) -> list[str]:
    """What is wrong with the file's regions: the parser's error (a region started inside
    another, not kebab-case, a name used twice, an end without its start, a region left
    open), or a region shorter or longer than ``twinbook_markers.line_limits`` allows."""
    assert path.suffix in COMMENT, path
    try:
        found = regions(path)
    except MarkerError as err:
        return [str(err)]
    wrong = []
    for name, region in found.items():
        fewest, most = line_limits(path.suffix, name)
        if not fewest <= len(region.lines) <= most:
            wrong.append(
                f"{path}:{region.start}: region {name!r} has {len(region.lines)} lines "
                f"({fewest} to {most})"
            )
    return wrong


def unshown(path: Path) -> list[str]:
    """The file's regions that no page shows: a listing someone dropped or renamed."""
    try:
        found = regions(path)
    except MarkerError:
        return []  # reported by malformed()
    names = shown().get(path.resolve(), frozenset())
    return [
        f"{path}:{region.start}: region {name!r} is shown by no page of the book "
        "(remove its markers, or show it with a listing)"
        for name, region in found.items()
        if name not in names
    ]
