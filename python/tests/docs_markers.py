"""The marker tests' rules, on the book's own parsers.

The book cuts its listings out of go/ and python/ by ``// docs:start NAME`` /
``# docs:start NAME`` marker regions. The pages are the only list of the names: this
module reads them (``book/_ext/twinbook_pages.py``) and the code's regions
(``book/_ext/twinbook_markers.py``, the one marker parser, which the build uses too), and
each chapter's ``test_markers.py`` applies the rules below to the chapter's files, which
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
from twinbook_markers import COMMENT, MarkerError, regions  # noqa: E402
from twinbook_pages import book_pages, page_cuts  # noqa: E402

#: A listing long enough to say something and short enough to read in one screen. Go's
#: limit is higher: gofmt'd Go spends lines on `if err != nil` blocks and on a doc comment
#: for every exported field, and its regions (checked since the pages became the only list
#: of names) run to 50 lines, where Python's say the same in 30.
MIN_LINES = 5
MAX_LINES = {".py": 30, ".go": 50}


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
    open), or a region shorter or longer than :data:`MIN_LINES` / :data:`MAX_LINES`."""
    assert path.suffix in COMMENT, path
    try:
        found = regions(path)
    except MarkerError as err:
        return [str(err)]
    most = MAX_LINES[path.suffix]
    return [
        f"{path}:{region.start}: region {name!r} has {len(region.lines)} lines "
        f"({MIN_LINES} to {most} in a {path.suffix} file)"
        for name, region in found.items()
        if not MIN_LINES <= len(region.lines) <= most
    ]


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
