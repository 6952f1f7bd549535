"""The student edition's book (``-t student``) says only what a student can do with the
edition: no maintainers' make rule, tool or workflow, and none of the project's folders that
the edition does not ship (``tests/``, ``solutions/``, ``proto/``, ``build/``). The same
vocabulary as the scan of the edition's files (tests/edition_text.py); the book's pages mark
such passages ``<!-- not in the student edition -->`` (book/conf.py drops them)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from book_site import site_pages

from tests.edition_text import findings

_SKIPPED = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
#: Listings of the libraries' Go and Python code: the edition ships those files, whose
#: comments document the code for whoever reads it (the scan of the edition's files does not
#: read them either). Console blocks, notebook cells and prose are read.
_LIBRARY_LISTING = re.compile(
    r'<div class="highlight-(?:go|python) [^"]*"><div class="highlight"><pre>.*?</pre>', re.S
)
_TAG = re.compile(r"<[^>]+>")
#: Search's index page and Sphinx's generated pages hold no prose of ours.
_NOT_PAGES = {"search.html", "genindex.html"}


def _lines(page: Path) -> list[str]:
    """The page's prose, console blocks and notebook cells, line by line, as a reader sees
    them."""
    text = _LIBRARY_LISTING.sub(" ", _SKIPPED.sub(" ", page.read_text(encoding="utf-8")))
    return [html.unescape(line) for line in _TAG.sub("", text).splitlines() if line.strip()]


def test_student_book_names_only_what_the_edition_has(student_site: Path) -> None:
    found: list[str] = []
    for rel in site_pages(student_site):
        if rel not in _NOT_PAGES:
            found += findings(rel, _lines(student_site / rel), lambda path: False)
    assert found == [], "the student book speaks of the maintainers' repository:\n" + "\n".join(
        found
    )
