"""A recording's figures drawn as an SVG bar chart: one bar per figure, time per operation.

Hand-written SVG rather than a plotting library: the book then needs no plotting package,
the file is the same on every machine (the build is reproducible), and every label is a
``<text>`` with its own ``font-size``, which is what tests/book/test_browser.py measures
to check that the text is drawn at 11 px or more at 1280 px.

The bars are horizontal so that the labels read left to right, grouped under headings
(in process, across processes), coloured by language. The figures span several orders of
magnitude (a message through an actor is nanoseconds, a round trip between processes tens
of microseconds), so the axis is logarithmic whenever they span more than one decade: on
a linear axis the in-process bars would be invisible.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from twinbook_bench_data import Figure, Recording

#: Drawing units; the image is scaled to the column, so these are sized for a column of
#: about 700 CSS px (the book's at 1280 px): 14-unit text stays above 11 px down to 560.
WIDTH = 720
FONT = 14
ROW = 28
BAR = 18
PAD = 10
VALUE_W = 78  # room right of the longest bar for its value
COLOURS = {"go": "#00758d", "python": "#c26a1b", "go+python": "#7b4f9e"}
LEGEND = {"go": "Go", "python": "Python", "go+python": "Go and Python"}
INK = "#1f1f1f"
GRID = "#c8c8c8"
#: Average advance of a character at FONT in a sans-serif face, in units: to size the
#: label column from the longest label (an estimate; generous rather than tight).
CHAR_W = 0.56 * FONT


def format_ns(ns: float) -> str:
    """A time per operation as a reader says it: 3 significant digits, the fitting unit."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{_sig3(ns / scale)} {unit}"
    return f"{_sig3(ns)} ns"


def _sig3(x: float) -> str:
    digits = max(0, 2 - int(math.floor(math.log10(x)))) if x > 0 else 0
    return f"{x:.{digits}f}"


def _tick_label(decade: int) -> str:
    """A gridline's label: 10 ns, 100 ns, 1 µs, ... (no decimals on a round decade)."""
    unit, scale = next(
        ((u, s) for u, s in (("s", 9), ("ms", 6), ("µs", 3)) if decade >= s), ("ns", 0)
    )
    return f"{10 ** (decade - scale)} {unit}"


def _text(x: float, y: float, text: str, *, anchor: str = "start", bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT}" text-anchor="{anchor}"'
        f'{weight} fill="{INK}">{escape(text)}</text>'
    )


class Axis:
    """Where a time lands on the bar area: log10 over whole decades, or linear from zero."""

    def __init__(self, figures: tuple[Figure, ...], left: float, width: float) -> None:
        lo_v = min(f.ns for f in figures)
        hi_v = max(f.ns for f in figures)
        self.left, self.width = left, width
        self.log = hi_v / lo_v > 10
        if self.log:
            self.lo = math.floor(math.log10(lo_v))
            if math.log10(lo_v) - self.lo < 0.15:  # the shortest bar must still show
                self.lo -= 1
            self.hi = max(math.ceil(math.log10(hi_v)), self.lo + 1)
        else:
            self.lo, self.hi = 0, hi_v * 1.1

    def x(self, ns: float) -> float:
        """The x of a bar's end for ``ns``."""
        if self.log:
            share = (math.log10(ns) - self.lo) / (self.hi - self.lo)
        else:
            share = ns / self.hi
        return self.left + self.width * share

    def ticks(self) -> list[tuple[float, str]]:
        """(x, label) of each gridline: every decade, or five even steps."""
        if self.log:
            return [(self.x(10.0**d), _tick_label(d)) for d in range(self.lo, int(self.hi) + 1)]
        steps = [self.hi * i / 5 for i in range(6)]
        return [(self.left + self.width * s / self.hi, format_ns(s) if s else "0") for s in steps]


def render(recording: Recording, title: str) -> str:
    """The SVG document for the recording's figures (an accessible ``<title>``: ``title``)."""
    figures = recording.figures
    groups: list[str] = []
    for f in figures:
        if f.group not in groups:
            groups.append(f.group)
    label_w = min(WIDTH * 0.5, max(len(f.label) for f in figures) * CHAR_W + PAD)
    bar_left = PAD + label_w + PAD
    axis = Axis(figures, bar_left, WIDTH - bar_left - VALUE_W - PAD)

    out: list[str] = []
    y = PAD + FONT
    scale = "log scale" if axis.log else "linear scale"
    out.append(_text(PAD, y, f"Time per operation ({scale}; shorter is faster)", bold=True))
    y += ROW * 0.5
    languages = [lang for lang in COLOURS if any(f.language == lang for f in figures)]
    x = PAD
    for lang in languages:
        out.append(
            f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="14" height="14" fill="{COLOURS[lang]}"/>'
        )
        out.append(_text(x + 20, y + 16, LEGEND[lang]))
        x += 20 + len(LEGEND[lang]) * CHAR_W + 24
    y += ROW
    plot_top = y
    rows: list[str] = []
    for group in groups:
        y += ROW
        rows.append(_text(PAD, y - 8, group, bold=True))
        for f in (f for f in figures if f.group == group):
            y += ROW
            top = y - 13 - BAR / 2  # centred on the label's x-height
            end = axis.x(f.ns)
            rows.append(_text(bar_left - PAD, y - 8, f.label, anchor="end"))
            rows.append(
                f'<rect x="{bar_left:.1f}" y="{top:.1f}" width="{max(end - bar_left, 1):.1f}" '
                f'height="{BAR}" fill="{COLOURS[f.language]}"><title>{escape(f.label)}: '
                f"{escape(format_ns(f.ns))}</title></rect>"
            )
            rows.append(_text(end + 6, y - 8, format_ns(f.ns)))
    plot_bottom = y + 6
    grid: list[str] = []
    for tx, label in axis.ticks():
        grid.append(
            f'<line x1="{tx:.1f}" y1="{plot_top:.1f}" x2="{tx:.1f}" y2="{plot_bottom:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        grid.append(_text(tx, plot_bottom + FONT + 4, label, anchor="middle"))
    grid.append(
        f'<line x1="{bar_left:.1f}" y1="{plot_bottom:.1f}" x2="{axis.left + axis.width:.1f}" '
        f'y2="{plot_bottom:.1f}" stroke="{INK}" stroke-width="1"/>'
    )
    height = plot_bottom + FONT + 4 + PAD
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="sans-serif" role="img">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>'
        + "".join(grid)
        + "".join(out)
        + "".join(rows)
        + "</svg>\n"
    )
