"""The ``listing`` directive: a Go/Python listing pair in one line of a page.

::

    ```{listing} go/breaker/breaker.go python/src/twinbook/breaker/breaker.py apply-due
    :python-note: inside `Breaker`
    ```

expands to the book's synced tab set: a Go tab and a Python tab (``:sync-group: lang``,
so one click switches every listing of the site), each with a ``literalinclude`` that
cuts the marker region out of the real source file, captioned with the file's path. The
full syntax (per-language markers and notes, more listings in the same tabs) is in
``twinbook_pages``, which the marker tests share.

The expansion is MyST text parsed in place, so the result is exactly what the hand-written
tab set was, and warnings keep the page's own line numbers. Before expanding, every file
and marker is checked with the one marker parser (``twinbook_markers``): an unknown file
or a missing marker fails the build with the page, the file and the marker named.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective
from twinbook_markers import MarkerError, end_text, regions, start_text
from twinbook_pages import LABEL, Include, ListingSyntaxError, parse_listing


def expand(includes: list[Include]) -> list[str]:
    """The MyST of the tab set for these includes (Go's tab first, then Python's)."""
    # Backtick fences, longer outside: MyST's colon fences are an extension a book may lack.
    lines = ["`````{tab-set}", ":sync-group: lang", ""]
    for language in ("go", "python"):
        lines += [f"````{{tab-item}} {LABEL[language]}", f":sync: {language}", ""]
        for inc in (i for i in includes if i.language == language):
            lines += [
                f"```{{literalinclude}} /../{inc.file}",
                f":language: {language}",
                f":caption: {inc.caption}",
                f":start-after: {start_text(inc.marker)}",
                f":end-before: {end_text(inc.marker)}",
                # A region inside a class or a function is shown from column 0; a
                # top-level one is unchanged.
                ":dedent:",
                "```",
                "",
            ]
        lines += ["````", ""]
    lines.append("`````")
    return lines


class ListingDirective(SphinxDirective):
    """``listing GO_FILE PYTHON_FILE [MARKER]``: see the module's docstring."""

    required_arguments = 2
    optional_arguments = 1
    has_content = True
    option_spec = {
        "go-marker": directives.unchanged_required,
        "python-marker": directives.unchanged_required,
        "go-note": directives.unchanged_required,
        "python-note": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        where = f"{self.env.doc2path(self.env.docname)}:{self.lineno}"
        content = [line.strip() for line in self.content if line.strip()]
        try:
            includes = parse_listing(" ".join(self.arguments), dict(self.options), content)
        except ListingSyntaxError as err:
            raise ExtensionError(f"twinbook: {where}: listing: {err}") from None
        root = Path(self.env.srcdir).resolve().parent
        for inc in includes:
            self._check(where, root, inc)
        container = nodes.container()
        self.state.nested_parse(StringList(expand(includes)), self.content_offset, container)
        return container.children

    def _check(self, where: str, root: Path, inc: Include) -> None:
        path = (root / inc.file).resolve()
        if root not in path.parents or not path.is_file():
            raise ExtensionError(
                f"twinbook: {where}: listing: file {inc.file} (marker {inc.marker!r}) does not "
                "exist; files are given from the repository root"
            )
        try:
            found = regions(path)
        except MarkerError as err:
            raise ExtensionError(
                f"twinbook: {where}: listing: file {inc.file} (marker {inc.marker!r}): {err}"
            ) from None
        if inc.marker not in found:
            raise ExtensionError(
                f"twinbook: {where}: listing: file {inc.file} has no marker {inc.marker!r} "
                f"(a '{start_text(inc.marker)}' / '{end_text(inc.marker)}' comment pair); "
                f"its markers: {', '.join(sorted(found)) or 'none'}"
            )
        self.env.note_dependency(str(path))


def setup(app: Sphinx) -> dict:
    app.add_directive("listing", ListingDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
