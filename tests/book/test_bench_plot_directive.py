"""The ``twinbook-bench-plot`` directive: what a recording draws, and how a bad one fails.

The recording's checks and the drawing are tested as functions (``twinbook_bench_data``,
``twinbook_bench_svg``); the directive on a tiny book of its own, built with sphinx-build
``-W`` as ``make book`` builds the book: a good recording becomes a linked image with its
alt text and caption, a bad one stops the build naming the page, the file and the field.
The book's own recording (book/_data/bench-ch03.json) is checked here too, so a
``make bench-record`` that writes a wrong shape fails before the book is built.
"""

from __future__ import annotations

import copy
import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from book_site import BOOK
from twinbook_bench_data import BenchDataError, load, parse
from twinbook_bench_svg import Axis, format_ns, render

GOOD: dict[str, Any] = {
    "recorded": "2026-12-07",
    "machine": {"cpu": "Test CPU @ 2GHz", "cores": 2, "go": "go1.25.0", "python": "3.11.2"},
    "figures": [
        {"id": "tell", "group": "in process", "language": "go", "label": "a tell", "ns": 100},
        {"id": "ask", "group": "in process", "language": "python", "label": "an ask", "ns": 2000},
        {
            "id": "rpc",
            "group": "across processes",
            "language": "go+python",
            "label": "a round trip",
            "ns": 100_000,
        },
    ],
}

ALT = "Bars on a log scale: a tell is far shorter than a round trip between processes."


def broken(path: str, value: Any) -> dict[str, Any]:
    """GOOD with the value at ``path`` (dots and [n]) replaced, or deleted for ``...``."""
    data = copy.deepcopy(GOOD)
    keys = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
    parent = data
    for key in keys[:-1]:
        parent = parent[key]
    if value is ...:
        del parent[keys[-1]]
    else:
        parent[keys[-1]] = value
    return data


# -- the recording's checks ---------------------------------------------------------------


def test_a_good_recording_keeps_its_figures_in_order() -> None:
    recording = parse(GOOD)
    assert [f.id for f in recording.figures] == ["tell", "ask", "rpc"]
    assert recording.figures[2].ns == 100_000.0
    assert recording.machine_text() == "Test CPU @ 2GHz, 2 cores, Go 1.25.0, Python 3.11.2"
    assert [f.id for f in recording.select(["rpc", "tell"]).figures] == ["rpc", "tell"]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("recorded", ..., "recorded"),
        ("recorded", "yesterday", "recorded"),
        ("machine", ..., "machine"),
        ("machine.cpu", ..., "machine.cpu"),
        ("machine.cores", [2], "machine.cores"),
        ("figures", ..., "figures"),
        ("figures", [], "figures"),
        ("figures[1]", "ask", "figures[1]"),
        ("figures[1].ns", ..., "figures[1].ns"),
        ("figures[1].ns", "2000", "figures[1].ns"),
        ("figures[1].ns", True, "figures[1].ns"),
        ("figures[1].ns", 0, "figures[1].ns"),
        ("figures[1].ns", -5, "figures[1].ns"),
        ("figures[1].ns", math.inf, "figures[1].ns"),
        ("figures[2].label", "  ", "figures[2].label"),
        ("figures[2].group", ..., "figures[2].group"),
        ("figures[0].language", "rust", "figures[0].language"),
        ("figures[0].id", "Tell Me", "figures[0].id"),
        ("figures[1].id", "tell", "figures[1].id"),
    ],
)
def test_a_bad_recording_names_the_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(BenchDataError) as caught:
        parse(broken(path, value))
    assert caught.value.field == field
    assert str(caught.value).startswith(f"field {field}: ")


def test_not_json_names_where(tmp_path: Path) -> None:
    bad = tmp_path / "r.json"
    bad.write_text('{"recorded": "2026-12-07",\n "machine": }')
    with pytest.raises(BenchDataError, match=r"not JSON: .* line 2 column"):
        load(bad)


def test_an_unknown_figure_id_is_named_with_the_known_ones() -> None:
    with pytest.raises(
        BenchDataError, match=r"no figure with id 'nope' \(its ids: tell, ask, rpc\)"
    ):
        parse(GOOD).select(["tell", "nope"])


# -- the drawing ---------------------------------------------------------------------------


def test_the_axis_is_logarithmic_over_whole_decades_when_the_figures_span_them() -> None:
    axis = Axis(parse(GOOD).figures, left=100, width=500)
    assert axis.log and (axis.lo, axis.hi) == (1, 5)  # 100 ns sits a decade off the axis
    assert axis.x(10) == 100 and axis.x(100_000) == 600
    # equal ratios, equal lengths: 100 ns -> 1 µs as long as 10 µs -> 100 µs
    assert axis.x(1000) - axis.x(100) == pytest.approx(axis.x(100_000) - axis.x(10_000))
    assert [label for _, label in axis.ticks()] == ["10 ns", "100 ns", "1 µs", "10 µs", "100 µs"]


