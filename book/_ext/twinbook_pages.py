"""What the book's pages ask for: their directives, read from the MyST source without Sphinx.

The pages are the one place that names the marker regions the book shows. This module
reads them for the ``listing`` directive (``twinbook_listing``), which expands a line like::

    ```{listing} go/breaker/breaker.go python/src/twinbook/breaker/breaker.py apply-due
    :python-note: inside `Breaker`
    ```

and for the tests, which check that every region a page asks for exists and that every
region in the code is asked for by some page. Standard library only.

The ``listing`` syntax:

- arguments ``GO_FILE PYTHON_FILE [MARKER]``: paths from the repository root; MARKER names
  the region in both files;
- ``:go-marker:`` / ``:python-marker:``: the region in that language's file, when the
  names differ (or MARKER is left out);
- ``:go-note:`` / ``:python-note:``: text shown in parentheses after the file in that
  tab's caption;
- content: more listings for the same tabs, one a line, ``FILE MARKER [(NOTE)]``; each
  goes to the tab of its file's language (``.go``: Go, ``.py``: Python), after the first.
  For example, the threaded and the asyncio flavour of one idea in the Python tab::

    ```{listing} go/concurrency/fanout.go python/src/twinbook/concurrency/fanout.py merge
    :python-note: threads
    python/src/twinbook/concurrency/aio_fanout.py aio-merge (asyncio)
    ```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: A file's language in the book's tabs, by suffix.
LANGUAGE = {".go": "go", ".py": "python"}
LABEL = {"go": "Go", "python": "Python"}

#: An opening directive fence: ```{name} args  or  :::{name} args
_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[^}]+)\}\s*(?P<arg>.*)$")
#: A plain code fence (```go): its content is code, not directives.
_CODE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?!\{)")
_OPTION = re.compile(r"^:(?P<key>[a-z-]+):\s*(?P<value>.*)$")
#: A ``listing`` content line: ``FILE MARKER [(NOTE)]``.
_CONTENT_LINE = re.compile(r"(?P<file>\S+)\s+(?P<marker>\S+)(?:\s+\((?P<note>.*)\))?")
_LISTING_OPTIONS = {"go-marker", "python-marker", "go-note", "python-note"}


@dataclass
class Directive:
    """One MyST directive of a page: name, argument line, options, content, where it is."""

    name: str
    arg: str
    line: int
    options: dict[str, str] = field(default_factory=dict)
    content: list[str] = field(default_factory=list)
    parents: list[Directive] = field(default_factory=list)


def parse_directives(path: Path) -> list[Directive]:
    """Every MyST directive of a page with its options, content and enclosing directives.

    Content is kept for fenced directives whose body holds no nested directive (what a
    ``listing`` has); code blocks are skipped whole.
    """
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
        elif stack and stack[-1][1] is not None and stripped:
            stack[-1][1].content.append(stripped)
        i += 1
    return found


@dataclass(frozen=True)
class Include:
    """One region of one file, shown in the tab of the file's language."""

    file: str
    marker: str
    note: str = ""

    @property
    def language(self) -> str:
        return LANGUAGE[Path(self.file).suffix]

    @property
    def caption(self) -> str:
        return f"{self.file} ({self.note})" if self.note else self.file


class ListingSyntaxError(ValueError):
    """A ``listing`` directive that does not follow the syntax above."""


def parse_listing(arg: str, options: dict[str, str], content: list[str]) -> list[Include]:
    """The includes of one ``listing`` directive, Go's first, then Python's, each in order."""
    unknown = set(options) - _LISTING_OPTIONS
    if unknown:
        raise ListingSyntaxError(
            f"unknown option(s) {sorted(unknown)}; known: {sorted(_LISTING_OPTIONS)}"
        )
    words = arg.split()
    if len(words) not in (2, 3):
        raise ListingSyntaxError(
            f"expected 'GO_FILE PYTHON_FILE [MARKER]', got {arg!r} "
            "(other listings of the same pair go in the content, 'FILE MARKER [(NOTE)]')"
        )
    includes = []
    for language, file in zip(("go", "python"), words[:2], strict=True):
        if LANGUAGE.get(Path(file).suffix) != language:
            raise ListingSyntaxError(
                f"the {LABEL[language]} file comes {'first' if language == 'go' else 'second'}"
                f", got {file!r}"
            )
        marker = options.get(f"{language}-marker") or (words[2] if len(words) == 3 else "")
        if not marker:
            raise ListingSyntaxError(
                f"no marker for {file}: give MARKER or :{language}-marker: NAME"
            )
        includes.append(Include(file, marker, options.get(f"{language}-note", "")))
    for line in content:
        m = _CONTENT_LINE.fullmatch(line.strip())
        if m is None or Path(m["file"]).suffix not in LANGUAGE:
            raise ListingSyntaxError(
                f"content line {line!r}: expected 'FILE MARKER [(NOTE)]' with a .go or .py FILE"
            )
        includes.append(Include(m["file"], m["marker"], m["note"] or ""))
    # Go's tab comes first, as everywhere in the book; within a tab, the page's order.
    return sorted(includes, key=lambda inc: inc.language != "go")


@dataclass(frozen=True)
class Cut:
    """A region a page asks for: by a ``listing`` or by a ``literalinclude``.

    ``marker`` is None for a literalinclude of a whole file; ``start`` / ``end`` are the
    texts a literalinclude cuts at (a listing's are always ``docs:start/end MARKER``).
    """

    page: Path
    line: int
    file: Path
    marker: str | None
    directive: Directive
    start: str | None = None
    end: str | None = None


def page_cuts(page: Path, book: Path) -> list[Cut]:
    """Every region the page asks for, in page order.

    A listing's files are relative to the repository root (``book``'s parent); a
    literalinclude's to the page's folder, or to ``book`` when it starts with ``/``.
    A ``listing`` that breaks the syntax is left for the build to report.
    """
    cuts = []
    for d in parse_directives(page):
        if d.name == "listing":
            try:
                includes = parse_listing(d.arg, d.options, d.content)
            except ListingSyntaxError:
                continue
            for inc in includes:
                cuts.append(
                    Cut(
                        page,
                        d.line,
                        (book.parent / inc.file).resolve(),
                        inc.marker,
                        d,
                        f"docs:start {inc.marker}",
                        f"docs:end {inc.marker}",
                    )
                )
        elif d.name == "literalinclude":
            base = book if d.arg.startswith("/") else page.parent
            start = d.options.get("start-after") or d.options.get("start-at")
            end = d.options.get("end-before") or d.options.get("end-at")
            marker = start.split()[-1] if start and start.strip() else None
            cuts.append(
                Cut(page, d.line, (base / d.arg.lstrip("/")).resolve(), marker, d, start, end)
            )
    return cuts


def book_pages(book: Path) -> list[Path]:
    """The book's hand-written pages (no notebooks, no theme or extension files)."""
    pages = []
    for p in sorted(book.rglob("*.md")):
        rel = p.relative_to(book)
        if rel.parts[0] in {"notebooks", "_build", "_static", "_ext"}:
            continue
        pages.append(p)
    return pages
