"""``twinbook grade``: progress bar, reports, a line per student, the exit code.

Exit codes: 0 when grading completed (whatever the students scored), 2 when the grader
could not run (bad SUBMISSIONS, OUT, solutions tree or instructor's file; the message names
what is wrong), 130 when interrupted. OUT is replaced only once the new reports are complete
(:mod:`.outdir`): whatever the exit code, OUT is the old complete one or the new one.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
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

from .formats import FormatError
from .grade import (
    ClassGrade,
    ClassOptions,
    ExerciseGrade,
    GradeSetupError,
    StudentGrade,
    grade_class,
    load_solutions,
)
from .ids import plain
from .outdir import replace_out
from .points import fmt
from .reports import isolation_warning, prepare_out, write_reports

EXIT_OK = 0
EXIT_SETUP = 2
EXIT_INTERRUPTED = 130


def student_line(student: StudentGrade, max_width: int) -> str:
    """``✓ alice   64/64`` or ``✗ bob   20/64  problems``, plain text."""
    problems = student.problems()
    mark = "✓" if student.points == student.max_points and not problems else "✗"
    line = f"{mark} {plain(student.student):<{max_width}}  {fmt(student.points):>6}/{fmt(student.max_points)}"
    if problems:
        line += "  " + "; ".join(plain(p.splitlines()[0]) if p else p for p in problems)
    return line


@dataclass(frozen=True)
class Instructor:
    """The instructor's files and choices, as given on the command line (paths unread)."""

    shard: str | None = None  # "K/N"
    roster: Path | None = None
    adjustments: Path | None = None
    deadline: str | None = None
    assignment: Path | None = None
    chapters: tuple[str, ...] = ()
    returned: bool = True  # write OUT/returned (the notebooks with feedback inside)


def resolve(
    solutions: Path, exercises: list[str] | None, inst: Instructor
) -> tuple[list[str] | None, ClassOptions]:
    """The exercises to grade and the class options, every file read and checked now
    (before any student code runs); :class:`GradeSetupError` naming file, line and field."""
    from .adjustments import load_adjustments
    from .assignment import load_assignment
    from .deadline import DeadlineError, parse_time
    from .roster import load_roster
    from .shards import parse_shard

    try:
        name = ""
        chapters = list(inst.chapters)
        wanted = list(exercises or [])
        if inst.assignment is not None:
            assignment = load_assignment(inst.assignment)
            name = assignment.name
            wanted += assignment.exercises
            chapters += assignment.chapters
        if chapters:
            wanted += chapter_exercises(solutions, chapters)
        only = wanted or None
        columns = [f"{ex.id}:{lang}" for ex, lang in load_solutions(solutions, only)]
        return only, ClassOptions(
            shard=parse_shard(inst.shard) if inst.shard else None,
            roster=load_roster(inst.roster) if inst.roster else None,
            adjustments=load_adjustments(inst.adjustments, columns) if inst.adjustments else None,
            deadline=parse_time(inst.deadline, "--deadline") if inst.deadline else None,
            assignment=name,
        )
    except (FormatError, DeadlineError) as exc:
        raise GradeSetupError(str(exc)) from None


def chapter_exercises(solutions: Path, chapters: list[str]) -> list[str]:
    """The ids of every exercise in the chapters (folder names under solutions/)."""
    ids = []
    for chapter in chapters:
        found = sorted(
            f"{chapter}/{p.parent.name}" for p in (solutions / chapter).glob("*/exercise.toml")
        )
        if "/" in chapter or not found:
            known = sorted(p.name for p in solutions.iterdir() if p.is_dir())
            raise GradeSetupError(
                f"--chapter {chapter!r}: no such chapter in {solutions} (known: {', '.join(known)})"
            )
        ids += found
    return ids


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
    instructor: Instructor | None = None,
) -> int:
    """Grade, write OUT, print a line per student (stdout; progress and errors on stderr)."""
    console = console or Console(stderr=True, highlight=False)
    stdout = stdout or Console(highlight=False)
    inst = instructor or Instructor()
    submissions, out, solutions = Path(submissions), Path(out), Path(solutions)
    start = time.monotonic()
    try:
        load_solutions(solutions, exercises)  # fail fast, before reading anything else
        exercises, options = resolve(solutions, exercises, inst)
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
            task,
            advance=1,
            description=escape(plain(f"{student}: {grade.exercise} ({grade.language})")),
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
                options=options,
            )
            bar.update(task, description="")
        replace_out(out, lambda stage: _fill(grades, stage, inst.returned, jobs))
    except GradeSetupError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_SETUP
    except KeyboardInterrupt:
        console.print("[bold red]interrupted:[/] OUT left as it was")
        return EXIT_INTERRUPTED
    _print_class(grades, console, stdout)
    elapsed = time.monotonic() - start
    n = len(grades.students)
    per = elapsed / n if n else 0
    stdout.print(
        f"graded {n} student{'s' if n != 1 else ''} in {elapsed:.1f}s "
        f"({per:.1f}s each, --jobs {jobs}); reports in {escape(str(out))}"
    )
    return EXIT_OK


def _fill(grades: ClassGrade, stage: Path, returned: bool, jobs: int = 1) -> None:
    write_reports(grades, stage)
    if returned:
        from .returned import write_returned

        write_returned(grades, stage, jobs)


def _print_class(grades: ClassGrade, console: Console, stdout: Console) -> None:
    for warning in grades.warnings:
        console.print(f"[yellow]warning:[/] {escape(plain(warning))}", soft_wrap=True)
    if grades.isolation != "root":
        console.print(
            f"[yellow]warning:[/] {escape(isolation_warning(grades.isolation))}", soft_wrap=True
        )
    students = sorted(grades.students, key=lambda s: s.student)
    width = max((len(s.student) for s in students), default=0)
    for s in students:
        stdout.print(escape(student_line(s, width)), soft_wrap=True)


def merge_run(
    shards: list[Path],
    out: Path,
    *,
    solutions: Path,
    console: Console | None = None,
    stdout: Console | None = None,
) -> int:
    """``twinbook grade merge OUT1 OUT2 ... --out OUT``: one OUT from shard OUTs, the same
    bytes as one run over the whole class (returned notebooks are copied from the shards)."""
    from .shards import merge

    console = console or Console(stderr=True, highlight=False)
    stdout = stdout or Console(highlight=False)
    try:
        resolved = {Path(s).resolve() for s in shards}
        if Path(out).resolve() in resolved:
            raise GradeSetupError(f"--out {out} is one of the shards: choose another folder")
        grades = merge([Path(s) for s in shards], Path(solutions))

        def fill(stage: Path) -> None:
            write_reports(grades, stage)
            for shard in shards:
                returned = Path(shard) / "returned"
                if returned.is_dir():
                    shutil.copytree(returned, stage / "returned", dirs_exist_ok=True)

        replace_out(Path(out), fill)
    except GradeSetupError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_SETUP
    _print_class(grades, console, stdout)
    n = len(grades.students)
    stdout.print(
        f"merged {len(shards)} shard{'s' if len(shards) != 1 else ''}: {n} student"
        f"{'s' if n != 1 else ''}; reports in {escape(str(out))}"
    )
    return EXIT_OK