def test_figures_within_a_decade_are_drawn_on_a_linear_axis() -> None:
    close = broken("figures", GOOD["figures"][:1] + [dict(GOOD["figures"][1], ns=300)])
    axis = Axis(parse(close).figures, left=0, width=110)
    assert not axis.log
    assert axis.x(300) == pytest.approx(100) and axis.x(150) == pytest.approx(50)


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (95, "95.0 ns"),
        (1150, "1.15 µs"),
        (51_000, "51.0 µs"),
        (217_400, "217 µs"),
        (2.5e6, "2.50 ms"),
    ],
)
def test_times_are_written_with_three_significant_digits(ns: float, text: str) -> None:
    assert format_ns(ns) == text


def test_the_svg_has_every_label_value_and_its_title_as_text_of_11px_or_more() -> None:
    svg = render(parse(GOOD), ALT)
    texts = re.findall(r'<text [^>]*font-size="(\d+)"[^>]*>([^<]*)</text>', svg)
    words = [t for _, t in texts]
    for expected in ["a tell", "an ask", "a round trip", "100 ns", "2.00 µs", "100 µs"]:
        assert expected in words, (expected, words)
    assert {"in process", "across processes", "Go", "Python", "Go and Python"} <= set(words)
    assert min(int(size) for size, _ in texts) >= 11
    assert f"<title>{ALT}</title>" in svg
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    assert width <= 720, "drawn wider than the column: the text would shrink under 11 px"


def test_longer_times_get_longer_bars() -> None:
    svg = render(parse(GOOD), ALT)
    widths = [
        float(w)
        for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="18"', svg)
    ]
    assert len(widths) == 3 and widths[0] < widths[1] < widths[2]


def test_the_books_recording_is_well_formed() -> None:
    recording = load(BOOK / "_data" / "bench-ch03.json")
    ids = {f.id for f in recording.figures}
    assert {"go-actor-tell", "python-actor-ask", "unary-go-go", "swarm-stream"} <= ids


# -- the directive in a book ---------------------------------------------------------------

CONF = f"""
import sys
sys.path.insert(0, {str(BOOK / "_ext")!r})
extensions = ["myst_parser", "twinbook_bench_plot"]
"""


@dataclass
class Built:
    returncode: int
    log: str
    html: str
    out: Path


def build(tmp_path: Path, recording: str | dict[str, Any], options: str) -> Built:
    book = tmp_path / "book"
    (book / "_data").mkdir(parents=True)
    text = recording if isinstance(recording, str) else json.dumps(recording)
    (book / "_data" / "bench.json").write_text(text)
    (book / "conf.py").write_text(CONF)
    (book / "index.md").write_text(
        "# Figures\n\nSome text.\n\n```{twinbook-bench-plot} /_data/bench.json\n"
        + options
        + "```\n"
    )
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(book), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    index = out / "index.html"
    return Built(
        proc.returncode,
        proc.stdout + proc.stderr,
        index.read_text(encoding="utf-8") if index.is_file() else "",
        out,
    )


def test_a_recording_becomes_a_linked_image_with_alt_text_and_its_source(tmp_path: Path) -> None:
    built = build(tmp_path, GOOD, f":alt: {ALT}\n:caption: Three figures.\n:figures: rpc tell\n")
    assert built.returncode == 0, built.log
    img = re.search(
        r'<a [^>]*href="([^"]+\.svg)"[^>]*target="_blank"[^>]*><img src="([^"]+)" alt="([^"]*)"',
        built.html,
    )
    assert img, built.html
    assert img.group(1) == img.group(2) and img.group(3) == ALT
    assert (
        "Three figures. Measured on Test CPU @ 2GHz, 2 cores, Go 1.25.0, Python 3.11.2, 2026-12-07."
        in built.html
    )
    svg = (built.out / img.group(1)).read_text(encoding="utf-8")
    assert ">a round trip<" in svg and ">a tell<" in svg
    assert ">an ask<" not in svg  # :figures: picked two
    assert svg.index(">a round trip<") < svg.index(">a tell<")  # in the order given


@pytest.mark.parametrize(
    ("recording", "options", "named"),
    [
        (broken("figures[1].ns", "fast"), f":alt: {ALT}\n", "field figures[1].ns"),
        (broken("machine", ...), f":alt: {ALT}\n", "field machine"),
        ('{"recorded": ', f":alt: {ALT}\n", "not JSON"),
        (GOOD, f":alt: {ALT}\n:figures: tell nope\n", "no figure with id 'nope'"),
        (GOOD, "", "no :alt: text"),
    ],
    ids=["bad-number", "missing-machine", "not-json", "unknown-id", "no-alt"],
)
def test_a_bad_recording_stops_the_build_naming_page_file_and_field(
    tmp_path: Path, recording: Any, options: str, named: str
) -> None:
    built = build(tmp_path, recording, options)
    assert built.returncode != 0
    assert "index.md" in built.log and "_data/bench.json" in built.log, built.log
    assert named in built.log, built.log
