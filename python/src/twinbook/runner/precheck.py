"""What a learner's check says before any test runs: the grader's own refusals, in the
learner's cells.

The grader refuses an answer before running it when it does not parse or compile, or when
:func:`twinbook.runner.vet.vet` rejects it (imports outside the exercise's allowlist,
forbidden names and constructs; for Python also the restricted subset it runs in, which
vetting includes). A check that let such an answer through would say "✓ done" for an
answer the grader scores 0, so every check (the notebook's check cell on either kernel,
``twinbook check``, ``twinbook watch``) asks the same function first, and says what it
found with the answer cell and line the learner wrote (:mod:`twinbook.exercises.cells`)
instead of a line of a file they never see.

Each function returns the problem (``"does not compile: ..."``), or ``""`` when the tests
may run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from twinbook.exercises.cells import Locate, go_locator, python_locator, relocate
from twinbook.exercises.model import Exercise
from twinbook.exercises.notebook import python_answer_file
from twinbook.exercises.results import DOES_NOT_COMPILE, TestResult

from . import messages, vet

#: said when the kernel still holds names from an earlier, successful run of the cell
STALE = (
    "your latest run of the answer cell failed, so the tests did not run: they would "
    "have tested the definitions of an earlier run. Fix the cell and run it again."
)


def _problem(reasons: list[str], locate: Locate) -> str:
    if not reasons:
        return ""
    lines = [relocate(reason, locate) for reason in reasons]
    return "\n".join([f"{DOES_NOT_COMPILE}: {lines[0]}", *lines[1:]])


def python_problem(exercise: Exercise, cells: list[str], *, latest_run: bool = False) -> str:
    """Why the Python answer ``cells`` would not run in the grader ("" when it would).

    ``latest_run``: the cells are the kernel's latest runs of the answer cells; one that
    does not compile left the names of an earlier run, and the problem then says so."""
    source = python_answer_file(cells)
    locate = python_locator(cells)
    try:
        compile(source, "answer.py", "exec", dont_inherit=True)
    except SyntaxError as exc:
        # the kernel did not run it either: its names are an earlier run's
        problem = _problem([f"line {exc.lineno}: {type(exc).__name__}: {exc.msg}"], locate)
        return f"{problem}\n{STALE}" if latest_run else problem
    except (ValueError, MemoryError, RecursionError) as exc:
        return _problem([f"the answer cannot be compiled ({type(exc).__name__}: {exc})"], locate)
    return _problem(vet.vet(exercise, "python", source), locate)


def go_problem(exercise: Exercise, source: str, cells: list[str]) -> str:
    """Why the Go answer file ``source`` (built from ``cells``, or GoNB's program) would be
    refused by the grader ("" when it would not)."""
    reasons = vet.vet(exercise, "go", source)
    return _problem(reasons, go_locator(vet.go_source(source), cells))


_UNDEFINED_IN_TESTS = re.compile(
    r"^(?:\./)?\w+_test\.go:\d+(?::\d+)?: undefined: (?P<name>\w+)$", re.M
)


def go_compile_problem(compiler: str, compiled: str, cells: list[str]) -> str:
    """The compiler's errors (``./answer.go:4:35: ...``) for the Go file ``compiled``, with
    the cell lines they come from; a name the tests use and the answer lacks says so."""
    compiler = _UNDEFINED_IN_TESTS.sub(
        lambda m: (
            f"the tests use {m.group('name')}, which your answer does not define "
            "(declare it in the answer cell and run that cell)"
        ),
        compiler.strip(),
    )
    lines = [ln for ln in compiler.splitlines() if ln.strip()]
    return _problem(lines, go_locator(compiled, cells))


_RACE_PLACE = re.compile(r"\((?:answer|main)\.go:(?P<line>\d+)\)")


def locate_races(results: Iterable[TestResult], compiled: str, cells: list[str]) -> None:
    """The data-race failures among ``results`` (:func:`twinbook.runner.messages.data_race`)
    with the answer file's lines (``(answer.go:10)``) replaced, in place, by the cells'
    (``(answer cell 2, line 4)``); a line no cell holds stays as it was."""
    locate = go_locator(compiled, cells)

    def place(match: re.Match[str]) -> str:
        found = locate(int(match.group("line")))
        return f"({found})" if found is not None else match.group(0)

    for result in results:
        if result.message.startswith(messages.DATA_RACE):
            result.message = _RACE_PLACE.sub(place, result.message)
