"""``twinbook check`` for a terminal: run checks concurrently, remember them, show a table.

The checking itself is :func:`twinbook.runner.check.check_notebook`, the code path the
notebooks' check cells, the integrity tests and the grader share; this module only runs it
for several notebooks at once, records the results in the learner's progress file
(:mod:`twinbook.workbook.progress`) and renders them with rich::

    ┃ Exercise                          ┃ Language ┃ Tests ┃ Status        ┃
    │ ch01-concurrency/01-worker-pool   │ python   │   3/5 │ ✗ failing     │
    │ ch01-concurrency/01-worker-pool   │ go       │   5/5 │ ✓ done        │

    ✗ ch01-concurrency/01-worker-pool (python) · test_never_more_than_limit
      5 calls ran at once with limit=2
      the test: exercises/ch01-concurrency/01-worker-pool/python/test_visible.py
      stuck? twinbook hint ch01-concurrency/01-worker-pool

    Workbook ███████████░░░░░░░░░░░░░░░░░░░ 3/8 done (python 2/4 · go 1/4)
    Next: ch01-concurrency/01-worker-pool (python)
          open exercises/ch01-concurrency/01-worker-pool/python/worker_pool.ipynb

A whole-workbook check leaves out the blocks of notebooks still on their stub: the table
and the "Next" line say enough about those.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from twinbook.exercises import ExerciseError, load_exercise
from twinbook.exercises.model import Exercise
from twinbook.exercises.results import CheckResult, TestResult, finalize
from twinbook.runner.check import check_notebook

from .progress import (
    CHANGED,
    COMPILE_ERROR,
    DONE,
    FAILING,
    NOT_STARTED,
    UNCHECKED,
    Item,
    Progress,
    fingerprint,
    first_failure,
    next_item,
    result_status,
    untouched,
    workbook,
)

STATUS_STYLE = {
    DONE: ("✓ done", "green"),
    FAILING: ("✗ failing", "red"),
    COMPILE_ERROR: ("✗ does not compile", "red"),
    NOT_STARTED: ("· not started", "yellow"),
    CHANGED: ("? changed since checked", "cyan"),
    UNCHECKED: ("· not checked", "dim"),
}


#: lines of a "does not compile" problem shown under a notebook (vetting gives up to 9)
MAX_PROBLEM_LINES = 10


@dataclass
class Checked:
    """One check run from the terminal: the result, its status and the fingerprint of the
    notebook as it was read (for the progress file)."""

    exercise: Exercise
    result: CheckResult
    status: str
    fingerprint: str | None

    @property
    def language(self) -> str:
        return self.result.language

    @property
    def ok(self) -> bool:
        return self.result.ok


def check_one(
    exercise: Exercise, language: str, *, hidden: bool = False, tests_from: Path | None = None
) -> Checked:
    """Check one saved notebook. A notebook that cannot be read (a save in progress, a file
    broken by hand) fails every expected test with the reason instead of raising."""
    print_ = fingerprint(exercise, language)
    fresh = untouched(exercise, language)
    try:
        result = check_notebook(exercise, language, hidden=hidden, tests_from=tests_from)
    except (ExerciseError, OSError) as exc:
        spec = exercise.lang(language)
        result = finalize(
            exercise.id, language, spec.expected(hidden=hidden), {}, f"did not run: {exc}"
        )
    return Checked(exercise, result, result_status(result, exercise, fresh), print_)


def run_checks(
    targets: Iterable[tuple[Path, str]],
    *,
    jobs: int = 0,
    hidden: bool = False,
    tests_from: Callable[[Path], Path | None] = lambda folder: None,
    on_done: Callable[[Checked], None] = lambda checked: None,
) -> list[Checked]:
    """Check (exercise folder, language) pairs, ``jobs`` at a time (0: one per core), and
    return the results in the order of ``targets``. Each check runs in its own subprocess
    (pytest or go test), so threads are enough to overlap them."""
    targets = list(targets)
    exercises: dict[Path, Exercise] = {}
    for folder, _ in targets:
        if folder not in exercises:
            exercises[folder] = load_exercise(folder)
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)

    def work(target: tuple[Path, str]) -> Checked:
        folder, language = target
        checked = check_one(
            exercises[folder], language, hidden=hidden, tests_from=tests_from(folder)
        )
        on_done(checked)
        return checked

    if jobs == 1 or len(targets) == 1:
        return [work(t) for t in targets]
    with ThreadPoolExecutor(
        max_workers=min(jobs, len(targets)), thread_name_prefix="twinbook-check"
    ) as pool:
        return list(pool.map(work, targets))


def record(tree: Path, checked: list[Checked]) -> Progress:
    """Remember the results in the learner's progress file under ``tree`` (a workbook that
    cannot be written to, read-only media say, keeps no record; the check still counts)."""
    progress = Progress.load(tree)
    try:
        progress.record([(c.exercise, c.result, c.fingerprint, c.status) for c in checked])
    except OSError as exc:
        import sys

        print(f"twinbook: progress not saved ({exc})", file=sys.stderr)
    return progress


# --- rendering ---------------------------------------------------------------------------------


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def status_text(status: str) -> Text:
    label, style = STATUS_STYLE.get(status, (status, ""))
    return Text(label, style=style)


def exercise_label(exercise_id: str, *, narrow: bool = False) -> Text:
    """An exercise's id for a table's first column; ``narrow``: the chapter and the exercise
    on two lines, so that a table of the longest ids fits 80 columns without cutting them."""
    chapter, _, name = exercise_id.partition("/")
    return Text(f"{chapter}/\n{name}" if narrow and name else exercise_id)


def fitted(console: Console, make: Callable[[bool], Table]) -> Table:
    """``make(False)``, the one-line-per-row table, when it fits the console's width (80
    columns when the output is piped); else ``make(True)``, its narrow form. Rich would
    otherwise squeeze the other columns into "Lang…" and "pyth…"."""
    from rich.measure import Measurement

    wide = make(False)
    unbounded = console.options.update_width(10_000)  # the table's own width, not the clamp
    if Measurement.get(console, unbounded, wide).maximum <= console.width:
        return wide
    return make(True)


def results_table(checked: list[Checked], console: Console | None = None) -> Table:
    """A row per notebook checked: exercise, language, tests passed, status; fitted to
    ``console`` (:func:`fitted`) when given."""

    def make(narrow: bool) -> Table:
        table = Table(show_edge=True, pad_edge=True, expand=False, show_lines=narrow)
        table.add_column("Exercise", no_wrap=True)
        table.add_column("Language", no_wrap=True)
        table.add_column("Tests", justify="right", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        for c in checked:
            table.add_row(
                exercise_label(c.exercise.id, narrow=narrow),
                c.language,
                f"{c.result.passed}/{c.result.total}",
                status_text(c.status),
            )
        return table

    return make(False) if console is None else fitted(console, make)


def failure_lines(c: Checked, *, verbose: bool = False) -> Text:
    """What to do about a failing notebook: the first failing test and its message, where
    that test lives, how to get a hint; with ``verbose`` every test's line."""
    spec = c.exercise.lang(c.language)
    first: TestResult | None = first_failure(c.result)
    text = Text()
    text.append("✗ ", style="red bold")
    text.append(f"{c.exercise.id} ({c.language})", style="bold")
    if c.result.problem:  # no test ran: say why once, not once per test
        text.append("\n")
        for line in c.result.problem.splitlines()[:MAX_PROBLEM_LINES]:
            text.append(f"  {line}\n")
        first = None
    elif first is not None:
        text.append(" · ")
        text.append(first.name, style="bold red")
        text.append("\n")
        for line in _message_lines(first, c.status):
            text.append(f"  {line}\n")
    else:
        text.append("\n")
    if c.status == NOT_STARTED:
        text.append("  not started yet: replace the stub in the answer cell of ")
        text.append(display_path(spec.notebook_path), style="cyan")
        text.append(", save, check again\n")
    elif first is not None and not spec.is_hidden(first.name):
        text.append("  the test: ", style="dim")
        text.append(f"{display_path(spec.visible_tests_path)}\n", style="dim")
    text.append("  stuck? ", style="dim")
    text.append(f"twinbook hint {c.exercise.id}\n", style="dim")
    if verbose:
        text.append_text(per_test_lines(c))
    return text


