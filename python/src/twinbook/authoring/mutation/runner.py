"""Running the mutants of an exercise through the exercise checker, and what became of each.

A mutant is **killed** when a test fails (a test that times out or crashes fails too), has
**survived** when every visible and hidden test passes, and is **invalid** when it does not
compile (Python: ``compile()``; Go: the checker says it does not compile): an invalid
mutant is neither, and is left out of the score, as are the **equivalent** ones the
exercise lists (:mod:`.equivalents`). The score is killed / (mutants - invalid -
equivalent); the bar is :data:`BAR`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from twinbook.exercises.model import Exercise
from twinbook.exercises.results import CheckResult
from twinbook.runner.check import answer_source, check_source

from .equivalents import Equivalent, equivalents_path, load_equivalents
from .mutant import Mutant, answer_regions, identify, in_regions

#: every exercise in each language kills at least this share of its non-equivalent mutants
BAR = 0.98

KILLED, SURVIVED, INVALID, EQUIVALENT = "killed", "survived", "invalid", "equivalent"
#: a listed equivalent that a test tells from the solution after all (its entry is wrong)
EQUIVALENT_KILLED = "equivalent-killed"

#: runs an answer file against an exercise's visible and hidden tests
Checker = Callable[[str, Exercise, str], CheckResult]


def hidden_check(source: str, exercise: Exercise, language: str) -> CheckResult:
    """The checker learners and the grader use, with the hidden tests."""
    return check_source(source, exercise, language, hidden=True)


def mutants_of(source: str, language: str) -> list[Mutant]:
    """The mutants of an answer file's answer region, with their stable ids."""
    if language == "python":
        from .python_ops import python_edits

        edits = python_edits(source)
    else:
        from .go_ops import go_edits

        edits = go_edits(source)
    return identify(source, in_regions(edits, answer_regions(source)))


@dataclass
class Plan:
    """What runs for one exercise in one language: its solution's answer file, its
    mutants, and the entries of its equivalents file."""

    exercise: Exercise
    language: str
    source: str
    mutants: list[Mutant]
    equivalents: list[Equivalent]

    @property
    def equivalent_ids(self) -> set[str]:
        return {e.mutant for e in self.equivalents}

    def stale(self) -> list[Equivalent]:
        """Entries naming a mutant that no longer exists."""
        ids = {m.id for m in self.mutants}
        return [e for e in self.equivalents if e.mutant not in ids]

    def unexplained(self) -> list[Equivalent]:
        """Entries without a reason."""
        return [e for e in self.equivalents if not e.reason]

    def candidates(self) -> list[Mutant]:
        """The non-equivalent mutants in a fixed order that does not follow the file (a
        hash of the stable id): the sample ``make test`` runs is the first few valid ones.
        Python mutants that do not compile are left out here already."""
        listed = self.equivalent_ids
        chosen = [
            m
            for m in self.mutants
            if m.id not in listed and _compiles(self.language, m.apply(self.source))
        ]
        return sorted(chosen, key=lambda m: hashlib.sha256(m.id.encode()).hexdigest())


def plan(exercise: Exercise, language: str) -> Plan:
    """The plan for one exercise and language of the solutions tree."""
    spec = exercise.lang(language)
    source = answer_source(spec)
    equivalents = load_equivalents(equivalents_path(spec.notebook_path.parent))
    return Plan(exercise, language, source, mutants_of(source, language), equivalents)


@dataclass(frozen=True)
class Outcome:
    """What became of one mutant: its status, why (the first failing test, or the
    compiler's complaint), and how long its check took."""

    mutant: Mutant
    status: str
    detail: str = ""
    seconds: float = 0.0


