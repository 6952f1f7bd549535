"""The instructor's files: roster, adjustments, assignment, deadline (parsing, errors that
name file, line and field, and their effect on the gradebook and feedback)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import classbuild as cb
import pytest
from test_grade_scoring import POOL, Scripted, backend, by_name, student

from tests.repo import SOLUTIONS
from twinbook.grading import reports
from twinbook.grading.adjustments import load_adjustments
from twinbook.grading.assignment import load_assignment
from twinbook.grading.command import Instructor, resolve
from twinbook.grading.deadline import DeadlineError, parse_time
from twinbook.grading.formats import FormatError
from twinbook.grading.grade import ClassOptions, GradeSetupError, grade_class
from twinbook.grading.ids import safe_id
from twinbook.grading.roster import load_roster

COLUMNS = [f"{POOL}:python", f"{POOL}:go"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- roster ---------------------------------------------------------------------------------


def test_a_roster_maps_submissions_to_names_and_emails(tmp_path):
    path = write(
        tmp_path,
        "roster.csv",
        "# exported 3 Dec\nsubmission,name,email\nann,Ann Lee,ann@example.edu\nbob smith.zip,Bob Smith,\n",
    )
    roster = load_roster(path)
    assert roster["ann"].name == "Ann Lee" and roster["ann"].email == "ann@example.edu"
    assert roster[safe_id("bob smith")].name == "Bob Smith"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name,email\nann,Ann\n", "roster.csv:1 (submission): missing column"),
        ("submission,name,email,phone\n", "roster.csv:1 (phone): unknown column"),
        (
            "submission,name,email\nann,Ann,ann@x\nann,Ann B,b@x\n",
            "roster.csv:3 (submission): 'ann' appears twice",
        ),
        ("submission,name,email\nann,,a@x\n", "roster.csv:2 (name): empty"),
        ("submission,name,email\n,Ann,a@x\n", "roster.csv:2 (submission): empty"),
        ("submission,name,email\nann,Ann,not an email\n", "roster.csv:2 (email)"),
        ("submission,name,email\nann,Ann\n", "roster.csv:2: 2 fields, the header has 3"),
        ("", "roster.csv: empty"),
    ],
)
def test_a_bad_roster_names_file_line_and_field(tmp_path, text, where):
    with pytest.raises(FormatError) as err:
        load_roster(write(tmp_path, "roster.csv", text))
    assert str(err.value).startswith(str(tmp_path / where.split(":")[0]))
    assert where.split("roster.csv", 1)[1] in str(err.value)


def test_unknown_submissions_and_missing_students_are_reported(tmp_path):
    subs = tmp_path / "subs"
    student(subs, "ann", "def map_limited(fn, items, limit): ...\n")
    student(subs, "zed", "def map_limited(fn, items, limit): ...\n")
    roster = load_roster(
        write(tmp_path, "r.csv", "submission,name,email\nann,Ann Lee,a@x\ncy,Cy Young,c@x\n")
    )
    grades = grade_class(
        subs,
        solutions=SOLUTIONS,
        exercises=[POOL],
        be=backend(Scripted()),
        options=ClassOptions(roster=roster),
    )
    assert "roster: submission zed is not in the roster" in grades.warnings
    assert "roster: no submission from Cy Young (cy)" in grades.warnings
    book = reports.gradebook_csv(grades).splitlines()
    assert book[0].startswith("student,name,email,")
    assert book[1].startswith("ann,Ann Lee,a@x,")
    assert "# Feedback for Ann Lee (ann)" in reports.feedback_markdown(by_name(grades)["ann"])


# --- adjustments ----------------------------------------------------------------------------


def test_adjustments_change_points_and_show_in_feedback(tmp_path):
    subs = tmp_path / "subs"
    student(subs, "ann", "# outcome test_results_in_order failed\n")
    path = write(
        tmp_path,
        "adj.csv",
        "student,exercise,points,reason\n"
        "ann,01-worker-pool:python,+1.5,clear explanation in the notebook\n"
        "ann,,-2,late enrolment penalty\n"
        "ghost,,1,nobody\n",
    )
    adjustments = load_adjustments(path, COLUMNS)
    grades = grade_class(
        subs,
        solutions=SOLUTIONS,
        exercises=[POOL],
        be=backend(Scripted()),
        options=ClassOptions(adjustments=adjustments),
    )
    ann = by_name(grades)["ann"]
    assert ann.graded_points == 26 and ann.points == 25.5
    assert ann.exercise_points(f"{POOL}:python") == 13.5
    book = reports.gradebook_csv(grades).splitlines()
    assert book[0].endswith(",total,max,adjustments,problems")
    assert book[1].startswith("ann,13.5,14,25.5,28,")
    md = reports.feedback_markdown(ann)
    assert "**Total: 25.5/28 points**" in md
    assert "clear explanation in the notebook" in md and "late enrolment penalty" in md
    assert (
        "adjustments: ghost: no such submission (its adjustments are not used)" in grades.warnings
    )


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("ann,01-worker-pool:rust,1,x", ":2 (exercise)"),
        ("ann,99-nothing:python,1,x", ":2 (exercise): '99-nothing:python' is not graded here"),
        ("ann,,one,x", ":2 (points): 'one' is not a number"),
        ("ann,,nan,x", ":2 (points): must be a finite number"),
        ("ann,,1,", ":2 (reason): empty"),
        (",,1,x", ":2 (student): empty"),
    ],
)
def test_a_bad_adjustment_names_file_line_and_field(tmp_path, line, where):
    path = write(tmp_path, "adj.csv", f"student,exercise,points,reason\n{line}\n")
    with pytest.raises(
        FormatError, match="adj.csv" + where.replace("(", r"\(").replace(")", r"\)")
    ):
        load_adjustments(path, COLUMNS)


# --- assignments ----------------------------------------------------------------------------


def test_an_assignment_file_names_exercises_or_chapters(tmp_path):
    a = load_assignment(
        write(tmp_path, "w.toml", 'name = "Week 1"\nexercises = ["01-worker-pool"]\n')
    )
    assert (a.name, a.exercises) == ("Week 1", ("01-worker-pool",))
    only, opts = resolve(SOLUTIONS, None, Instructor(assignment=tmp_path / "w.toml"))
    assert only == ["01-worker-pool"] and opts.assignment == "Week 1"
    chapter = POOL.split("/")[0]
    only, _ = resolve(SOLUTIONS, None, Instructor(chapters=(chapter,)))
    assert only and all(e.startswith(chapter + "/") for e in only) and POOL in only


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 3\nexercises = ['a']\n", "(name): must be a string"),
        ("exercises = 'a'\n", "(exercises): must be a list"),
        ("name = 'x'\n", "(exercises): name at least one exercise or chapter"),
        ("exercise = ['a']\n", "(exercise): unknown key"),
        ("exercises = [\n", "not valid TOML"),
    ],
)
def test_a_bad_assignment_names_the_field(tmp_path, text, message):
    with pytest.raises(FormatError) as err:
        load_assignment(write(tmp_path, "w.toml", text))
    assert "w.toml" in str(err.value) and message in str(err.value)


def test_an_unknown_exercise_or_chapter_in_an_assignment_stops_before_grading(tmp_path):
    write(tmp_path, "w.toml", 'exercises = ["99-nothing"]\n')
    with pytest.raises(GradeSetupError, match="99-nothing"):
        resolve(SOLUTIONS, None, Instructor(assignment=tmp_path / "w.toml"))
    with pytest.raises(GradeSetupError, match="--chapter 'ch99'"):
        resolve(SOLUTIONS, None, Instructor(chapters=("ch99",)))


# --- deadline -------------------------------------------------------------------------------


def test_a_deadline_needs_a_zone():
    assert parse_time("2026-12-01T23:59:00Z", "x") == datetime(2026, 12, 1, 23, 59, tzinfo=UTC)
    with pytest.raises(DeadlineError, match="no time zone"):
        parse_time("2026-12-01T23:59:00", "--deadline")
    with pytest.raises(DeadlineError, match="not an ISO 8601 time"):
        parse_time("next friday", "--deadline")
    with pytest.raises(GradeSetupError, match="--deadline"):
        resolve(SOLUTIONS, None, Instructor(deadline="tomorrow"))


def test_late_comes_from_the_stamp_file_else_the_notebooks_times(tmp_path):
    subs = tmp_path / "subs"
    for name in ("early", "late", "stamped"):
        folder = cb.make_student(subs / name, default="stub")
        for nb in folder.rglob("*.ipynb"):
            os.utime(nb, (1_800_000_000,) * 2 if name == "early" else (1_900_000_000,) * 2)
    (subs / "stamped" / "submitted-at.txt").write_text("2027-01-01T00:00:00+01:00\n")
    deadline = datetime.fromtimestamp(1_850_000_000, UTC)
    grades = grade_class(
        subs,
        solutions=SOLUTIONS,
        exercises=[POOL],
        be=backend(Scripted()),
        options=ClassOptions(deadline=deadline),
    )
    s = by_name(grades)
    assert not s["early"].late and s["early"].submitted_from == "file times"
    assert s["late"].late
    assert s["stamped"].submitted == "2026-12-31T23:00:00Z" and not s["stamped"].late
    assert s["stamped"].submitted_from == "submitted-at.txt"
    book = reports.gradebook_csv(grades)
    assert ",submitted,late," in book.splitlines()[0] and "late: submitted" in book
    assert "LATE (deadline" in reports.feedback_markdown(s["late"], grades.deadline)
