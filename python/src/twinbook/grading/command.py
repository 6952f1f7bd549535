"""``twinbook grade``: progress bar, reports, a line per student, the exit code.

Exit codes: 0 when grading completed (whatever the students scored), 2 when the grader
could not run (bad SUBMISSIONS, OUT or solutions tree; the message names what is wrong).
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .grade import (
    ClassGrade,
    ExerciseGrade,
    GradeSetupError,
    StudentGrade,
    grade_class,
    load_solutions,
)
from .reports import fmt, isolation_warning, prepare_out, write_reports

EXIT_OK = 0
EXIT_SETUP = 2
EXIT_INTERRUPTED = 130


def student_line(student: StudentGrade, max_width: int) -> str:
    """``✓ alice   64/64`` or ``✗ bob   20/64  problems``, plain text."""
    problems = student.problems()
    mark = "✓" if student.points == student.max_points and not problems else "✗"
    line = (
        f"{mark} {student.student:<{max_width}}  {fmt(student.points):>6}/{fmt(student.max_points)}"
    )
    if problems:
        line += "  " + "; ".join(p.splitlines()[0] if p else p for p in problems)
    return line


def run(
    submissions: Path,
    out: Path,
    *,
    solutions: Path,
    jobs: int = 1,
    exercises: list[str] | None = None,
    console: Console | None = None,
    stdout: Console | None = None,
    progress: bool | None = None,
) -> int:
    """Grade, write OUT, print a line per student (stdout; progress and errors on stderr)."""
    console = console or Console(stderr=True, highlight=False)
    stdout = stdout or Console(highlight=False)
    submissions, out, solutions = Path(submissions), Path(out), Path(solutions)
    start = time.monotonic()
    try:
        load_solutions(solutions, exercises)  # fail fast, before touching OUT
        if not submissions.is_dir():
            raise GradeSetupError(
                f"{submissions}: {'not a folder' if submissions.exists() else 'no such folder'} "
                "(SUBMISSIONS must be a folder with one folder or .zip per student)"
            )
        prepare_out(out, submissions, solutions)
    except GradeSetupError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_SETUP

    bar = Progress(
        TextColumn("[bold]grading[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=progress is False,
    )
    task = bar.add_task("", total=None)

    def on_start(total: int) -> None:
        bar.update(task, total=total)

    def on_done(student: str, grade: ExerciseGrade) -> None:
        bar.update(
            task, advance=1, description=escape(f"{student}: {grade.exercise} ({grade.language})")
        )

    try:
        with bar:
            grades: ClassGrade = grade_class(
                submissions,
                solutions=solutions,
                jobs=jobs,
                exercises=exercises,
                on_start=on_start,
                on_done=on_done,
                hide=(submissions.resolve(), out.resolve()),
            )
            bar.update(task, description="")
    except GradeSetupError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_SETUP
    except KeyboardInterrupt:
        console.print("[bold red]interrupted:[/] no reports written")
        return EXIT_INTERRUPTED
    write_reports(grades, out)

    for warning in grades.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    if grades.isolation != "root":
        console.print(
            f"[yellow]warning:[/] {escape(isolation_warning(grades.isolation))}", soft_wrap=True
        )
    students = sorted(grades.students, key=lambda s: s.student)
    width = max((len(s.student) for s in students), default=0)
    for s in students:
        stdout.print(escape(student_line(s, width)), soft_wrap=True)
    elapsed = time.monotonic() - start
    per = elapsed / len(students) if students else 0
    stdout.print(
        f"graded {len(students)} student{'s' if len(students) != 1 else ''} in {elapsed:.1f}s "
        f"({per:.1f}s each, --jobs {jobs}); reports in {escape(str(out))}"
    )
    return EXIT_OK
