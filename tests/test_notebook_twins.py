"""Chapter 3's two teaching notebooks print the same supervision log and timeline.

Both notebooks claim it ("the same supervision log and timeline, to the millisecond":
one spec, two implementations), and a reader comparing them side by side relies on it.
nbval proves that each notebook's committed outputs are what a fresh run prints; this
test proves that the two notebooks' committed outputs of the supervision tree agree,
line for line, so a change to one language's Tree (or to one notebook's script) that
the other does not share fails here, naming the lines that differ.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.repo import ROOT

NOTEBOOKS = ROOT / "notebooks" / "ch03-teammates"

#: The supervision tree's lines: the action log's rows (`   1000  api crash        start api`),
#: the timeline's rows (`  db/conn ====x===|`) and the give-ups under it.
TREE_LINE = re.compile(
    r"^(\s*\d+  \S.*"
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
        assert [line for line in lines if line.startswith("give_up")] == [
            "give_up db at 3500 ms",
            "give_up / at 6000 ms",
        ]
        assert len([line for line in lines if re.match(r"\s*[a-z/]+ [ =x|o!]+$", line)]) == 6


def test_go_and_python_print_the_same_tree(go_lines: list[str], python_lines: list[str]) -> None:
    differ = [(g, p) for g, p in zip(go_lines, python_lines, strict=False) if g != p]
    assert go_lines == python_lines, f"Go vs Python, the lines that differ: {differ}"
