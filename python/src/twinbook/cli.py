"""The ``twinbook`` command line.

    twinbook check [EXERCISE] [--lang python|go] [--hidden] [--gonb] [--json]
    twinbook hint [EXERCISE] [LEVEL]
    twinbook exercises list
    twinbook exercises validate
    twinbook exercises generate [--check]
    twinbook exercises execute [NOTEBOOK_OR_FOLDER ...]
    twinbook grade SUBMISSIONS --out OUT [--jobs N] [--solutions PATH] [--exercise ID ...]
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    name="twinbook",
    help="twinbook: a Go/Python workbook on resilient, concurrent, event-driven systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
exercises_app = typer.Typer(help="Maintain the exercises: list, validate, generate, execute.", no_args_is_help=True)
app.add_typer(exercises_app, name="exercises")


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder above ``start`` (default: the current folder)
    holding ``exercises/`` or ``solutions/``; else the checkout this package lives in."""
    start = (start or Path.cwd()).resolve()
    for folder in [start, *start.parents]:
        if (folder / "exercises").is_dir() and ((folder / "solutions").is_dir() or (folder / "exercises" / "README.md").is_file()):
            return folder
    here = Path(__file__).resolve().parents[3]  # python/src/twinbook/cli.py -> root
    return here


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def resolve_targets(target: Optional[str], root: Path, tree: str = "exercises", lang: Optional[str] = None):
    """(exercise folder, language) pairs named by ``target``: nothing (every exercise), an
    exercise id, a folder (an exercise, one of its language folders, a chapter) or a notebook."""
    from twinbook.exercises import ExerciseError, find_exercise_dir, find_exercises, load_exercise

    base = root / tree
    pairs: list[tuple[Path, str]] = []
    langs_for = lambda ex: [l for l in ex.languages if lang in (None, l)]  # noqa: E731
    path = Path(target) if target else None
    if target is None:
        exercises = find_exercises(base)
    elif path.exists():
        path = path.resolve()
        try:
            folder = find_exercise_dir(path)
        except ExerciseError:
            folder = None
        if folder is None:
            exercises = find_exercises(path)
        else:
            ex = load_exercise(folder)
            only = None
            for spec in ex.languages.values():
                if path == spec.notebook_path or path == spec.test_dir:
                    only = spec.language
            return [(ex.folder, l) for l in langs_for(ex) if only in (None, l)]
    else:
        candidates = [base / target] + sorted(p for p in base.glob(f"*/{target}") if p.is_dir())
        folder = next((c for c in candidates if (c / "exercise.toml").is_file()), None)
        if folder is None:
            raise LookupError(f"no exercise {target!r} under {base}")
        exercises = [load_exercise(folder)]
    for ex in exercises:
        pairs += [(ex.folder, l) for l in langs_for(ex)]
    return pairs


