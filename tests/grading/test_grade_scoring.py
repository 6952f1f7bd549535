"""Scoring and reports with a scripted backend: no student code runs here.

The backend stands in for the sandbox and the vetter with answers chosen per test, so each
rule of the grader is checked exactly: points per test, zero for failed, errored, skipped,
missing and timed-out tests, rejected answers, a grader error in one exercise, distinct
slots under --jobs, and hidden messages that never reach any report.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import classbuild as cb
import pytest

from tests.repo import SOLUTIONS
from twinbook.exercises import load_exercise
from twinbook.exercises.results import TestResult
from twinbook.grading import reports
from twinbook.grading.backend import Backend
from twinbook.grading.grade import ERROR, GRADED, REJECTED, grade_class
from twinbook.grading.ids import safe_id
from twinbook.grading.sandbox import Limits, SuiteResults, output_note

POOL = cb.POOL
SECRET = "SECRET-hidden-input-[1, 2, 3]-expected-42"
SPEC = {lang: load_exercise(SOLUTIONS / POOL).lang(lang) for lang in ("python", "go")}


class Scripted:
    """A backend whose outcomes come from the answer's text: ``# outcome NAME passed``."""

    def __init__(self, delay: float = 0.0):
        self.calls: list[tuple[str, str, int]] = []
        self.active: dict[int, int] = {}
        self.overlap = False
        self.lock = threading.Lock()
        self.delay = delay

    def vet(self, exercise, lang, source):
        return ["import 'os' is not allowed"] if "REJECT" in source else []

    def run_suite(self, exercise, lang, source, suite, *, limits, slot):
        with self.lock:
            self.calls.append((lang, suite, slot))
            if self.active.get(slot):
                self.overlap = True
            self.active[slot] = self.active.get(slot, 0) + 1
        try:
            time.sleep(self.delay)
            if "CRASH-GRADER" in source:
                raise RuntimeError("sandbox exploded")
            if "CRASH-HIDDEN" in source and suite == "hidden":
                raise RuntimeError(f"hidden build failed: {SECRET}")
            spec = exercise.lang(lang)
            wanted = [t for t in spec.points if spec.is_hidden(t) == (suite == "hidden")]
            out = []
            for test in wanted:
                outcome = "passed"
                for line in source.splitlines():
                    parts = line.split()
                    if parts[:2] in (["#", "outcome"], ["//", "outcome"]) and parts[2] == test:
                        outcome = parts[3]
                if outcome == "absent":
                    continue
                message = (
                    ""
                    if outcome == "passed"
                    else f"{SECRET if spec.is_hidden(test) else 'visible says why'}"
                )
                out.append(TestResult(test, outcome, message))
            out.append(TestResult("test_not_in_points_table", "passed", ""))
            if "FLOOD" in source:  # the sandbox's note for a run that printed past its limit
                return SuiteResults(out, notes=[output_note(1 << 20)])
            return out
        finally:
            with self.lock:
                self.active[slot] -= 1


def backend(scripted: Scripted) -> Backend:
    return Backend(scripted.run_suite, scripted.vet, Limits, "root")


def student(subs: Path, name: str, python: str, go: str = "// outcome none passed\n") -> None:
    others = {pair: "stub" for pair in cb.exercise_languages() if pair[0] != POOL}
    cb.make_student(subs / name, {**others, (POOL, "python"): python, (POOL, "go"): go})


def grade(subs: Path, scripted: Scripted, jobs: int = 1):
    return grade_class(subs, solutions=SOLUTIONS, jobs=jobs, exercises=[POOL], be=backend(scripted))


def by_name(grades):
    return {s.student: s for s in grades.students}


