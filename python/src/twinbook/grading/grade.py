"""Grade a class: answer cells in, points out.

For every student, exercise and language (the instructor's ``solutions/`` decides which
exist and what they are worth):

1. the notebook is read from the submission (:mod:`.submissions`); missing, unreadable or
   invalid scores zero with a line saying so;
2. only the code cells with ``metadata.twinbook.role == "answer"`` are taken and joined
   into an answer file, the same way ``twinbook check`` does; everything else (tests,
   hidden tests, ``exercise.toml``, ``go.mod``, configuration) comes from ``solutions/``,
   so files a student added have no effect;
3. :func:`vet` may reject the answer (zero, with the reasons);
4. the visible and the hidden suites run in the sandbox (``run_suite``), each in its own
   run, with the worker's slot;
5. every test in the points table scores its points when it passed, and zero when it
   failed, errored, was skipped, timed out or did not report.

A hidden test's message is dropped as soon as its result comes back: no report can show
what it does not have. One broken exercise (or a grader error while running it) never
stops the others.
"""

from __future__ import annotations

import functools
import logging
import queue
import re
import threading
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from twinbook.exercises.model import (
    LANGUAGES,
    Exercise,
    ExerciseError,
    LanguageSpec,
    find_exercises,
)
from twinbook.exercises.notebook import answer_cells, go_answer_file, python_answer_file

from .backend import Backend, accepts, backend
from .deadline import submission_time
from .ids import plain
from .points import fmt
from .submissions import Entry, NotebookError, SubmissionError, find_entries, open_submission

log = logging.getLogger(__name__)

# Per exercise and language: how it went.
GRADED = "graded"  # the tests ran (points may still be zero)
MISSING = "missing"  # no notebook in the submission
INVALID = "invalid"  # the notebook could not be read or has no answer cells
REJECTED = "rejected"  # vetting refused the answer
ERROR = "error"  # the grader failed while running it (a bug or a broken sandbox)
NOT_GRADED = "not graded"  # the whole submission could not be opened


class GradeSetupError(Exception):
    """The grader cannot run at all (bad SUBMISSIONS, OUT or solutions tree)."""


@dataclass
class TestGrade:
    """One test of the points table, as graded."""

    __test__ = False

    name: str
    hidden: bool
    points: float  # what it is worth
    outcome: str  # passed, failed, error, skipped
    message: str = ""  # always "" for a hidden test

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @property
    def earned(self) -> float:
        return self.points if self.passed else 0


@dataclass
class ExerciseGrade:
    """One exercise in one language, for one student."""

    exercise: str
    title: str
    language: str
    status: str
    problem: str = ""  # why it scored zero without running, or what broke every test
    notebook: str = ""  # where the notebook was found in the submission
    tests: list[TestGrade] = field(default_factory=list)
    notes: list[str] = field(
        default_factory=list
    )  # about the runs, e.g. the output limit was passed
    started: bool = True  # False: no notebook, or the answer is still the generated stub

    @property
    def key(self) -> str:
        return f"{self.exercise}:{self.language}"

    @property
    def points(self) -> float:
        return sum(t.earned for t in self.tests)

    @property
    def max_points(self) -> float:
        return sum(t.points for t in self.tests)

    def visible(self) -> list[TestGrade]:
        return [t for t in self.tests if not t.hidden]

    @property
    def state(self) -> str:
        """The exercise in the words of the feedback's summary: not started, does not
        compile, failing, done; rejected (by vetting), unreadable notebook, grader error,
        and not graded when the submission could not be opened."""
        if self.status == NOT_GRADED:
            return "not graded"
        if not self.started or self.status == MISSING:
            return "not started"
        if self.max_points and self.points >= self.max_points:
            return "done"
        if self.status == ERROR:
            return "grader error"
        if self.status == REJECTED:
            return "rejected"
        if self.status == INVALID:
            return "unreadable notebook"
        if not self.points and does_not_compile(self.problem):
            return "does not compile"
        return "failing"

    def summary(self) -> str:
        """``not started``, ``does not compile``, ``failing 3/8``, ``done`` (and the rarer
        states of :attr:`state`)."""
        if self.state == "failing":
            return f"failing {fmt(self.points)}/{fmt(self.max_points)}"
        if self.status == MISSING:
            return "not started (no notebook)"
        return self.state

    def hidden(self) -> list[TestGrade]:
        return [t for t in self.tests if t.hidden]


