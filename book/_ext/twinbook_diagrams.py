"""Graphviz diagrams as images a reader can open full size, with alt text.

Sphinx's graphviz extension puts an SVG diagram in an ``<object>``: a click on it goes into
the drawing, never to a bigger view, and its ``:alt:`` is fallback content that screen
readers do not announce as the image's text (without ``:alt:`` it is the dot source). Here
each diagram is an ``<img>`` with the directive's ``:alt:`` text, inside a link to the SVG
file, so a click opens the diagram at its full size in a new tab. A diagram without
``:alt:`` is a build warning (an error under ``-W``): the alt text is written by hand.

The layout that keeps labels readable in the column (top to bottom, short labels) is the
diagram's own; tests/book/test_browser.py measures the text as drawn at 1280 px.
"""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.ext.graphviz import GraphvizError, graphviz, render_dot
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _visit_graphviz_html(self, node: graphviz) -> None:
    """Write the diagram as a linked ``<img>`` (instead of Sphinx's ``<object>``)."""
    alt = node.get("alt")
    if not alt:
        logger.warning(
            "twinbook: a graphviz diagram has no :alt: text (say what it shows in a sentence)",
            location=node,
        )
        alt = ""
    if self.builder.config.graphviz_output_format != "svg":
        raise RuntimeError("twinbook_diagrams expects graphviz_output_format = 'svg'")
    try:
        fname, _ = render_dot(
            self, node["code"], node["options"], "svg", "graphviz", node.get("filename")
        )
    except GraphvizError as exc:
        logger.warning("dot code %r: %s", node["code"], exc, location=node)
        raise nodes.SkipNode from exc
    if fname is None:
        self.body.append(self.encode(node["code"]))
        raise nodes.SkipNode
    src = html.escape(fname.as_posix(), quote=True)
    classes = " ".join(["graphviz", *node.get("classes", [])])
    align = node.get("align")
    if align:
        self.body.append(f'<div align="{align}" class="align-{align}">')
    self.body.append(
        '<div class="graphviz twinbook-diagram">'
        f'<a class="twinbook-diagram-link" href="{src}" target="_blank" rel="noopener" '
        'title="Open the diagram full size (new tab)">'
        f'<img src="{src}" alt="{html.escape(alt, quote=True)}" class="{classes}" />'
        "</a></div>\n"
    )
    if align:
        self.body.append("</div>\n")
    raise nodes.SkipNode  # the whole diagram is written; a graphviz node has no children


def setup(app: Sphinx) -> dict[str, bool]:
    app.setup_extension("sphinx.ext.graphviz")
    app.add_node(graphviz, override=True, html=(_visit_graphviz_html, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