def per_test_lines(c: Checked) -> Text:
    """Every test of a check, ``✓ name`` / ``✗ name: message`` (the notebook's report)."""
    text = Text()
    if c.result.problem:
        text.append(f"    none of the {c.result.total} tests ran\n", style="dim")
        return text
    for r in c.result.results:
        mark, style = ("✓", "green") if r.passed else ("✗", "red")
        text.append(f"    {mark} ", style=style)
        text.append(r.name if r.passed else f"{r.name}: {r.first_line()}")
        text.append("\n")
    return text


def _message_lines(result: TestResult, status: str) -> list[str]:
    """The failure message: its first line, or when the answer does not compile the lines
    that say why (the compiler's, vetting's)."""
    lines = [ln.rstrip() for ln in result.message.splitlines() if ln.strip()]
    if not lines:
        return [result.first_line()]
    return lines[:4] if status == COMPILE_ERROR else lines[:1]


def progress_bar(done: int, total: int, width: int = 30) -> Text:
    """``█████░░░░░`` (readable without colour, unlike rich's bar, whose background is blank)."""
    filled = round(width * done / total) if total else 0
    return Text.assemble(("█" * filled, "green"), ("░" * (width - filled), "dim"))


def workbook_summary(items: list[Item]) -> Text:
    """The progress bar over the whole workbook and the next notebook to open."""
    done = sum(item.done for item in items)
    per_lang: dict[str, list[int]] = {}
    for item in items:
        counts = per_lang.setdefault(item.language, [0, 0])
        counts[0] += item.done
        counts[1] += 1
    detail = " · ".join(f"{lang} {d}/{t}" for lang, (d, t) in per_lang.items())
    return Text.assemble(
        ("Workbook ", "bold"),
        progress_bar(done, len(items)),
        f" {done}/{len(items)} done ({detail})\n",
        next_line(items),
    )


