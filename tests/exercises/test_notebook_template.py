"""Every exercise notebook follows one template (exercises/README.md, "The notebook template").

A learner who has done one exercise knows where everything is in the next: the same cells in
the same order, the task in the same sections, a "Try it" heading over the demo and a "Check"
heading over the check cell, in both languages. solutions/ is checked (exercises/ is generated
from it, and `tests/exercises/test_exercises_integrity.py` proves the two agree).
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from pathlib import Path

import pytest

from tests.repo import SOLUTIONS
from twinbook.exercises import load_exercise
from twinbook.exercises.notebook import cell_role, read_notebook

LANGUAGE_NAMES = {"python": "Python", "go": "Go"}

#: The task cell's sections: each paragraph starts with its label, once, in this order.
TASK_SECTIONS = (
    "**The idea.**",
    "**Your task.**",
    "**Example.**",
    "**The tests check**",
    "**Allowed imports**",
)

#: (cell type, role, what the cell starts with) after the task cell and the answer cells.
TAIL = (
    ("markdown", "demo", "## Try it\n"),
    ("code", "demo", ""),
    ("markdown", "check", "## Check\n"),
    ("code", "check", ""),
)


def _notebooks() -> list[tuple[str, str, Path]]:
    found = []
    for toml in sorted(SOLUTIONS.glob("*/*/exercise.toml")):
        ex = load_exercise(toml.parent)
        for language, spec in ex.languages.items():
            found.append((ex.id, language, spec.notebook_path))
    return found


NOTEBOOKS = _notebooks()


@pytest.fixture(params=NOTEBOOKS, ids=[f"{e}-{lang}" for e, lang, _ in NOTEBOOKS])
def notebook(request):
    ex_id, language, path = request.param
    return load_exercise(SOLUTIONS / ex_id), language, read_notebook(path)


def test_cells_follow_the_template(notebook) -> None:
    _, _, nb = notebook
    shape = [(c.cell_type, cell_role(c)) for c in nb.cells]
    assert shape[0] == ("markdown", "task"), f"the task comes first: {shape}"
    answers = 1
    while answers < len(shape) and shape[answers] == ("code", "answer"):
        answers += 1
    assert answers > 1, f"the answer cell follows the task: {shape}"
    tail = nb.cells[answers:]
    assert [(c.cell_type, cell_role(c)) for c in tail] == [(t, r) for t, r, _ in TAIL], (
        "after the answer cells: the 'Try it' heading, the demo, the 'Check' heading and the "
        f"check cell, in that order; found {shape[answers:]}"
    )
    for cell, (_, _, start) in zip(tail, TAIL, strict=True):
        assert cell.source.startswith(start), f"{cell.source[:40]!r} should start {start!r}"
        if start:
            assert cell.source.strip() != start.strip(), f"{start.strip()} says nothing more"


def test_task_has_the_template_sections_in_order(notebook) -> None:
    ex, language, nb = notebook
    task = nb.cells[0].source
    title = f"# Exercise: {ex.title[0].lower()}{ex.title[1:]} ({LANGUAGE_NAMES[language]})"
    assert task.splitlines()[0] == title, f"the task's heading should be {title!r}"
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", task)]
    labels = [label for p in paragraphs for label in TASK_SECTIONS if p.startswith(label)]
    assert labels == list(TASK_SECTIONS), (
        f"each section once, in this order: {TASK_SECTIONS}; found {labels}"
    )
    after_example = paragraphs[[p.startswith("**Example.**") for p in paragraphs].index(True) + 1]
    example = paragraphs[[p.startswith("**Example.**") for p in paragraphs].index(True)]
    assert "```" in example or after_example.startswith("```"), "the example is a code block"
    imports = next(p for p in paragraphs if p.startswith("**Allowed imports**"))
    assert "Stuck?" in imports, "the last section says how to get a hint"


def test_count_window_example_waits_exactly_the_open_wait() -> None:
    # The example opened the breaker at 0 ms and moved the clock to 5030 ms while its comment
    # said "5000 ms later": half_open comes exactly wait_in_open_ms after the opening.
    for language in ("python", "go"):
        spec = load_exercise(SOLUTIONS / "ch02-circuit-breaker" / "01-count-window").languages[
            language
        ]
        task = read_notebook(spec.notebook_path).cells[0].source
        wait = int(re.search(r"(?:wait_in_open_ms=|WaitInOpenMs: )(\d+)", task).group(1))
        now, comment = re.search(r"^now = (\d+) +(?:#|//)(.*)$", task, re.M).groups()
        later = [int(n) for n in re.findall(r"(\d+) ms later", comment)]
        assert int(now) == wait and later == [wait], (
            f"{language}: the clock moves to {now} ms, the comment says {comment.strip()!r}, "
            f"the wait is {wait} ms"
        )


def test_python_demo_imports_the_modules_it_uses(notebook) -> None:
    # The demo runs after the learner's answer, whatever that imports: a demo that uses
    # `threading` because the model answer imported it fails with a NameError for a learner
    # who wrote the answer with concurrent.futures.
    _, language, nb = notebook
    if language != "python":
        return
    for cell in nb.cells:
        if cell.cell_type != "code" or cell_role(cell) != "demo":
            continue
        tree = ast.parse(cell.source)
        imported = {
            (alias.asname or alias.name).split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        used = {
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        missing = sorted((used & sys.stdlib_module_names) - imported - set(dir(builtins)))
        assert not missing, f"the demo uses {missing} without importing them"