#: what a problem that stopped every test says when the answer did not compile or parse
#: (a Go compile error, a Python syntax error while the answer loads); any other cause that
#: broke every test (a hang, a memory bomb at import) is "failing"
_COMPILE_MARKERS = ("compile error", "SyntaxError", "IndentationError", "TabError")


def does_not_compile(problem: str) -> bool:
    """Whether ``problem`` (:attr:`ExerciseGrade.problem`) says the answer did not compile."""
    return problem.startswith("compile error") or (
        "did not load" in problem and any(m in problem for m in _COMPILE_MARKERS[1:])
    )


@dataclass
class Adjustment:
    """Points an instructor added (or removed, when negative) by hand, with the reason."""

    exercise: str  # an exercise key (id:language), or "" for the whole submission
    points: float
    reason: str


@dataclass
class StudentGrade:
    student: str  # the safe id (:mod:`.ids`)
    source: str  # the entry's name in SUBMISSIONS
    error: str = ""  # the submission could not be opened at all
    notes: list[str] = field(default_factory=list)
    exercises: list[ExerciseGrade] = field(default_factory=list)
    name: str = ""  # from the roster
    email: str = ""  # from the roster
    submitted: str = ""  # ISO 8601 time of the submission (see :mod:`.deadline`)
    submitted_from: str = ""  # where that time came from
    late: bool = False
    adjustments: list[Adjustment] = field(default_factory=list)
    # the notebooks as submitted, by exercise key, for the returned copies (never saved)
    notebooks: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    @property
    def graded_points(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def points(self) -> float:
        return self.graded_points + sum(a.points for a in self.adjustments)

    @property
    def max_points(self) -> float:
        return sum(e.max_points for e in self.exercises)

    def exercise_points(self, key: str) -> float:
        """The exercise's points with the manual adjustments made to it."""
        graded = sum(e.points for e in self.exercises if e.key == key)
        return graded + sum(a.points for a in self.adjustments if a.exercise == key)

    def problems(self) -> list[str]:
        """Short, stable descriptions of what is not done, one line each: the same words as
        the feedback's summary (not started, does not compile, failing 3/8)."""
        out = [plain(self.error)] if self.error else []
        if self.exercises and all(e.status == MISSING for e in self.exercises):
            out.append(
                "no exercise notebook found (expected exercises/<chapter>/<exercise>/<language>/*.ipynb)"
            )
        elif not self.error:
            out += [f"{e.key}: {e.summary()}" for e in self.exercises if e.state != "done"]
        if self.late:
            out.append(f"late: submitted {self.submitted}")
        return out + [plain(n) for n in self.notes]


@dataclass
class ClassGrade:
    students: list[StudentGrade]
    columns: list[tuple[Exercise, str]]  # (exercise, language) in gradebook order
    warnings: list[str] = field(default_factory=list)
    isolation: str = "root"  # the sandbox's isolation: root (full), userns, none
    assignment: str = ""  # its name, when one was graded
    roster: bool = False  # a roster was given: the gradebook has name and email columns
    deadline: str = ""  # ISO 8601 UTC, when one was given

    def column_keys(self) -> list[str]:
        return [f"{ex.id}:{lang}" for ex, lang in self.columns]

    @property
    def max_points(self) -> float:
        return sum(sum(ex.lang(lang).points.values()) for ex, lang in self.columns)


# --- the solutions tree --------------------------------------------------------------------


def load_solutions(solutions: Path, only: list[str] | None = None) -> list[tuple[Exercise, str]]:
    """(exercise, language) pairs to grade, sorted by id then language; checks that
    ``solutions`` is an instructor's tree (hidden tests present)."""
    if not solutions.is_dir():
        raise GradeSetupError(
            f"{solutions}: no such folder (--solutions must be the instructor's solutions/ tree)"
        )
    try:
        exercises = find_exercises(solutions)
    except ExerciseError as exc:
        raise GradeSetupError(f"the solutions tree is invalid: {exc}") from None
    if not exercises:
        raise GradeSetupError(f"{solutions}: no exercise.toml found: not a solutions tree")
    if only:
        chosen = []
        for name in only:
            match = [e for e in exercises if name in (e.id, e.id.split("/", 1)[1])]
            if not match:
                known = ", ".join(e.id for e in exercises)
                raise GradeSetupError(
                    f"--exercise {name!r}: no such exercise in {solutions} (known: {known})"
                )
            chosen += [m for m in match if m not in chosen]
        exercises = sorted(chosen, key=lambda e: e.id)
    pairs = []
    for ex in exercises:
        for lang in LANGUAGES:
            if lang not in ex.languages:
                continue
            spec = ex.languages[lang]
            if spec.hidden_summary is not None:
                raise GradeSetupError(
                    f"{spec.hidden_tests_path}: hidden tests not found ({ex.toml_path} only summarises "
                    f"them in [{lang}.hidden]): --solutions must be the instructor's tree, not a learner's copy"
                )
            hidden = [t for t in spec.points if spec.is_hidden(t)]
            if hidden and not spec.hidden_tests_path.is_file():
                raise GradeSetupError(
                    f"{spec.hidden_tests_path}: hidden tests not found (exercise.toml gives points to "
                    f"{hidden[0]}): --solutions must be the instructor's tree, not a learner's copy"
                )
            pairs.append((ex, lang))
    return pairs


# --- answers -------------------------------------------------------------------------------


def notebook_answer(data: bytes, language: str) -> str:
    """The answer file made of a notebook's answer cells; :class:`NotebookError` when the
    notebook cannot be parsed or has no answer cell."""
    import nbformat

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError("the notebook is not UTF-8 text") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
        cells = answer_cells(nb)
    except Exception as exc:  # nbformat raises many kinds on bad input
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotebookError(
            f"the notebook is not a valid Jupyter notebook ({first[:200]})"
        ) from None
    if not all(isinstance(c, str) for c in cells):
        raise NotebookError("an answer cell's source is not text: the notebook is damaged")
    if not cells or not any(c.strip() for c in cells):
        raise NotebookError(
            'no answer cell (a code cell with metadata {"twinbook": {"role": "answer"}}) in the notebook'
        )
    try:
        if language == "python":
            return python_answer_file(cells)
        return go_answer_file(cells)
    except Exception as exc:  # a damaged cell must never stop the class
        raise NotebookError(f"the answer cells cannot be read ({type(exc).__name__})") from None


def _zero(
    ex: Exercise, spec: LanguageSpec, status: str, problem: str, notebook: str = ""
) -> ExerciseGrade:
    outcome = "error" if status in (ERROR, INVALID) else "failed"
    tests = [
        TestGrade(t, spec.is_hidden(t), float(p), outcome, "" if spec.is_hidden(t) else problem)
        for t, p in spec.points.items()
    ]
    return ExerciseGrade(ex.id, ex.title, spec.language, status, problem, notebook, tests)


@dataclass
class _Job:
    student: StudentGrade
    index: int  # into student.exercises
    exercise: Exercise
    language: str
    answer: str


def stub_answer(ex: Exercise, language: str) -> str:
    """The answer file of the generated stub (what a learner starts from), to tell an
    untouched exercise from an attempted one; "" when it cannot be made."""
    return _stub_answer(str(ex.lang(language).notebook_path), language, ex.title)


@cache
def _stub_answer(notebook: str, language: str, title: str) -> str:
    from twinbook.exercises.notebook import read_answer_cells, strip_solution

    try:
        cells = read_answer_cells(notebook)
        stubs = [strip_solution(c, language, title) for c in cells]
        return _normal(python_answer_file(stubs) if language == "python" else go_answer_file(stubs))
    except Exception:  # an exercise without a stub: every answer counts as started
        return ""


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _read_student(
    entry: Entry, columns: list[tuple[Exercise, str]]
) -> tuple[StudentGrade, list[_Job]]:
    """Every answer of one student (all files are read before any code runs). Never raises:
    whatever breaks while reading becomes the student's error row."""
    try:
        return _read_answers(entry, columns)
    except Exception as exc:  # a bug or a submission nobody thought of: the class goes on
        log.exception("%s: the submission could not be read", entry.student)
        student = StudentGrade(entry.student, plain(entry.path.name), notes=list(entry.notes))
        return _not_graded(
            student, columns, f"the grader could not read this submission ({type(exc).__name__})"
        ), []


def _not_graded(
    student: StudentGrade, columns: list[tuple[Exercise, str]], why: str
) -> StudentGrade:
    student.error = why
    student.exercises = [
        _zero(ex, ex.lang(lang), NOT_GRADED, f"not graded: {why}") for ex, lang in columns
    ]
    return student


def _read_answers(
    entry: Entry, columns: list[tuple[Exercise, str]]
) -> tuple[StudentGrade, list[_Job]]:
    student = StudentGrade(entry.student, plain(entry.path.name), notes=list(entry.notes))
    jobs: list[_Job] = []
    try:
        submission = open_submission(entry)
    except SubmissionError as exc:
        return _not_graded(student, columns, plain(str(exc))), jobs
    with submission:
        for ex, lang in columns:
            spec = ex.lang(lang)
            rel = f"{ex.id}/{spec.notebook}"
            try:
                where, data = submission.read_notebook(rel)
            except NotebookError as exc:
                status = MISSING if "not found" in str(exc) else INVALID
                student.exercises.append(_zero(ex, spec, status, plain(str(exc))))
                student.exercises[-1].started = status != MISSING
                continue
            where = plain(where)
            student.notebooks[f"{ex.id}:{lang}"] = data
            try:
                answer = notebook_answer(data, lang)
            except NotebookError as exc:
                student.exercises.append(_zero(ex, spec, INVALID, f"{where}: {exc}", where))
                continue
            graded = ExerciseGrade(ex.id, ex.title, lang, GRADED, notebook=where)
            graded.started = _normal(answer) != stub_answer(ex, lang)
            student.exercises.append(graded)
            jobs.append(_Job(student, len(student.exercises) - 1, ex, lang, answer))
        stamp = submission_time(submission)
        if stamp is not None:
            student.submitted, student.submitted_from = stamp
    return student, jobs


# --- running -------------------------------------------------------------------------------


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")
_DURATION = re.compile(r"\((\d+\.\d+)s\)")


def stable_message(text: str) -> str:
    """A test's message without what changes from run to run (object addresses, Go's test
    durations), so that grading the same answers twice, or in shards, gives the same
    reports byte for byte."""
    return _DURATION.sub("(...s)", _ADDRESS.sub("0x...", text))


def _collect(spec: LanguageSpec, results: Iterable[Any] | None, hidden: bool) -> list[TestGrade]:
    by_name = {}
    for r in results or []:
        name = getattr(r, "name", None)
        if isinstance(name, str) and name not in by_name:
            by_name[name] = r
    grades = []
    for test, points in spec.points.items():
        if spec.is_hidden(test) != hidden:
            continue
        r = by_name.get(test)
        if r is None:
            outcome, message = "failed", "did not report a result"
        else:
            outcome = (
                r.outcome if r.outcome in ("passed", "failed", "error", "skipped") else "failed"
            )
            message = stable_message(r.message or "") if isinstance(r.message, str) else ""
            if outcome == "skipped":
                message = "skipped (a skipped test scores zero)" + (
                    f": {_first_line(message)}" if message else ""
                )
            elif outcome != "passed" and not message:
                message = outcome
        grades.append(TestGrade(test, hidden, float(points), outcome, "" if hidden else message))
    return grades


def grade_answer(
    be: Backend,
    ex: Exercise,
    lang: str,
    answer: str,
    *,
    limits: Any,
    slot: int,
    notebook: str = "",
    hide: tuple[str | Path, ...] = (),
) -> ExerciseGrade:
    """Vet one answer and run both suites on it; never raises. ``hide``: more folders the
    sandbox must keep out of the student's reach (SUBMISSIONS, OUT)."""
    refused = _vetted(be, ex, lang, answer, notebook)
    if refused is not None:
        return refused
    extra = {"hide": tuple(hide)} if hide and accepts(be.run_suite, "hide") else {}
    visible: Any
    hidden: Any = None
    try:
        visible = be.run_suite(ex, lang, answer, "visible", limits=limits, slot=slot, **extra)
    except Exception as exc:
        visible = exc
    if not isinstance(visible, Exception) and _has_hidden(ex, lang):
        try:
            hidden = be.run_suite(ex, lang, answer, "hidden", limits=limits, slot=slot, **extra)
        except Exception as exc:
            hidden = exc
    return _assemble(ex, lang, visible, hidden, notebook)


def grade_answers(
    be: Backend,
    lang: str,
    answers: list[tuple[Exercise, str, str]],
    *,
    limits: Any,
    slot: int,
    hide: tuple[str | Path, ...] = (),
) -> list[ExerciseGrade]:
    """:func:`grade_answer` for several exercises of one student in one language
    (``answers``: exercise, answer, notebook), each suite run once for all of them by the
    backend's ``run_suites`` (see :func:`twinbook.grading.sandbox.run_suites`); the same
    grades as one by one. Never raises: when the batch itself fails, each exercise is
    graded alone."""
    assert be.run_suites is not None
    grades: list[ExerciseGrade | None] = [
        _vetted(be, ex, lang, answer, notebook) for ex, answer, notebook in answers
    ]
    todo = [i for i, g in enumerate(grades) if g is None]
    extra = {"hide": tuple(hide)} if hide and accepts(be.run_suites, "hide") else {}
    try:
        items = [(answers[i][0], answers[i][1]) for i in todo]
        visible = be.run_suites(items, lang, "visible", limits=limits, slot=slot, **extra)
        if len(visible) != len(items):
            raise RuntimeError(f"run_suites returned {len(visible)} results for {len(items)}")
        with_hidden = [
            i
            for i, v in zip(todo, visible, strict=True)
            if _has_hidden(answers[i][0], lang) and not isinstance(v, Exception)
        ]
        hidden = (
            be.run_suites(
                [(answers[i][0], answers[i][1]) for i in with_hidden],
                lang,
                "hidden",
                limits=limits,
                slot=slot,
                **extra,
            )
            if with_hidden
            else []
        )
        if len(hidden) != len(with_hidden):
            raise RuntimeError(f"run_suites returned {len(hidden)} results for {len(with_hidden)}")
    except Exception:  # a grader bug in the batch: each exercise alone says what broke
        log.exception(
            "slot %d: the batch of %d %s answers failed; grading one by one", slot, len(todo), lang
        )
        for i in todo:
            ex, answer, notebook = answers[i]
            grades[i] = grade_answer(
                be, ex, lang, answer, limits=limits, slot=slot, notebook=notebook, hide=hide
            )
        return [g for g in grades if g is not None]
    hidden_of = dict(zip(with_hidden, hidden, strict=True))
    for i, v in zip(todo, visible, strict=True):
        ex, _answer, notebook = answers[i]
        grades[i] = _assemble(ex, lang, v, hidden_of.get(i), notebook)
    return [g for g in grades if g is not None]


def _has_hidden(ex: Exercise, lang: str) -> bool:
    spec = ex.lang(lang)
    return any(spec.is_hidden(t) for t in spec.points)


def _vetted(
    be: Backend, ex: Exercise, lang: str, answer: str, notebook: str
) -> ExerciseGrade | None:
    """The zero grade of an answer that vetting refused (or could not vet), else None."""
    spec = ex.lang(lang)
    try:
        reasons = be.vet(ex, lang, answer)
    except Exception as exc:
        return _zero(
            ex,
            spec,
            ERROR,
            f"the grader could not vet this answer: {type(exc).__name__}: {exc}",
            notebook,
        )
    if reasons:
        return _zero(ex, spec, REJECTED, "rejected: " + "; ".join(reasons), notebook)
    return None


def _assemble(ex: Exercise, lang: str, visible: Any, hidden: Any, notebook: str) -> ExerciseGrade:
    """An exercise's grade from its suites' results (``hidden`` is None when it has no
    hidden tests); either may be the exception that stopped it."""
    spec = ex.lang(lang)
    if isinstance(visible, Exception):
        return _zero(
            ex,
            spec,
            ERROR,
            f"the grader could not run the tests: {type(visible).__name__}: {visible}",
            notebook,
        )
    tests: list[TestGrade] = _collect(spec, visible, hidden=False)
    notes: list[str] = []
    _add_notes(notes, visible)
    order = {t: i for i, t in enumerate(spec.points)}
    if isinstance(hidden, Exception):
        # its message may quote the hidden tests: the instructor's log only, never a report
        log.warning(
            "%s (%s): the hidden suite failed to run: %s: %s",
            ex.id,
            lang,
            type(hidden).__name__,
            hidden,
        )
        tests += [
            TestGrade(t, True, float(p), "error")
            for t, p in spec.points.items()
            if spec.is_hidden(t)
        ]
        tests.sort(key=lambda t: order[t.name])
        return ExerciseGrade(
            ex.id,
            ex.title,
            lang,
            ERROR,
            "the grader could not run the hidden tests",
            notebook,
            tests,
            notes,
        )
    if hidden is not None:
        tests += _collect(spec, hidden, hidden=True)
        _add_notes(notes, hidden)
    tests.sort(key=lambda t: order[t.name])
    problem = ""
    visible_tests = [t for t in tests if not t.hidden]
    if visible_tests and not any(t.passed for t in tests):
        firsts = {_first_line(t.message) for t in visible_tests}
        if len(firsts) == 1 and len(visible_tests) > 1:
            problem = firsts.pop()  # one cause broke every test: a compile or syntax error
    return ExerciseGrade(ex.id, ex.title, lang, GRADED, problem, notebook, tests, notes)


def _add_notes(notes: list[str], results: object) -> None:
    """The suite's notes for the feedback (``SuiteResults.notes``: the output limit was
    passed), once each; they never change a test's outcome."""
    for note in getattr(results, "notes", ()) or ():
        if isinstance(note, str) and note not in notes:
            notes.append(note)


@dataclass(frozen=True)
class ClassOptions:
    """What the instructor adds to a grading: the slice of the class, a roster, manual
    adjustments, a deadline, the assignment's name (see :mod:`.shards`, :mod:`.roster`,
    :mod:`.adjustments`, :mod:`.deadline`, :mod:`.assignment`)."""

    shard: tuple[int, int] | None = None  # (K, N): the K-th of N slices, K from 1
    roster: dict[str, Any] | None = None  # safe id -> roster.Student
    adjustments: dict[str, list[Adjustment]] | None = None  # safe id -> adjustments
    deadline: datetime | None = None
    assignment: str = ""


def grade_class(
    submissions: Path,
    *,
    solutions: Path,
    jobs: int = 1,
    exercises: list[str] | None = None,
    limits: Any = None,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[str, ExerciseGrade], None] | None = None,
    be: Backend | None = None,
    hide: tuple[str | Path, ...] = (),
    options: ClassOptions | None = None,
) -> ClassGrade:
    """Grade every student in ``submissions`` against ``solutions``.

    ``on_start(total_tasks)`` is called once the answers are read, ``on_done(student,
    exercise_grade)`` after each graded exercise (from worker threads); ``hide``: folders
    the sandbox must keep from student code besides the solutions (SUBMISSIONS, OUT). Raises
    :class:`GradeSetupError` when the grader cannot run. Whatever one submission holds, it
    gets a row: a submission that cannot be read gets one that says why.
    """
    from .deadline import is_late, iso
    from .slices import class_warnings, select

    opts = options or ClassOptions()
    be = be or backend()
    columns = load_solutions(Path(solutions), exercises)
    try:
        entries, warnings_ = find_entries(Path(submissions))
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise GradeSetupError(str(exc)) from None
    if jobs < 1:
        raise GradeSetupError(f"--jobs must be at least 1, not {jobs}")
    # warnings about the whole class (every shard says the same), then this shard's slice
    warnings_ += class_warnings(entries, opts.roster, opts.adjustments)
    entries = select(entries, opts.shard)
    limits = limits if limits is not None else be.Limits()
    students: list[StudentGrade] = []
    pending: list[_Job] = []
    for entry in entries:
        student, todo = _read_student(entry, columns)
        _apply(student, entry.path.name, opts, is_late)
        students.append(student)
        pending += todo
    if on_start:
        on_start(len(pending))

    with be.lease_slots(jobs) as leased:
        _run_jobs(be, pending, jobs, leased, limits, hide, on_done)
    return ClassGrade(
        students,
        columns,
        warnings_,
        be.isolation,
        assignment=opts.assignment,
        roster=opts.roster is not None,
        deadline=iso(opts.deadline) if opts.deadline else "",
    )