@dataclass
class PairResult:
    """The outcomes of one exercise in one language."""

    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def scored(self) -> int:
        """Mutants that count: neither invalid nor listed as equivalent."""
        return self.count(KILLED, SURVIVED)

    @property
    def score(self) -> float:
        """killed / (mutants - invalid - equivalent); 1.0 when none counts."""
        return self.count(KILLED) / self.scored if self.scored else 1.0

    def survivors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == SURVIVED]

    def problems(self) -> list[str]:
        """Why this pair fails the run (empty when it passes)."""
        found = []
        if self.score < BAR:
            found.append(f"score {self.score:.1%} is below the bar of {BAR:.0%}")
        path = equivalents_path(self.plan.exercise.lang(self.plan.language).notebook_path.parent)
        for entry in self.plan.stale():
            found.append(f"{path.name}: stale entry, no such mutant: {entry.mutant!r}")
        for entry in self.plan.unexplained():
            found.append(f"{path.name}: entry without a reason: {entry.mutant!r}")
        for o in self.outcomes:
            if o.status == EQUIVALENT_KILLED:
                found.append(
                    f"{path.name}: listed as equivalent but a test kills it: {o.mutant.id!r} ({o.detail})"
                )
        return found


def _compiles(language: str, source: str) -> bool:
    """Python mutants are compiled here (cheap); Go's compiler is the checker's business."""
    if language != "python":
        return True
    try:
        compile(source, "answer.py", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def classify(result: CheckResult) -> tuple[str, str]:
    """The status of a mutant from its check, and the line that says why."""
    if result.problem:
        return INVALID, result.problem.splitlines()[0]
    failed = next((r for r in result.results if not r.passed), None)
    if failed is None:
        return SURVIVED, ""
    return KILLED, f"{failed.name}: {failed.first_line()}"


class MutationError(RuntimeError):
    """A pair cannot be measured: its solution fails the checker, or a check crashed.
    Counting those as kills would report a broken setup (a missing tool, a broken test
    file) as a perfect score."""


def check_baseline(plan: Plan, checker: Checker = hidden_check) -> None:
    """The unmutated solution must pass every visible and hidden test, as mutmut and
    cosmic-ray first run the suite on the code as it is: a mutant is only killed by a test
    that passes without it."""
    try:
        result = checker(plan.source, plan.exercise, plan.language)
    except Exception as exc:
        raise MutationError(
            f"{plan.exercise.id} ({plan.language}): the check of the solution itself crashed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    status, detail = classify(result)
    if status != SURVIVED:
        raise MutationError(
            f"{plan.exercise.id} ({plan.language}): the solution itself does not pass the "
            f"tests ({detail}), so no mutant can be measured"
        )


def run_mutant(plan: Plan, mutant: Mutant, checker: Checker = hidden_check) -> Outcome:
    """Check one mutant (an equivalent one too, when asked to)."""
    started = time.monotonic()
    source = mutant.apply(plan.source)
    if not _compiles(plan.language, source):
        return Outcome(mutant, INVALID, "does not compile (Python's compile())", 0.0)
    try:
        status, detail = classify(checker(source, plan.exercise, plan.language))
    except Exception as exc:  # the tool broke, not the mutant: never counted as a kill
        raise MutationError(
            f"{plan.exercise.id} ({plan.language}): the check of {mutant.id!r} crashed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if mutant.id in plan.equivalent_ids:
        status = EQUIVALENT_KILLED if status == KILLED else EQUIVALENT
    return Outcome(mutant, status, detail, time.monotonic() - started)


def run_plan(
    plan: Plan,
    *,
    jobs: int = 2,
    checker: Checker = hidden_check,
    run_equivalents: bool = False,
    only: Iterable[Mutant] | None = None,
) -> PairResult:
    """Every mutant of ``plan`` (or ``only`` these), ``jobs`` at once, after the solution
    itself has passed every test through the same checker (:func:`check_baseline`)."""
    started = time.monotonic()
    check_baseline(plan, checker)
    listed = plan.equivalent_ids
    chosen = list(only) if only is not None else plan.mutants
    skipped = [
        Outcome(m, EQUIVALENT, "listed in the equivalents file")
        for m in chosen
        if m.id in listed and not run_equivalents
    ]
    to_run = [m for m in chosen if run_equivalents or m.id not in listed]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        ran = list(pool.map(lambda m: run_mutant(plan, m, checker), to_run))
    order = {m.id: i for i, m in enumerate(chosen)}
    outcomes = sorted(ran + skipped, key=lambda o: order[o.mutant.id])
    return PairResult(plan, outcomes, time.monotonic() - started)