def test_points_come_from_the_table_and_only_passing_tests_score(tmp_path):
    py = SPEC["python"]
    script = "\n".join(
        [
            "# outcome test_results_in_order failed",
            "# outcome test_runs_limit_calls_at_once error",
            "# outcome test_never_more_than_limit skipped",
            "# outcome test_empty_items absent",
            "# outcome test_hidden_no_threads_left_behind failed",
            "def map_limited(fn, items, limit): ...",
        ]
    )
    student(tmp_path, "ann", script)
    grades = grade(tmp_path, Scripted())
    ann = by_name(grades)["ann"]
    ex_py = ann.exercises[0]
    assert ex_py.status == GRADED
    outcomes = {t.name: (t.outcome, t.earned) for t in ex_py.tests}
    assert [t.name for t in ex_py.tests] == list(py.points)  # the table's order, nothing else
    assert outcomes["test_results_in_order"] == ("failed", 0)
    assert outcomes["test_runs_limit_calls_at_once"] == ("error", 0)
    assert outcomes["test_never_more_than_limit"] == ("skipped", 0)
    assert outcomes["test_empty_items"] == ("failed", 0)
    assert outcomes["test_bad_limit_raises_value_error"] == (
        "passed",
        py.points["test_bad_limit_raises_value_error"],
    )
    assert outcomes["test_hidden_no_threads_left_behind"] == ("failed", 0)
    lost = sum(
        py.points[t]
        for t in (
            "test_results_in_order",
            "test_runs_limit_calls_at_once",
            "test_never_more_than_limit",
            "test_empty_items",
            "test_hidden_no_threads_left_behind",
        )
    )
    assert ex_py.points == sum(py.points.values()) - lost
    messages = {t.name: t.message for t in ex_py.tests}
    assert messages["test_empty_items"] == "did not report a result"
    assert messages["test_never_more_than_limit"].startswith("skipped (a skipped test scores zero)")
    assert ann.exercises[1].points == sum(SPEC["go"].points.values())


def test_rejected_answer_and_grader_error_score_zero_and_the_rest_is_graded(tmp_path):
    student(tmp_path, "bob", "import os  # REJECT\n", "// CRASH-GRADER\n")
    scripted = Scripted()
    bob = by_name(grade(tmp_path, scripted))["bob"]
    py, go = bob.exercises
    assert (py.status, py.points) == (REJECTED, 0)
    assert "rejected: import 'os' is not allowed" in py.problem
    assert (go.status, go.points) == (ERROR, 0)
    assert "sandbox exploded" in go.problem
    assert ("python", "visible", 0) not in scripted.calls  # a rejected answer never runs
    assert bob.problems() == [f"{POOL}:python: rejected", f"{POOL}:go: grader error"]


def test_jobs_use_distinct_slots_at_once(tmp_path):
    for name in ("a", "b", "c", "d"):
        student(tmp_path, name, "def map_limited(fn, items, limit): ...\n")
    scripted = Scripted(delay=0.05)
    grades = grade(tmp_path, scripted, jobs=2)
    assert {slot for _, _, slot in scripted.calls} == {0, 1}
    assert not scripted.overlap, "two runs shared a slot at the same time"
    assert len(scripted.calls) == 4 * 2 * 2  # students x languages x suites
    assert [s.student for s in grades.students] == ["a", "b", "c", "d"]


def test_hidden_messages_never_reach_a_report(tmp_path):
    script = "# outcome test_hidden_accepts_any_iterable failed\n# outcome test_results_in_order failed\n"
    student(
        tmp_path,
        "cy",
        script + "def map_limited(fn, items, limit): ...\n",
        "// outcome TestHiddenCancelledContext error\nfunc MapLimited() {}\n",
    )
    grades = grade(tmp_path, Scripted())
    cy = by_name(grades)["cy"]
    assert all(t.message == "" for e in cy.exercises for t in e.tests if t.hidden)
    out = tmp_path.parent / "out"
    reports.write_reports(grades, out)
    every = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file())
    assert "visible says why" in every  # a visible failure's message is shown ...
    assert SECRET not in every  # ... a hidden one's never
    md = (out / "feedback" / "cy.md").read_text(encoding="utf-8")
    assert "Hidden tests: 3 hidden tests passed, 1 failed." in md
    assert "✗ `test_hidden_accepts_any_iterable`" in md


