"""Each student's notebooks given back with the feedback inside.

For every exercise whose notebook the student submitted, OUT/returned/<student>/ gets that
notebook (same relative path as in ``exercises/``) with:

* a Markdown cell at the top: the exercise's status and points;
* under the last answer cell, a Markdown cell with the exercise's details (the same text
  as the feedback page: failing visible tests with their messages, hidden tests by name and
  outcome only);

and its HTML rendering next to it (``.html``), made with nbconvert's ``basic`` template
(``sanitize_html`` on) inside a page whose Content-Security-Policy allows no script, no
network and no remote image: a student's notebook is untrusted, and the page is opened
by the instructor and the student in their browsers. Outputs are cleared first (a student
could store any HTML there); nothing needs the network or a browser to render.

A notebook that nbformat cannot read is not returned (the feedback already says why).
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path
from typing import Any

from .grade import ClassGrade, ExerciseGrade, StudentGrade
from .reports import exercise_markdown

_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}
.jp-Cell{margin:1rem 0}.jp-InputPrompt,.jp-OutputPrompt{display:none}
.twinbook-feedback{border-left:4px solid #1f5fa8;padding-left:.8rem;background:#f4f8fd}
""".strip()
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", sanitize_html=True, exclude_anchor_links=True)


def _feedback_cell(nbformat: Any, lines: list[str]) -> Any:
    cell = nbformat.v4.new_markdown_cell("\n".join(lines).rstrip("\n"))
    cell.metadata["twinbook"] = {"role": "feedback"}
    cell.pop("id", None)
    return cell


def returned_notebook(data: bytes, e: ExerciseGrade) -> Any | None:
    """The notebook ``data`` with the feedback of ``e`` inserted, or None if unreadable."""
    import nbformat

    from twinbook.exercises.notebook import cell_role, clear_outputs

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        if not all(isinstance(c.get("source"), str) for c in nb.cells):
            return None
        clear_outputs(nb)
        answers = [i for i, c in enumerate(nb.cells) if cell_role(c) == "answer"]
    except Exception:  # a damaged notebook: not returned, the feedback says why
        return None
    head = [f"**Feedback: {e.exercise} ({e.language}): {e.summary()}**"]
    details = exercise_markdown(e, level=3)
    at = answers[-1] + 1 if answers else len(nb.cells)
    nb.cells.insert(at, _feedback_cell(nbformat, details))
    nb.cells.insert(0, _feedback_cell(nbformat, head))
    for cell in nb.cells:  # stable bytes: no random cell ids
        cell.pop("id", None)
    nb.nbformat_minor = min(nb.get("nbformat_minor", 4), 4)
    return nb


def render_html(nb: Any, title: str) -> str:
    import html

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        body, _ = _exporter().from_notebook_node(nb)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
        f"{body}\n</body></html>\n"
    )


def write_returned(grades: ClassGrade, out: Path, jobs: int = 1) -> None:
    """OUT/returned/<student>/<exercise id>/<notebook> (.ipynb and .html) for every
    submitted notebook of every student (see the module's docstring). Rendering costs
    about 0.2-0.5 s a notebook (nbconvert, mostly its HTML sanitizer), so with ``jobs`` > 1
    students are rendered in that many processes (grading is over: the cores are free)."""
    if jobs <= 1 or len(grades.students) < 2:
        for student in grades.students:
            write_student(student, out / "returned" / student.student)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _exporter()  # loaded once here, inherited by the forked workers
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [
            pool.submit(write_student, s, out / "returned" / s.student) for s in grades.students
        ]
        for future in futures:
            future.result()


def write_student(student: StudentGrade, folder: Path) -> None:
    import nbformat

    for e in student.exercises:
        data = student.notebooks.get(e.key)
        if data is None:
            continue
        nb = returned_notebook(data, e)
        if nb is None:
            continue
        target = folder / e.exercise / e.language / Path(e.notebook or "notebook.ipynb").name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        target.with_suffix(".html").write_text(
            render_html(nb, f"{student.student}: {e.exercise} ({e.language})"), encoding="utf-8"
        )
