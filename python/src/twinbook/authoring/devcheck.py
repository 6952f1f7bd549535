"""``twinbook dev check``: prove that an exercise is sound, in each of its languages.

For one exercise of the solutions tree (or every one) and each of its languages:

* its **solution** (the solution notebook's answer cells) passes every visible and every
  hidden test;
* its **stub** (the answer cells as the generator strips them for learners) fails at least
  one visible test, so a learner who changes nothing never sees "all passed".

Both go through :func:`twinbook.runner.check.check_source`, the runner layer and result
channel that ``twinbook check`` and the grader use, so what this proves is what learners
and the grader will see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from twinbook.exercises.model import Exercise, find_exercises
from twinbook.exercises.notebook import (
    answer_cells,
    go_answer_file,
    make_stub_notebook,
    python_answer_file,
    read_notebook,
)
from twinbook.exercises.results import CheckResult
from twinbook.runner.check import answer_source, check_source


@dataclass(frozen=True)
class Proof:
    """What ``dev check`` found for one exercise in one language."""

    exercise: Exercise
    language: str
    solution: CheckResult  # visible and hidden tests against the solution
    stub: CheckResult  # visible tests against the generated stub

    @property
    def ok(self) -> bool:
        return self.solution.ok and not self.stub.ok

    def problems(self) -> list[str]:
        """One line per broken promise (empty when :attr:`ok`)."""
        found = []
        if not self.solution.ok:
            first = next(r for r in self.solution.results if not r.passed)
            found.append(f"the solution fails {first.name}: {first.first_line()}")
        if self.stub.ok:
            found.append("the stub passes every visible test")
        return found


def stub_source(exercise: Exercise, language: str) -> str:
    """The answer file a learner starts from: the solution notebook's answer cells,
    stripped as the generator strips them."""
    spec = exercise.lang(language)
    nb = make_stub_notebook(
        read_notebook(spec.notebook_path), language, exercise.title, str(spec.notebook_path)
    )
    cells = answer_cells(nb)
    return python_answer_file(cells) if language == "python" else go_answer_file(cells)


def prove(exercise: Exercise, language: str) -> Proof:
    """Run the solution (visible and hidden tests) and the stub (visible tests)."""
    spec = exercise.lang(language)
    solution = check_source(answer_source(spec), exercise, language, hidden=True)
    stub = check_source(stub_source(exercise, language), exercise, language)
    return Proof(exercise, language, solution, stub)


def targets(
    solutions: Path, exercise: str | None = None, lang: str | None = None
) -> list[tuple[Exercise, str]]:
    """(exercise, language) pairs of the solutions tree: every one, or one exercise by id
    (``ch01-concurrency/01-worker-pool``) or by its folder name (``01-worker-pool``)."""
    pairs: list[tuple[Exercise, str]] = []
    for ex in find_exercises(solutions):
        if exercise not in (None, ex.id, ex.folder.name):
            continue
        pairs += [(ex, language) for language in ex.languages if lang in (None, language)]
    return pairs


def prove_all(
    pairs: Iterable[tuple[Exercise, str]],
    *,
    jobs: int = 1,
    on_done: Callable[[Proof], None] = lambda proof: None,
) -> list[Proof]:
    """:func:`prove` for each pair, ``jobs`` at once, in the pairs' order."""

    def one(pair: tuple[Exercise, str]) -> Proof:
        proof = prove(*pair)
        on_done(proof)
        return proof

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, pairs))