@app.command()
def check(
    exercise: Optional[str] = typer.Argument(None, help="Exercise id, folder or notebook (default: every exercise)."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Only this language: python or go."),
    hidden: bool = typer.Option(False, "--hidden", help="Also run the hidden tests (instructors: taken from solutions/)."),
    solutions: bool = typer.Option(False, "--solutions", help="Check the solutions/ tree instead of exercises/."),
    gonb: bool = typer.Option(
        False, "--gonb", help="Run from a GoNB notebook (`!*twinbook check --gonb`): test GoNB's declarations; exit 0."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print results as JSON."),
    root: Optional[Path] = typer.Option(None, "--root", help="Project root (default: found from the current folder)."),
) -> None:
    """Check saved exercise notebooks against their tests and print the report."""
    from twinbook.exercises import ExerciseError, check_gonb, check_notebook

    if lang not in (None, "python", "go"):
        _fail(f"--lang must be python or go, not {lang!r}")
    try:
        if gonb:
            results = [check_gonb(hidden=hidden)]
        else:
            root = (root or find_root()).resolve()
            targets = resolve_targets(exercise, root, "solutions" if solutions else "exercises", lang)
            if not targets:
                _fail("no exercise found")
            results = []
            for folder, language in targets:
                # instructors: --hidden on a learner's copy takes the hidden tests from solutions/
                twin = root / "solutions" / folder.parent.name / folder.name
                tests_from = twin if hidden and not solutions and twin.is_dir() else None
                results.append(check_notebook(folder, language, hidden=hidden, tests_from=tests_from))
    except (ExerciseError, LookupError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for i, result in enumerate(results):
            if len(results) > 1:
                typer.echo(("\n" if i else "") + f"== {result.exercise} ({result.language})")
            typer.echo(result.report())
    # In a GoNB notebook a non-zero exit only adds "exit status 1" under the report.
    if not gonb and not all(r.ok for r in results):
        raise typer.Exit(1)


@app.command()
def hint(
    args: list[str] = typer.Argument(None, help="[EXERCISE] [LEVEL]: an exercise id or folder, how many hints (1-3)."),
    root: Optional[Path] = typer.Option(None, "--root"),
) -> None:
    """Show an exercise's hints, gentlest first (in a GoNB notebook: `!*twinbook hint 2`)."""
    import os

    from twinbook.exercises import ExerciseError, find_exercise_dir, format_hints, load_exercise

    args = args or []
    level = int(next((a for a in args if a.isdigit()), "1"))
    names = [a for a in args if not a.isdigit()]
    try:
        if names:
            root = (root or find_root()).resolve()
            targets = []
            for tree in ("exercises", "solutions"):  # a learner's copy first
                try:
                    targets = resolve_targets(names[0], root, tree)
                except LookupError:
                    continue
                if targets:
                    break
            if not targets:
                _fail(f"no exercise {names[0]!r} under {root}")
            folder = targets[0][0]
        else:  # the notebook's exercise: GoNB's notebook folder, else the current folder
            folder = find_exercise_dir(Path(os.environ.get("GONB_DIR") or "."))
        ex = load_exercise(folder)
    except ExerciseError as exc:
        _fail(str(exc))
    more = f"twinbook hint {ex.id} {{level}}" if names else "twinbook hint {level}"
    typer.echo(format_hints(ex, level, more=more))


@exercises_app.command("list")
def list_exercises(
    root: Optional[Path] = typer.Option(None, "--root"),
    solutions: bool = typer.Option(False, "--solutions", help="List solutions/ instead of exercises/."),
) -> None:
    """List exercises: id, languages, points."""
    from twinbook.exercises import find_exercises

    root = (root or find_root()).resolve()
    for ex in find_exercises(root / ("solutions" if solutions else "exercises")):
        langs = ", ".join(f"{l} {sum(s.points.values()):g} pts" for l, s in ex.languages.items())
        typer.echo(f"{ex.id}  {ex.title}  [{langs}]")


@exercises_app.command()
def validate(root: Optional[Path] = typer.Option(None, "--root")) -> None:
    """Load and validate every exercise.toml under solutions/ and exercises/."""
    from twinbook.exercises import ExerciseError, find_exercises

    root = (root or find_root()).resolve()
    count = 0
    for tree in ("solutions", "exercises"):
        try:
            count += len(find_exercises(root / tree))
        except ExerciseError as exc:
            _fail(str(exc), 1)
    typer.echo(f"{count} exercise folders valid")


@exercises_app.command("generate")
def generate_cmd(
    check_only: bool = typer.Option(False, "--check", help="Only compare; exit 1 naming the files that differ."),
    root: Optional[Path] = typer.Option(None, "--root"),
) -> None:
    """Generate exercises/ from solutions/ (answers stripped, hidden tests dropped, outputs cleared)."""
    from twinbook.exercises import ExerciseError, generate
    from twinbook.exercises.notebook import StripError

    root = (root or find_root()).resolve()
    try:
        diff = generate(root / "solutions", root / "exercises", check=check_only)
    except (ExerciseError, StripError) as exc:
        _fail(str(exc), 1)
    lines = diff.describe(root / "exercises")
    if check_only:
        if lines:
            for line in lines:
                typer.echo(line)
            typer.echo("exercises/ is out of date: run `twinbook exercises generate`", err=True)
            raise typer.Exit(1)
        typer.echo("exercises/ is up to date")
    else:
        for line in lines:
            typer.echo(("removed " if "stale" in line else "wrote ") + line.split(": ")[0])
        typer.echo(f"{len(diff.changed)} written, {len(diff.stale)} removed")


@exercises_app.command()
def execute(
    paths: list[Path] = typer.Argument(None, help="Notebooks or folders (default: every notebook under solutions/)."),
    timeout: int = typer.Option(300, help="Seconds per cell."),
    root: Optional[Path] = typer.Option(None, "--root"),
) -> None:
    """Execute solution notebooks in place (cwd = the notebook's folder) and save their outputs."""
    from twinbook.exercises.execute import execute_notebook

    root = (root or find_root()).resolve()
    notebooks: list[Path] = []
    for p in paths or [root / "solutions"]:
        p = p.resolve()
        notebooks += [p] if p.suffix == ".ipynb" else sorted(
            n for n in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in n.parts
        )
    for nb in notebooks:
        start = time.monotonic()
        execute_notebook(nb, timeout=timeout)
        typer.echo(f"executed {nb} ({time.monotonic() - start:.1f}s)")


@app.command()
def grade(
    submissions: Path = typer.Argument(..., help="Folder with one entry per student: a folder or a .zip (the id is its name)."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the gradebook, feedback and results."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Grade this many exercises at once (one sandbox slot each)."),
    solutions: Optional[Path] = typer.Option(None, "--solutions", help="The instructor's solutions/ tree (default: the repo's)."),
    exercise: Optional[list[str]] = typer.Option(None, "--exercise", "-e", help="Only this exercise (id or NN-slug); repeatable."),
    root: Optional[Path] = typer.Option(None, "--root", help="Project root (default: found from the current folder)."),
) -> None:
    """Grade a class: hidden tests, points, feedback, gradebook (exit 2 only when grading cannot run)."""
    from twinbook.grading.command import run

    solutions = solutions or (root or find_root()).resolve() / "solutions"
    raise typer.Exit(run(submissions, out, solutions=solutions, jobs=jobs, exercises=exercise or None))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