def next_line(items: list[Item]) -> Text:
    """``Next: <id> (<language>)`` and the notebook to open: the first not yet passing."""
    item = next_item(items)
    if item is None:
        return Text(f"All {len(items)} exercise notebooks pass. Well done!", style="green bold")
    hint = {CHANGED: " (changed since its last check)", UNCHECKED: " (not checked yet)"}.get(
        item.status, ""
    )
    return Text.assemble(
        ("Next: ", "bold"),
        (f"{item.exercise.id} ({item.language})", "bold"),
        hint,
        "\n      open ",
        (display_path(item.exercise.lang(item.language).notebook_path), "cyan"),
    )


def render(
    console: Console,
    checked: list[Checked],
    *,
    items: list[Item] | None = None,
    verbose: bool = False,
    show_not_started: bool = True,
) -> None:
    """Print the table, a teaching block per failing notebook, then the workbook's bar.

    ``show_not_started`` False leaves out the blocks of notebooks still on their stub (a
    whole-workbook check: the table and the "Next" line say enough about those)."""
    console.print(results_table(checked, console))
    for c in checked:
        if c.ok and verbose:
            console.print()
            console.print(
                Text.assemble(("✓ ", "green bold"), (f"{c.exercise.id} ({c.language})", "bold"))
            )
            console.print(per_test_lines(c), end="", soft_wrap=True)
        if c.ok or (c.status == NOT_STARTED and not show_not_started and not verbose):
            continue
        console.print()
        console.print(failure_lines(c, verbose=verbose), end="", soft_wrap=True)
    if items is not None:
        console.print()
        console.print(workbook_summary(items), soft_wrap=True)


def items_for(tree: Path, progress: Progress | None, checked: list[Checked]) -> list[Item]:
    """The workbook's items, the notebooks just checked taking their fresh status."""
    fresh = {(c.exercise.id, c.language): c.status for c in checked}
    items = workbook(tree, progress)
    return [
        Item(i.exercise, i.language, fresh.get((i.exercise.id, i.language), i.status))
        for i in items
    ]


# --- twinbook progress --------------------------------------------------------------------------


def chapters_table(items: list[Item]) -> Table:
    """Per chapter: notebooks passing / total, per language."""
    from .progress import chapters

    languages = list(dict.fromkeys(item.language for item in items))
    table = Table(show_edge=True)
    table.add_column("Chapter", no_wrap=True)
    for language in languages:
        table.add_column(language.capitalize(), justify="right")
    for summary in chapters(items):
        cells = []
        for language in languages:
            total = summary.total.get(language, 0)
            done = summary.done.get(language, 0)
            style = "green" if total and done == total else ""
            cells.append(Text(f"{done}/{total}" if total else "-", style=style))
        table.add_row(summary.chapter, *cells)
    return table


def exercises_table(items: list[Item], console: Console | None = None) -> Table:
    """Per exercise: the status of each language's notebook; fitted to ``console``."""
    languages = list(dict.fromkeys(item.language for item in items))
    rows: dict[str, dict[str, str]] = {}
    for item in items:
        rows.setdefault(item.exercise.id, {})[item.language] = item.status

    def make(narrow: bool) -> Table:
        table = Table(show_edge=True, show_lines=narrow)
        table.add_column("Exercise", no_wrap=True)
        for language in languages:
            table.add_column(language.capitalize(), no_wrap=True)
        for ex_id, statuses in rows.items():
            table.add_row(
                exercise_label(ex_id, narrow=narrow),
                *(
                    status_text(statuses[language]) if language in statuses else Text("-")
                    for language in languages
                ),
            )
        return table

    return make(False) if console is None else fitted(console, make)


def render_progress(console: Console, items: list[Item], *, exercises: bool = False) -> None:
    console.print(exercises_table(items, console) if exercises else chapters_table(items))
    changed = sum(item.status == CHANGED for item in items)
    unchecked = sum(item.status == UNCHECKED for item in items)
    notes = []
    if changed:
        notes.append(f"{changed} changed since their last check")
    if unchecked:
        notes.append(f"{unchecked} never checked")
    if notes:
        console.print(
            Text(f"{' and '.join(notes)}: `twinbook progress --refresh` checks them", style="dim"),
            soft_wrap=True,
        )
    console.print()
    console.print(workbook_summary(items), soft_wrap=True)