@pytest.mark.parametrize(
    "points, text", [(2, "2"), (1.5, "1.5"), (0.25, "0.25"), (2.0, "2"), (1 / 3, "0.33")]
)
def test_points_print_the_same_way_every_time(points, text):
    assert reports.fmt(points) == text


def test_gradebook_cells_never_start_a_formula(tmp_path):
    (tmp_path / "=HYPERLINK(1)").mkdir()
    (tmp_path / "plain").mkdir()
    csv_text = reports.gradebook_csv(grade(tmp_path, Scripted()))
    rows = csv_text.splitlines()[1:]
    # the id itself is made safe (no "=" left), and any cell that could still start a
    # formula is quoted
    assert rows[0].startswith(f"{safe_id('=HYPERLINK(1)')},0,0,0,28,")
    assert rows[0].startswith("_HYPERLINK_1_-")
    assert rows[1].startswith("plain,0,0,0,28,no exercise notebook found")
    assert reports._cell("=1+2") == "'=1+2" and reports._cell("@SUM(A1)") == "'@SUM(A1)"


def test_a_hidden_suite_that_cannot_run_keeps_its_error_out_of_reports(tmp_path, caplog):
    student(tmp_path, "dan", "# CRASH-HIDDEN\ndef map_limited(fn, items, limit): ...\n")
    grades = grade(tmp_path, Scripted())
    py = by_name(grades)["dan"].exercises[0]
    assert py.status == ERROR and py.problem == "the grader could not run the hidden tests"
    assert all(t.passed for t in py.visible())  # the visible suite's points stay
    assert all(t.outcome == "error" and t.earned == 0 for t in py.hidden())
    out = tmp_path.parent / "out-dan"
    reports.write_reports(grades, out)
    assert SECRET not in "".join(
        p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()
    )
    assert SECRET in caplog.text  # the instructor's log has the details


def test_an_output_flood_is_a_note_in_the_feedback_and_changes_no_outcome(tmp_path):
    student(
        tmp_path,
        "eve",
        "# FLOOD\n# outcome test_empty_items failed\ndef map_limited(fn, items, limit): ...\n",
    )
    student(tmp_path, "fay", "def map_limited(fn, items, limit): ...\n")
    grades = grade(tmp_path, Scripted())
    eve, fay = by_name(grades)["eve"].exercises[0], by_name(grades)["fay"].exercises[0]
    note = "output limit exceeded (1 MiB): output truncated"
    assert eve.notes == [note] and fay.notes == []  # once, though both suites noted it
    assert {t.name: t.outcome for t in eve.tests} == {
        t: "failed" if t == "test_empty_items" else "passed" for t in SPEC["python"].points
    }
    assert (
        eve.points
        == sum(SPEC["python"].points.values()) - SPEC["python"].points["test_empty_items"]
    )
    out = tmp_path.parent / "out-eve"
    reports.write_reports(grades, out)
    assert f"Note: {note}" in (out / "feedback" / "eve.md").read_text(encoding="utf-8")
    assert f"<p>Note: {note}</p>" in (out / "feedback" / "eve.html").read_text(encoding="utf-8")
    assert "output limit" not in (out / "feedback" / "fay.md").read_text(encoding="utf-8")


# --- batched grading: one run_suites per student, language and suite ---------------------------


class ScriptedBatch(Scripted):
    """The scripted backend with ``run_suites``: each item as ``run_suite`` would grade it
    (its exception in its place), the whole batch failing on ``CRASH-BATCH``."""

    def __init__(self):
        super().__init__()
        self.batches: list[tuple[str, str, int, int]] = []

    def run_suites(self, items, lang, suite, *, limits, slot):
        self.batches.append((lang, suite, len(items), slot))
        if any("CRASH-BATCH" in source for _, source in items):
            raise RuntimeError("the batch exploded")
        out = []
        for exercise, source in items:
            try:
                out.append(self.run_suite(exercise, lang, source, suite, limits=limits, slot=slot))
            except Exception as exc:
                out.append(exc)
        return out


