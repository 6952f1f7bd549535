"""Every listing of the book comes from real source, by markers, in a Go and a Python tab.

The pages (book/**/*.md) are parsed, not built: each ``literalinclude`` becomes one
test item named after the page, its line and the listing (``file#marker``), so a
marker renamed or deleted in go/ or python/ fails the item that names the listing.
(The Sphinx build fails too, under -W, but with a less direct message.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from book_site import BOOK, ROOT

#: An opening directive fence: ```{name} args  or  :::{name} args
_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[^}]+)\}\s*(?P<arg>.*)$")
#: A plain code fence (```go): its content is code, not directives.
_CODE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?!\{)")
_OPTION = re.compile(r"^:(?P<key>[a-z-]+):\s*(?P<value>.*)$")
#: Marker lines in the sources, per the contract: `// docs:start NAME` / `# docs:start NAME`.
_MARKER_LINE = re.compile(r"^\s*(//|#) docs:(start|end) (\S+)\s*$")


@dataclass
class Directive:
    name: str
    arg: str
    line: int
    options: dict[str, str] = field(default_factory=dict)
    parents: list[Directive] = field(default_factory=list)


def parse_directives(path: Path) -> list[Directive]:
    """Every MyST directive of a page with its options and its enclosing directives."""
    found: list[Directive] = []
    stack: list[tuple[str, Directive | None]] = []  # (fence, directive or None for code)
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        # inside a plain code block: only its closing fence matters
        if stack and stack[-1][1] is None:
            fence = stack[-1][0]
            if set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                stack.pop()
            i += 1
            continue
        if stack and stripped and set(stripped) <= {"`", ":"} and stripped == stack[-1][0]:
            stack.pop()
            i += 1
            continue
        m = _OPEN.match(stripped)
        if m:
            d = Directive(
                m["name"],
                m["arg"].strip(),
                i + 1,
                parents=[s[1] for s in stack if s[1] is not None],
            )
            i += 1
            while i < len(lines) and (opt := _OPTION.match(lines[i].strip())):
                value = opt["value"].strip()
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                    value = value[1:-1]  # a YAML-quoted option value
                d.options[opt["key"]] = value
                i += 1
            found.append(d)
            stack.append((m["fence"], d))
            continue
        m = _CODE.match(stripped)
        if m:
            stack.append((m["fence"], None))
        i += 1
    return found


def book_pages() -> list[Path]:
    pages = []
    for p in sorted(BOOK.rglob("*.md")):
        rel = p.relative_to(BOOK)
        if rel.parts[0] in {"notebooks", "_build", "_static", "_ext"}:
            continue
        pages.append(p)
    return pages


@dataclass
class Listing:
    page: Path
    directive: Directive

    @property
    def id(self) -> str:
        marker = self.directive.options.get("start-after") or self.directive.options.get(
            "start-at", ""
        )
        name = marker.split()[-1] if marker.strip() else "whole-file"
        return f"{self.page.relative_to(BOOK)}:{self.directive.line}:{self.directive.arg}#{name}"

    @property
    def source(self) -> Path:
        arg = self.directive.arg
        base = BOOK if arg.startswith("/") else self.page.parent
        return (base / arg.lstrip("/")).resolve()


def all_listings() -> list[Listing]:
    return [
        Listing(page, d)
        for page in book_pages()
        for d in parse_directives(page)
        if d.name == "literalinclude"
    ]


LISTINGS = all_listings()
#: Listings of the two implementations; other files (a workflow, a config) stand alone.
CODE_LISTINGS = [
    listing
    for listing in LISTINGS
    if ROOT in listing.source.parents
    and listing.source.relative_to(ROOT).parts[0] in {"go", "python"}
]


def test_the_book_has_listings() -> None:
    # Guards the parser: if it finds nothing, every per-listing test silently vanishes.
    assert len(CODE_LISTINGS) >= 20, [listing.id for listing in LISTINGS]


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda listing: listing.id)
def test_listing_comes_from_real_source_by_markers(listing: Listing) -> None:
    d = listing.directive
    where = f"{listing.page.relative_to(ROOT)}:{d.line}"
    path = listing.source
    assert path.is_file(), f"{where}: listing source {d.arg} does not exist ({path})"
    assert ROOT in path.parents, f"{where}: {d.arg} is outside the repository"

    start = d.options.get("start-after")
    end = d.options.get("end-before")
    assert start and end, (
        f"{where}: a listing is cut from its file by markers: give both :start-after: "
        f"docs:start NAME and :end-before: docs:end NAME"
    )
    m_start = re.fullmatch(r"(?:(?://|#) )?docs:start ([a-z0-9]+(?:-[a-z0-9]+)*)", start)
    m_end = re.fullmatch(r"(?:(?://|#) )?docs:end ([a-z0-9]+(?:-[a-z0-9]+)*)", end)
    assert m_start and m_end and m_start[1] == m_end[1], (
        f"{where}: markers must be 'docs:start NAME' / 'docs:end NAME' with the same "
        f"kebab-case NAME, got {start!r} / {end!r}"
    )
    name = m_start[1]
    lines = path.read_text(encoding="utf-8").splitlines()
    markers = [
        (n, m[2])
        for n, line in enumerate(lines)
        if (m := _MARKER_LINE.match(line)) and m[3] == name
    ]
    starts = [n for n, kind in markers if kind == "start"]
    ends = [n for n, kind in markers if kind == "end"]
    rel = path.relative_to(ROOT)
    assert starts, f"{where}: listing {name!r}: marker 'docs:start {name}' is missing from {rel}"
    assert ends, f"{where}: listing {name!r}: marker 'docs:end {name}' is missing from {rel}"
    assert len(starts) == 1 and len(ends) == 1, (
        f"{where}: listing {name!r}: {rel} has {len(starts)} start and {len(ends)} end markers"
    )
    # literalinclude cuts at the first line *containing* the text: no earlier line may
    # contain it (e.g. 'docs:start pool' inside 'docs:start pool-ordered').
    first_start = next(n for n, line in enumerate(lines) if start in line)
    assert first_start == starts[0], (
        f"{where}: listing {name!r}: {rel}:{first_start + 1} contains {start!r} before the "
        "real marker; Sphinx would cut there"
    )
    body = [line for line in lines[starts[0] + 1 : ends[0]] if line.strip()]
    assert ends[0] > starts[0] and body, f"{where}: listing {name!r} is empty in {rel}"


@pytest.mark.parametrize("listing", CODE_LISTINGS, ids=lambda listing: listing.id)
def test_code_listing_sits_in_a_go_and_python_tab_set(listing: Listing) -> None:
    """Code from go/ or python/ is shown in a Go tab beside a Python tab (synced site-wide);
    other files (a workflow, a config) are listings of their own."""
    d = listing.directive
    where = f"{listing.page.relative_to(ROOT)}:{d.line}"
    tab_items = [p for p in d.parents if p.name == "tab-item"]
    tab_sets = [p for p in d.parents if p.name == "tab-set"]
    assert tab_items and tab_sets, f"{where}: listing {d.arg} is not inside a Go/Python tab-set"
    item, tab_set = tab_items[-1], tab_sets[-1]
    assert tab_set.options.get("sync-group") == "lang", (
        f"{where}: the tab-set (line {tab_set.line}) needs ':sync-group: lang'"
    )
    language = "go" if d.arg.rsplit(".", 1)[-1] == "go" else "python"
    label = {"go": "Go", "python": "Python"}[language]
    assert item.options.get("sync") == language and item.arg == label, (
        f"{where}: a {language} listing belongs in the tab-item '{language.title()}' with "
        f"':sync: {language}', found {item.arg!r} with :sync: {item.options.get('sync')!r}"
    )
    siblings = {
        (x.arg, x.options.get("sync"))
        for x in parse_directives(listing.page)
        if x.name == "tab-item" and x.parents and x.parents[-1].line == tab_set.line
    }
    assert {("Go", "go"), ("Python", "python")} <= siblings, (
        f"{where}: the tab-set at line {tab_set.line} needs both a Go (:sync: go) and a "
        f"Python (:sync: python) tab-item, has {sorted(siblings)}"
    )