def _apply(
    student: StudentGrade, name: str, opts: ClassOptions, is_late: Callable[..., bool]
) -> None:
    """The roster's name and email, the manual adjustments and the late mark."""
    if opts.roster and student.student in opts.roster:
        who = opts.roster[student.student]
        student.name, student.email = who.name, who.email
    if opts.adjustments:
        student.adjustments = list(opts.adjustments.get(student.student, []))
    student.late = is_late(student.submitted, opts.deadline)


def _run_jobs(
    be: Backend,
    pending: list[_Job],
    jobs: int,
    leased: tuple[int, ...],
    limits: Any,
    hide: tuple[str | Path, ...],
    on_done: Callable[[str, ExerciseGrade], None] | None,
) -> None:
    """Grade every job, ``jobs`` at a time, each in a slot of its own from ``leased``."""
    slots: queue.Queue[int] = queue.Queue()
    for slot in leased:
        slots.put(slot)
    lock = threading.Lock()

    def work_batch(group: list[_Job]) -> None:
        slot = slots.get()
        try:
            results = grade_answers(
                be,
                group[0].language,
                [(j.exercise, j.answer, j.student.exercises[j.index].notebook) for j in group],
                limits=limits,
                slot=slot,
                hide=hide,
            )
        finally:
            slots.put(slot)
        for job, result in zip(group, results, strict=True):
            result.started = job.student.exercises[job.index].started
            with lock:
                job.student.exercises[job.index] = result
            if on_done:
                on_done(job.student.student, result)

    def work(job: _Job) -> None:
        slot = slots.get()
        try:
            result = grade_answer(
                be,
                job.exercise,
                job.language,
                job.answer,
                limits=limits,
                slot=slot,
                notebook=job.student.exercises[job.index].notebook,
                hide=hide,
            )
        finally:
            slots.put(slot)
        result.started = job.student.exercises[job.index].started
        with lock:
            job.student.exercises[job.index] = result
        if on_done:
            on_done(job.student.student, result)

    # with a backend that batches: one unit per student and language (a process per suite
    # for all of that student's exercises), else one per exercise
    units: list[Callable[[], None]] = []
    if be.run_suites is not None:
        groups: dict[tuple[int, str], list[_Job]] = {}
        for job in pending:
            groups.setdefault((id(job.student), job.language), []).append(job)
        units = [functools.partial(work_batch, group) for group in groups.values()]
    else:
        units = [functools.partial(work, job) for job in pending]
    if jobs == 1:
        for unit in units:
            unit()
    else:
        pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="twinbook-grade")
        try:
            for future in [pool.submit(unit) for unit in units]:
                future.result()
        except BaseException:  # Ctrl-C: start nothing new (running suites end on their own limits)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()


__all__ = [
    "Adjustment",
    "ClassGrade",
    "ClassOptions",
    "ExerciseGrade",
    "GradeSetupError",
    "StudentGrade",
    "TestGrade",
    "grade_answer",
    "grade_class",
    "load_solutions",
    "notebook_answer",
]
