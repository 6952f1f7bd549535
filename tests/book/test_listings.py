"""Every listing of the book comes from real source, by markers, in a Go and a Python tab.

The pages (book/**/*.md) are parsed, not built, with the build's own page reader
(``book/_ext/twinbook_pages.py``): each region a page asks for, through a ``listing``
directive (a Go/Python pair) or a ``literalinclude``, becomes one test item named after the
page, its line and the region (``file#marker``), so a marker renamed or deleted in go/ or
python/ fails the item that names the listing. (The Sphinx build fails too, naming the
page, the file and the marker.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from book_site import BOOK, ROOT
from twinbook_markers import MarkerError, regions
from twinbook_pages import (
    LABEL,
    LANGUAGE,
    Cut,
    Directive,
    book_pages,
    page_cuts,
    parse_directives,
    parse_listing,
)

CUTS = [cut for page in book_pages(BOOK) for cut in page_cuts(page, BOOK)]
#: Regions of the two implementations; other files (a workflow) stand alone.
CODE_CUTS = [
    cut
    for cut in CUTS
    if ROOT in cut.file.parents and cut.file.relative_to(ROOT).parts[0] in {"go", "python"}
]


def _id(cut: Cut) -> str:
    rel = cut.file.relative_to(ROOT) if ROOT in cut.file.parents else cut.file
    return f"{cut.page.relative_to(BOOK)}:{cut.line}:{rel}#{cut.marker or 'whole-file'}"


def _where(cut: Cut) -> str:
    return f"{cut.page.relative_to(ROOT)}:{cut.line}"


def test_the_book_has_listings() -> None:
    # Guards the parser: if it finds nothing, every per-listing test silently vanishes.
    assert len(CODE_CUTS) >= 20, [_id(cut) for cut in CUTS]
    assert any(cut.directive.name == "listing" for cut in CODE_CUTS)


@pytest.mark.parametrize("cut", CUTS, ids=_id)
def test_listing_comes_from_real_source_by_markers(cut: Cut) -> None:
    where = _where(cut)
    path = cut.file
    assert path.is_file(), f"{where}: listing source {path} does not exist"
    assert ROOT in path.parents, f"{where}: {path} is outside the repository"
    assert cut.start and cut.end and cut.marker, (
        f"{where}: a listing is cut from its file by markers: give both :start-after: "
        f"docs:start NAME and :end-before: docs:end NAME"
    )
    name = cut.marker
    prefix = r"(?:(?://|#) )?"
    assert re.fullmatch(prefix + f"docs:start {name}", cut.start) and re.fullmatch(
        prefix + f"docs:end {name}", cut.end
    ), (
        f"{where}: markers must be 'docs:start NAME' / 'docs:end NAME' with the same "
        f"NAME, got {cut.start!r} / {cut.end!r}"
    )
    rel = path.relative_to(ROOT)
    try:
        found = regions(path)
    except MarkerError as err:
        pytest.fail(f"{where}: listing {name!r}: {err}", pytrace=False)
    assert name in found, (
        f"{where}: listing {name!r}: {rel} has no region {name!r} "
        f"(its regions: {', '.join(sorted(found)) or 'none'})"
    )
    # literalinclude cuts at the first line *containing* the text: no earlier line may
    # contain it (e.g. 'docs:start pool' inside 'docs:start pool-ordered').
    lines = path.read_text(encoding="utf-8").splitlines()
    first_start = next(n for n, line in enumerate(lines, 1) if cut.start in line)
    assert first_start == found[name].start, (
        f"{where}: listing {name!r}: {rel}:{first_start} contains {cut.start!r} before the "
        "real marker; Sphinx would cut there"
    )
    assert any(line.strip() for line in found[name].lines), (
        f"{where}: listing {name!r} is empty in {rel}"
    )


@pytest.mark.parametrize("cut", CODE_CUTS, ids=_id)
def test_code_listing_sits_in_a_go_and_python_tab_set(cut: Cut) -> None:
    """Code from go/ or python/ is shown in a Go tab beside a Python tab (synced site-wide).

    A ``listing`` builds that tab set itself, from a Go file and a Python file: it must name
    both, and each of its files must be of a language it has a tab for. A single
    ``literalinclude`` (a Python listing beside prose in the Go tab) sits in one by hand.
    """
    if cut.directive.name == "listing":
        includes = parse_listing(cut.directive.arg, cut.directive.options, cut.directive.content)
        languages = [inc.language for inc in includes]
        assert {"go", "python"} <= set(languages), f"{_where(cut)}: {languages}"
        assert LANGUAGE.get(cut.file.suffix) in languages, f"{_where(cut)}: {cut.file}"
        return
    d = cut.directive
    where = _where(cut)
    tab_items = [p for p in d.parents if p.name == "tab-item"]
    tab_sets = [p for p in d.parents if p.name == "tab-set"]
    assert tab_items and tab_sets, f"{where}: listing {d.arg} is not inside a Go/Python tab-set"
    item, tab_set = tab_items[-1], tab_sets[-1]
    assert tab_set.options.get("sync-group") == "lang", (
        f"{where}: the tab-set (line {tab_set.line}) needs ':sync-group: lang'"
    )
    language = LANGUAGE[cut.file.suffix]
    assert item.options.get("sync") == language and item.arg == LABEL[language], (
        f"{where}: a {language} listing belongs in the tab-item '{LABEL[language]}' with "
        f"':sync: {language}', found {item.arg!r} with :sync: {item.options.get('sync')!r}"
    )
    siblings = {
        (x.arg, x.options.get("sync"))
        for x in parse_directives(cut.page)
        if x.name == "tab-item" and x.parents and x.parents[-1].line == tab_set.line
    }
    assert {("Go", "go"), ("Python", "python")} <= siblings, (
        f"{where}: the tab-set at line {tab_set.line} needs both a Go (:sync: go) and a "
        f"Python (:sync: python) tab-item, has {sorted(siblings)}"
    )


@pytest.mark.parametrize("page", book_pages(BOOK), ids=lambda p: str(p.relative_to(BOOK)))
def test_no_listing_pair_is_written_by_hand(page: Path) -> None:
    """A tab set whose Go and Python tabs hold literalincludes and nothing else is a pair:
    it is written as one ``listing`` line, so that every pair renders the same way."""
    directives = parse_directives(page)

    def children(parent: Directive) -> list[Directive]:
        return [d for d in directives if d.parents and d.parents[-1] is parent]

    def only_includes(item: Directive) -> bool:
        inner = children(item)
        return bool(inner) and not item.content and all(d.name == "literalinclude" for d in inner)

    hand_pairs = [
        tab_set.line
        for tab_set in directives
        if tab_set.name == "tab-set"
        and {item.arg for item in children(tab_set)} == {"Go", "Python"}
        and all(only_includes(item) for item in children(tab_set))
    ]
    assert not hand_pairs, (
        f"{page.relative_to(ROOT)}: line(s) {hand_pairs}: a Go/Python pair written as a tab set "
        "by hand; write it as ```{listing} GO_FILE PYTHON_FILE MARKER (see the chapter template)"
    )


#: The widest line a listing may show: 88 columns (tabs count 4, as the book shows them),
#: so that every listing fits the content column at 1280 px at the book's code size with room
#: to spare (tests/book/test_browser.py measures the result). Python's own limit is 100
#: (ruff); a region the book shows is reformatted to 88 instead of cut off on screen.
LISTING_COLUMNS = 88


@pytest.mark.parametrize("cut", CODE_CUTS, ids=_id)
def test_listing_lines_fit_the_column(cut: Cut) -> None:
    region = regions(cut.file)[cut.marker]
    wide = [
        (region.start + 1 + n, line.expandtabs(4))
        for n, line in enumerate(
            cut.file.read_text(encoding="utf-8").splitlines()[region.start : region.end - 1]
        )
        if len(line.expandtabs(4)) > LISTING_COLUMNS
    ]
    rel = cut.file.relative_to(ROOT)
    assert not wide, (
        f"{_where(cut)}: {rel}#{cut.marker} has lines over {LISTING_COLUMNS} columns:\n"
        + "\n".join(f"  {rel}:{n} ({len(text)} columns): {text.strip()[:70]}" for n, text in wide)
    )
