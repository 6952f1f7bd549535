"""Every code line of every notebook fits 100 columns.

JupyterLab does not wrap code cells: at 1280 px with the file browser open a cell shows
about 100 columns, and a longer line is cut off at the cell's edge, so the reader of a
teaching notebook or an exercise misses the end of it (often the part that matters: the
last argument, the comment's point). Tabs count as 4 columns, as JupyterLab shows Go's.
The teaching notebooks, the solutions and the exercises generated from them are checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.repo import EXERCISES, ROOT, SOLUTIONS

#: The widest code line that a 1280 px JupyterLab window with the file browser open shows whole.
MAX_COLUMNS = 100

NOTEBOOKS = sorted(
    [
        *(ROOT / "notebooks").glob("*/*.ipynb"),
        *SOLUTIONS.glob("*/*/*/*.ipynb"),
        *EXERCISES.glob("*/*/*/*.ipynb"),
    ]
)


def too_wide(notebook: Path) -> list[str]:
    """`cell N line M (W columns): text` for each code line wider than MAX_COLUMNS."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        for number, line in enumerate("".join(cell["source"]).splitlines(), start=1):
            width = len(line.expandtabs(4))
            if width > MAX_COLUMNS:
                found.append(
                    f"cell {index} ({cell.get('id')}) line {number} ({width} columns): {line}"
                )
    return found


def test_notebooks_are_found() -> None:
    """The globs still match the layout: teaching notebooks, solutions and exercises."""
    folders = {path.relative_to(ROOT).parts[0] for path in NOTEBOOKS}
    assert folders == {"notebooks", "solutions", "exercises"}, folders


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_lines_fit_100_columns(notebook: Path) -> None:
    wide = too_wide(notebook)
    assert not wide, (
        f"{notebook.relative_to(ROOT)}: code lines wider than {MAX_COLUMNS} columns:\n"
        + ("\n".join(wide))
    )


def test_a_wide_line_is_named(tmp_path: Path) -> None:
    """The check itself: a 101-column line is caught (a tab counts 4), a 100-column one is not."""
    notebook = tmp_path / "n.ipynb"
    cells = [
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["x" * 200]},
        {
            "cell_type": "code",
            "id": "a",
            "metadata": {},
            "source": ["x" * 100 + "\n", "\t" + "y" * 96],
        },
        {"cell_type": "code", "id": "b", "metadata": {}, "source": ["ok\n", "\t" + "z" * 97]},
    ]
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert too_wide(notebook) == ["cell 2 (b) line 2 (101 columns): \t" + "z" * 97]
