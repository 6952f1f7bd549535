"""The twin notebooks of a chapter print the same results, line for line.

Chapter 3's two teaching notebooks claim it ("the same supervision log and timeline, to
the millisecond": one spec, two implementations), chapter 4's too (the same partitions,
offsets, logs and lags), and a reader comparing them side by side relies on it. nbval
proves that each notebook's committed outputs are what a fresh run prints; this test
proves that the two notebooks' committed outputs agree, line for line, so a change to
one language's code (or to one notebook's script) that the other does not share fails
here, naming the lines that differ.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.repo import ROOT

NOTEBOOKS = ROOT / "notebooks" / "ch03-teammates"

#: The supervision tree's lines: the action log's rows (`   1000  api crash        start api`)
#: and their continuations (actions past 100 columns go on below, under their column), the
#: timeline's rows (`  db/conn ====x===|`) and the give-ups under it.
TREE_LINE = re.compile(
    r"^(\s*\d+  \S.*"
    r"| {26}\S.*"
    r"|\s*(db|db/conn|db/cache|api|reporter|probe) [ =x|o!]+"
    r"|give_up \S+ at \d+ ms"
    r"|each character is 100 ms: .*"
    r"|\s+t_ms  event\s+actions)$"
)


def tree_lines(notebook: Path) -> list[str]:
    """The supervision tree's lines among the notebook's committed stdout, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "".join(
        "".join(output["text"])
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )
    return [line.rstrip() for line in text.splitlines() if TREE_LINE.match(line.rstrip())]


@pytest.fixture(scope="module")
def go_lines() -> list[str]:
    return tree_lines(NOTEBOOKS / "teammates_go.ipynb")


@pytest.fixture(scope="module")
def python_lines() -> list[str]:
    return tree_lines(NOTEBOOKS / "teammates_python.ipynb")


def test_the_tree_is_shown_in_full(go_lines: list[str], python_lines: list[str]) -> None:
    """Both show the start, every exit of the script, the 1 ms-later variant, every row
    of the timeline and both give-ups; a notebook that lost a cell's output fails here."""
    for lines in (go_lines, python_lines):
        assert sum(bool(re.match(r"\s*\d+  ", line)) for line in lines) == 9, lines
        assert " " * 26 + "start probe" in lines, "the start row's last action, on its own line"
        assert [line for line in lines if line.startswith("give_up")] == [
            "give_up db at 3500 ms",
            "give_up / at 6000 ms",
        ]
        assert len([line for line in lines if re.match(r"\s*[a-z/]+ [ =x|o!]+$", line)]) == 6


def test_go_and_python_print_the_same_tree(go_lines: list[str], python_lines: list[str]) -> None:
    differ = [(g, p) for g, p in zip(go_lines, python_lines, strict=False) if g != p]
    assert go_lines == python_lines, f"Go vs Python, the lines that differ: {differ}"


# Chapter 4's two notebooks tell one story on one broker protocol: the same keys land on
# the same partitions at the same offsets (murmur2 in both clients), the same rebalance
# log, the same records lost or redelivered, the same registry answers, wire bytes, dead
# letter and lags. Each language prints lists its own way ([0, 2, 4] and [0 2 4]), and
# some lines are its own (an error's text, a map's spelling): the lines below are the
# shared ones, compared once commas, quotes and the spelling of booleans are set aside.

EVENTS = ROOT / "notebooks" / "ch04-events"

EVENTS_LINE = re.compile(
    r"^(\w+ +-> partition .*"
    r"|partition \d: .*"
    r"|every key in order: .*"
    r"|with m2: .*"
    r"|after m2 left: .*"
    r"|member +event +partitions"
    r"|m[12] +(assigned|revoked|lost) +\d+"
    r"|[a-z-]+: (second consumer processed|lost) .*"
    r"|versions: .*"
    r"|written with id .*"
    r"|refused: .*"
    r"|magic byte: .*"
    r"|schema id: .*"
    r"|Avro body: .*"
    r"|decoded: .*"
    r"|total of the good ones: .*"
    r"|key: .*"
    r"|  dlq\.(topic|partition|offset) .*"
    r"|lag after each tick: .*"
    r"|read \d+ of \d+ records.*)$"
)


def events_lines(notebook: Path) -> list[str]:
    """The shared lines among the notebook's committed stdout, normalized, in order."""
    lines = []
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "".join(
        "".join(output["text"])
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )
    for raw in text.splitlines():
        line = re.sub(r",\s*", " ", raw.rstrip()).replace("'", "")
        line = line.replace("True", "true").replace("False", "false")
        if EVENTS_LINE.match(line):
            lines.append(line)
    return lines


def test_events_notebooks_show_the_whole_story() -> None:
    """Every step of the story printed its shared lines in both notebooks; a notebook
    that lost a cell's output fails here."""
    for name in ("events_go.ipynb", "events_python.ipynb"):
        lines = events_lines(EVENTS / name)
        assert len(lines) == 37, (name, lines)
        assert "lag after each tick: [10 20 30 40 50 60 40 20 0]" in lines, name
        assert "at-most-once: lost [p2] processed twice []" in lines, name
        assert "at-least-once: lost [] processed twice []" in lines, name


def test_go_and_python_tell_the_same_events_story() -> None:
    go = events_lines(EVENTS / "events_go.ipynb")
    python = events_lines(EVENTS / "events_python.ipynb")
    differ = [(g, p) for g, p in zip(go, python, strict=False) if g != p]
    assert go == python, f"Go vs Python, the lines that differ: {differ}"