def batched(scripted: ScriptedBatch) -> Backend:
    return Backend(scripted.run_suite, scripted.vet, Limits, "root", run_suites=scripted.run_suites)


def _class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    scripts = {
        "ann": ("# outcome test_results_in_order failed\n", "// outcome none passed\n"),
        "bob": ("import os  # REJECT\n", "// CRASH-GRADER\n"),
        "cyd": ("# CRASH-HIDDEN\n", "// outcome TestResultsInOrder error\n"),
    }
    for name, (py, go) in scripts.items():
        student(subs, name, py, go)
    return subs


def _grades(grades):
    return {
        s.student: [
            (e.key, e.status, e.problem, [(t.name, t.outcome, t.message) for t in e.tests])
            for e in s.exercises
        ]
        for s in grades.students
    }


def test_batched_grading_gives_the_same_grades_as_one_by_one(tmp_path):
    subs = _class(tmp_path)
    alone = grade_class(subs, solutions=SOLUTIONS, be=backend(Scripted()))
    scripted = ScriptedBatch()
    together = grade_class(subs, solutions=SOLUTIONS, be=batched(scripted), jobs=2)
    assert _grades(together) == _grades(alone)
    # one batch per student, language and suite, with every exercise of that language
    # (bob's rejected Python answer never runs)
    pairs = len(cb.exercise_languages()) // 2
    sizes = {
        (lang, suite): sorted(n for ln, st, n, _ in scripted.batches if (ln, st) == (lang, suite))
        for lang in ("python", "go")
        for suite in ("visible",)
    }
    assert sizes == {
        ("python", "visible"): [pairs - 1, pairs, pairs],
        ("go", "visible"): [pairs] * 3,
    }


def test_a_batch_that_fails_as_a_whole_is_graded_one_by_one(tmp_path):
    subs = tmp_path / "subs"
    student(subs, "dee", "# CRASH-BATCH\n# outcome test_results_in_order failed\n")
    alone = grade_class(subs, solutions=SOLUTIONS, be=backend(Scripted()))
    together = grade_class(subs, solutions=SOLUTIONS, be=batched(ScriptedBatch()))
    assert _grades(together) == _grades(alone)
    dee = by_name(together)["dee"]
    assert {e.status for e in dee.exercises} == {GRADED}


@pytest.mark.parametrize(
    "isolation, says",
    [
        ("userns", "per process (rlimits)"),
        ("none", "not in a jail: it could read what the grader can"),
    ],
)
def test_the_report_warns_what_a_grading_without_root_did_not_contain(tmp_path, isolation, says):
    subs = tmp_path / "subs"
    student(subs, "eve", "# outcome none passed\n")
    grades = grade_class(
        subs,
        solutions=SOLUTIONS,
        exercises=[POOL],
        be=Backend(Scripted().run_suite, Scripted().vet, Limits, isolation),
    )
    summary = reports.summary_markdown(grades)
    assert f"isolation '{isolation}', not 'root'" in summary and says in summary


@pytest.mark.parametrize(
    "problem, state",
    [
        ("compile error: ./answer.go:6:9: undefined: undefinedThing", "does not compile"),
        (
            "RuntimeError: the answer did not load: SyntaxError: '[' was never closed",
            "does not compile",
        ),
        (
            "RuntimeError: the answer did not load: IndentationError: unexpected indent",
            "does not compile",
        ),
        ("map_limited did not return within 5.0s (a deadlock?)", "failing"),  # a hang
        ("RuntimeError: the answer did not load: MemoryError:", "failing"),  # a bomb at import
        ("timed out: the test took longer than 30s", "failing"),
    ],
)
def test_only_a_compile_or_syntax_error_reads_does_not_compile(problem, state):
    from twinbook.grading.grade import ExerciseGrade, TestGrade

    grade = ExerciseGrade(
        POOL,
        "t",
        "python",
        GRADED,
        problem,
        tests=[TestGrade("test_x", False, 2, "failed", problem)],
    )
    assert grade.state == state
    assert grade.summary() == ("failing 0/2" if state == "failing" else state)
