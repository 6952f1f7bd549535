"""The ``twinbook-bench-plot`` directive: a plot of recorded benchmark figures, drawn at build time.

::

    ```{twinbook-bench-plot} /_data/bench-ch03.json
    :alt: Bars on a log scale: a message through an actor takes ... (a sentence or two)
    :figures: go-actor-tell python-actor-tell unary-go-go swarm-stream
    :caption: In process and across processes, on one machine.
    ```

The argument is the recording (``make bench-record`` writes it; its shape is in
``twinbook_bench_data``), from the book's folder when it starts with ``/``, else from the
page's. ``:alt:`` is required, as for diagrams: it is the image's text for a reader who
cannot see it, written by hand. ``:figures:`` picks figures by id and orders them (all,
in the file's order, when left out). ``:caption:`` is shown under the plot, followed by
the machine and the date of the recording, so a reader knows where the numbers come from.

The plot is shown as the diagrams are (``twinbook_diagrams``): an ``<img>`` with the alt
text inside a link that opens the SVG full size, in a ``div.twinbook-diagram``, so the
browser tests measure its text as they measure the diagrams'. A recording that is not
JSON or lacks a field, a missing ``:alt:`` or an unknown figure id stops the build with
the page, the file and the field named, as a listing with a missing marker does.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective
from sphinx.writers.html5 import HTML5Translator
from twinbook_bench_data import BenchDataError, load
from twinbook_bench_svg import render


class bench_plot(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes so)
    """A drawn plot: its SVG text, alt text and caption, written out by the HTML builder."""


class BenchPlotDirective(SphinxDirective):
    """``twinbook-bench-plot RECORDING``: see the module's docstring."""

    required_arguments = 1
    has_content = False
    option_spec = {
        "alt": directives.unchanged_required,
        "figures": directives.unchanged_required,
        "caption": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        where = f"{self.env.doc2path(self.env.docname)}:{self.lineno}"
        rel, path = self.env.relfn2path(self.arguments[0])
        alt = self.options.get("alt", "").strip()
        if len(alt.split()) < 5:
            raise ExtensionError(
                f"twinbook: {where}: twinbook-bench-plot: {rel}: no :alt: text "
                "(say in a sentence or two what the plot shows)"
            )
        if not Path(path).is_file():
            raise ExtensionError(
                f"twinbook: {where}: twinbook-bench-plot: recording {rel} does not exist"
            )
        self.env.note_dependency(path)
        try:
            recording = load(Path(path)).select(self.options.get("figures", "").split())
        except BenchDataError as err:
            raise ExtensionError(f"twinbook: {where}: twinbook-bench-plot: {rel}: {err}") from None
        caption = self.options.get("caption", "").strip()
        source = f"Measured on {recording.machine_text()}, {recording.recorded}."
        node = bench_plot(
            svg=render(recording, alt),
            alt=alt,
            caption=f"{caption} {source}" if caption else source,
        )
        self.set_source_info(node)
        return [node]


def _visit_html(self: HTML5Translator, node: bench_plot) -> None:
    """Write the SVG into the build's images and show it as a linked ``<img>``."""
    svg: str = node["svg"]
    name = f"bench-plot-{hashlib.sha1(svg.encode()).hexdigest()[:16]}.svg"
    out = Path(self.builder.outdir) / self.builder.imagedir / name
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.is_file() or out.read_text(encoding="utf-8") != svg:
        out.write_text(svg, encoding="utf-8")
    src = html.escape(f"{self.builder.imgpath}/{name}", quote=True)
    self.body.append(
        '<figure class="twinbook-diagram twinbook-bench-plot">'
        f'<a class="twinbook-diagram-link" href="{src}" target="_blank" rel="noopener" '
        'title="Open the plot full size (new tab)">'
        f'<img src="{src}" alt="{html.escape(node["alt"], quote=True)}" '
        'class="twinbook-bench-plot" /></a>'
        f"<figcaption>{html.escape(node['caption'])}</figcaption></figure>\n"
    )
    raise nodes.SkipNode


def _visit_other(self: nodes.NodeVisitor, node: bench_plot) -> None:
    """Elsewhere than HTML the plot is left out (the recording is still checked when read)."""
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, object]:
    app.add_node(
        bench_plot,
        html=(_visit_html, None),
        latex=(_visit_other, None),
        text=(_visit_other, None),
        man=(_visit_other, None),
        texinfo=(_visit_other, None),
    )
    app.add_directive("twinbook-bench-plot", BenchPlotDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
