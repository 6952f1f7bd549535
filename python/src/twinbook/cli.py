"""The ``twinbook`` command line, grouped by who uses it (as rustlings does).

Learners (the top level)::

    twinbook check [EXERCISE] [--lang python|go] [--gonb] [--json]
    twinbook hint [EXERCISE] [LEVEL] [--reset]
    twinbook watch [EXERCISE] [--lang python|go]
    twinbook progress [--refresh] [--exercises]
    twinbook reset EXERCISE [--lang python|go]

Authors (``twinbook dev``, when :mod:`twinbook.authoring` is installed)::

    twinbook dev check [EXERCISE] [--lang python|go]   every stub fails, every solution passes
    twinbook dev mutate [EXERCISE] [--lang python|go] [-j N]   the tests kill the mutants
    twinbook dev list | validate | generate [--check] | execute [NOTEBOOK ...]
    twinbook dev release OUT [--book auto|build|copy|none] [--force]

Instructors (when :mod:`twinbook.grading` is installed)::

    twinbook grade SUBMISSIONS --out OUT [--jobs N] [--solutions PATH] [--exercise ID ...]
                   [--chapter CH] [--assignment FILE] [--shard K/N] [--roster CSV]
                   [--adjustments CSV] [--deadline TIME] [--no-return-notebooks]
    twinbook grade merge OUT1 OUT2 ... --out OUT

The student edition ships neither the authoring nor the grading package: its ``twinbook``
shows the learner's commands only.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand


class Command(TyperCommand):
    """A command whose usage line names its arguments as ``OUT`` and ``[EXERCISE]``, not
    as typer writes them (``{out}``, which reads like a placeholder left unfilled)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # typer's own click's Context
        pieces = super().collect_usage_pieces(ctx)
        pieces = [re.sub(r"^\{([^{}]+)\}", lambda m: m.group(1).upper(), p) for p in pieces]
        return [re.sub(r"^\[([a-z_]+)\]", lambda m: f"[{m.group(1).upper()}]", p) for p in pieces]


app = typer.Typer(
    name="twinbook",
    help="twinbook: a Go/Python workbook on resilient, concurrent, event-driven systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
dev_app = typer.Typer(
    help="For authors: prove, validate, generate and execute the exercises; make a release.",
    no_args_is_help=True,
)


def _installed(module: str) -> bool:
    """The tooling package is part of this installation (the student edition leaves the
    authoring and grading packages out)."""
    return importlib.util.find_spec(module) is not None


#: The instructors' tools are installed (the project's checkout, not the student edition):
#: only then does ``check`` offer the options that need solutions/ (--hidden, --solutions).
INSTRUCTOR = _installed("twinbook.grading")

RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="Project root (default: found from the current folder)."),
]
LangOption = Annotated[
    str | None, typer.Option("--lang", "-l", help="Only this language: python or go.")
]


def _project_root(start: Path) -> Path | None:
    """The nearest folder from ``start`` up holding ``exercises/`` and either ``solutions/``
    (the project) or ``exercises/README.md`` (a student edition)."""
    for folder in [start, *start.parents]:
        if (folder / "exercises").is_dir() and (
            (folder / "solutions").is_dir() or (folder / "exercises" / "README.md").is_file()
        ):
            return folder
    return None


def _chapters_folder(start: Path) -> Path | None:
    """The nearest folder from ``start`` up holding chapter folders of exercises
    (``CHAPTER/NN-slug/exercise.toml``): one the book's downloads were unzipped into."""
    from twinbook.exercises.model import EXERCISE_FILE

    for folder in [start, *start.parents]:
        if any(folder.glob(f"*/*/{EXERCISE_FILE}")):
            return folder
    return None


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder above ``start`` (default: the current folder)
    holding ``exercises/`` or ``solutions/``; else the checkout this package lives in."""
    start = (start or Path.cwd()).resolve()
    return _project_root(start) or Path(__file__).resolve().parents[3]  # python/src/twinbook/cli.py


def find_tree(root: Path | None = None, start: Path | None = None) -> tuple[Path, Path]:
    """(project root, exercise tree) for a learner's command. ``--root`` names the root;
    else the project or student edition around ``start`` (default: the current folder),
    else the folder of chapters around it that the book's downloads were unzipped into
    (root and tree both), and only then the checkout this package lives in: a learner's
    progress is that of the folder they are in, never the installed edition's."""
    if root is not None:
        root = root.resolve()
        return root, root / "exercises"
    start = (start or Path.cwd()).resolve()
    found = _project_root(start)
    if found is None:
        downloads = _chapters_folder(start)
        if downloads is not None:
            return downloads, downloads
        found = Path(__file__).resolve().parents[3]
    return found, found / "exercises"


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def resolve_targets(
    target: str | None, root: Path, tree: str | Path = "exercises", lang: str | None = None
) -> list[tuple[Path, str]]:
    """(exercise folder, language) pairs named by ``target``: nothing (every exercise), an
    exercise id, a folder (an exercise, one of its language folders, a chapter) or a notebook.
    ``tree``: the exercise tree, a name under ``root`` or a path."""
    from twinbook.exercises import ExerciseError, find_exercise_dir, find_exercises, load_exercise

    base = root / tree
    pairs: list[tuple[Path, str]] = []
    langs_for = lambda ex: [language for language in ex.languages if lang in (None, language)]  # noqa: E731
    if target is None:
        exercises = find_exercises(base)
    elif (path := Path(target)).exists():
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
            return [(ex.folder, language) for language in langs_for(ex) if only in (None, language)]
    else:
        candidates = [base / target] + sorted(p for p in base.glob(f"*/{target}") if p.is_dir())
        folder = next((c for c in candidates if (c / "exercise.toml").is_file()), None)
        if folder is None:
            raise LookupError(f"no exercise {target!r} under {base}")
        exercises = [load_exercise(folder)]
    for ex in exercises:
        pairs += [(ex.folder, language) for language in langs_for(ex)]
    return pairs


@app.command(cls=Command)
def check(
    exercise: Annotated[
        str | None,
        typer.Argument(help="Exercise id, folder or notebook (default: every exercise)."),
    ] = None,
    lang: LangOption = None,
    hidden: Annotated[
        bool,
        typer.Option(
            "--hidden",
            help="Also run the hidden tests (instructors: taken from solutions/).",
            hidden=not INSTRUCTOR,
        ),
    ] = False,
    solutions: Annotated[
        bool,
        typer.Option(
            "--solutions",
            help="Check the solutions/ tree instead of exercises/.",
            hidden=not INSTRUCTOR,
        ),
    ] = False,
    gonb: Annotated[
        bool,
        typer.Option(
            "--gonb",
            help="Run from a GoNB notebook (`!*twinbook check --gonb`): test GoNB's declarations; exit 0.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list every test of each notebook.")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", help="Check this many notebooks at once (default: one per core)."
        ),
    ] = 0,
    root: RootOption = None,
) -> None:
    """Check your saved exercise notebooks: a table, the first failing test, your progress.

    Runs the visible tests against the answer cells as saved. Exit 1 when a test fails."""
    from twinbook.exercises import ExerciseError
    from twinbook.runner.check import check_gonb
    from twinbook.workbook import checks

    if lang not in (None, "python", "go"):
        _fail(f"--lang must be python or go, not {lang!r}")
    if gonb and hidden and not INSTRUCTOR:
        _fail(
            "--hidden needs the instructors' tools and solutions/ (your grade runs the hidden tests)"
        )
    if gonb:  # the Go notebook's check cell: the plain report; exit 0 (the report says it all)
        try:
            result = check_gonb(hidden=hidden)
        except ExerciseError as exc:
            _fail(str(exc))
        typer.echo(
            json.dumps([result.to_dict()], ensure_ascii=False, indent=2)
            if as_json
            else result.report()
        )
        return
    root, tree = find_tree(root)
    tree = root / "solutions" if solutions else tree
    if (hidden or solutions) and not (root / "solutions").is_dir():
        # a learner's copy (the student edition) has no hidden tests: say so once, rather
        # than fail every visible test with "hidden tests not found"
        _fail(
            f"--{'hidden' if hidden else 'solutions'} needs the instructors' solutions/, "
            f"which {root} does not have (your grade runs the hidden tests)"
        )
    try:
        targets = resolve_targets(exercise, root, tree, lang)
        if not targets:
            _fail("no exercise found")

        def tests_from(folder: Path) -> Path | None:
            # instructors: --hidden on a learner's copy takes the hidden tests from solutions/
            twin = root / "solutions" / folder.parent.name / folder.name
            return twin if hidden and not solutions and twin.is_dir() else None

        with _checking_status(len(targets), quiet=as_json) as on_done:
            checked = checks.run_checks(
                targets, jobs=jobs, hidden=hidden, tests_from=tests_from, on_done=on_done
            )
    except (ExerciseError, LookupError) as exc:
        _fail(str(exc))
    learner = not (solutions or hidden)  # a learner's check: remember it (twinbook progress)
    progress = checks.record(tree, checked) if learner else None
    if as_json:
        typer.echo(json.dumps([c.result.to_dict() for c in checked], ensure_ascii=False, indent=2))
    else:
        items = checks.items_for(tree, progress, checked) if learner else None
        verbose = verbose or not learner  # instructors (--hidden, --solutions) see every test
        checks.render(
            _console(), checked, items=items, verbose=verbose, show_not_started=exercise is not None
        )
    if not all(c.ok for c in checked):
        raise typer.Exit(1)


def _console():
    from rich.console import Console

    return Console(highlight=False)


@contextlib.contextmanager
def _checking_status(total: int, quiet: bool = False):
    """A transient "checking 3/8" line on a terminal's stderr while checks run."""
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or total < 2 or not console.is_terminal:
        yield lambda checked: None
        return
    done = [0]
    with console.status(f"checking 0/{total} notebooks") as status:

        def on_done(checked) -> None:
            done[0] += 1
            status.update(
                f"checking {done[0]}/{total} notebooks (last: {checked.exercise.id} {checked.language})"
            )

        yield on_done


@app.command(cls=Command)
def hint(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="[EXERCISE] [LEVEL]: an exercise id or folder; LEVEL shows hints 1..LEVEL."
        ),
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Forget the hints revealed so far for this exercise.")
    ] = False,
    root: RootOption = None,
) -> None:
    """Reveal an exercise's hints one at a time, gentlest first: each call shows the hints
    revealed so far plus the next (remembered in exercises/.twinbook/progress.json).
    In a GoNB notebook: `!*twinbook hint` (or `!*twinbook hint 2`)."""
    import os

    from twinbook.exercises import ExerciseError, find_exercise_dir, load_exercise
    from twinbook.workbook import format_hints
    from twinbook.workbook.progress import reveal_hint

    args = args or []
    level = next((int(a) for a in args if a.isdigit()), None)
    names = [a for a in args if not a.isdigit()]
    try:
        if names:
            folder = _exercise_folder(names[0], root)
        else:  # the notebook's exercise: GoNB's notebook folder, else the current folder
            folder = find_exercise_dir(Path(os.environ.get("GONB_DIR") or "."))
        ex = load_exercise(folder)
    except ExerciseError as exc:
        _fail(str(exc))
    name = f" {ex.id}" if names else ""
    if reset:
        reveal_hint(ex, reset=True)
        typer.echo(f"Hints of {ex.id} hidden again: `twinbook hint{name}` shows the first.")
        return
    shown = reveal_hint(ex, level)
    # In a Go notebook the learner types the notebook's command, `!*twinbook hint 2`; a
    # shell's `twinbook hint` would not run there.
    command = f"!*twinbook hint{name}" if os.environ.get("GONB_DIR") else f"twinbook hint{name}"
    more = f"{command} {{level}}" if level is not None or command.startswith("!") else command
    typer.echo(format_hints(ex, shown, more=more))


def _exercise_folder(name: str, root: Path | None) -> Path:
    """The folder of the exercise ``name``: the learner's copy first, else solutions/."""
    root, learners = find_tree(root)
    for tree in (learners, root / "solutions"):
        try:
            targets = resolve_targets(name, root, tree)
        except LookupError:
            continue
        if targets:
            return targets[0][0]
    _fail(f"no exercise {name!r} under {root}")


@app.command(cls=Command)
def watch(
    exercise: Annotated[
        str | None,
        typer.Argument(help="Exercise id, folder or notebook (default: every exercise)."),
    ] = None,
    lang: LangOption = None,
    clear: Annotated[
        bool, typer.Option("--clear/--no-clear", help="Clear the screen before each check.")
    ] = True,
    poll: Annotated[
        bool,
        typer.Option(
            "--poll", help="Poll for saves (network drives, where file events do not arrive)."
        ),
    ] = False,
    max_runs: Annotated[
        int | None, typer.Option("--max-runs", hidden=True, help="Stop after N checks (for tests).")
    ] = None,
    root: RootOption = None,
) -> None:
    """Check an exercise again each time you save its notebook, and say what to do next.
    Starts with EXERCISE, else with the first notebook not yet passing. Ctrl-C quits."""
    from twinbook.exercises import ExerciseError
    from twinbook.workbook.watch import Watcher

    if lang not in (None, "python", "go"):
        _fail(f"--lang must be python or go, not {lang!r}")
    root, tree = find_tree(root)
    try:
        targets = resolve_targets(exercise, root, tree, lang) if (exercise or lang) else None
        watcher = Watcher(tree, targets, console=_console(), clear=clear)
        watcher.run(max_runs=max_runs, force_polling=poll or None)
    except (ExerciseError, LookupError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        typer.echo("\nStopped watching.")


@app.command(cls=Command)
def progress(
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Check every notebook again first (else: the last checks)."),
    ] = False,
    exercises: Annotated[
        bool, typer.Option("--exercises", "-e", help="A row per exercise instead of per chapter.")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            help="With --refresh: notebooks checked at once (default: one per core).",
        ),
    ] = 0,
    root: RootOption = None,
) -> None:
    """Your progress through the workbook: per chapter, notebooks passing / total per
    language, and the next one to do. Reads the results of your last checks."""
    from twinbook.exercises import ExerciseError
    from twinbook.workbook import checks
    from twinbook.workbook.progress import Progress, workbook

    root, tree = find_tree(root)
    try:
        if refresh:
            targets = resolve_targets(None, root, tree)
            with _checking_status(len(targets)) as on_done:
                checks.record(tree, checks.run_checks(targets, jobs=jobs, on_done=on_done))
        items = workbook(tree, Progress.load(tree))
    except (ExerciseError, LookupError) as exc:
        _fail(str(exc))
    if not items:
        _fail(f"no exercise under {tree}")
    checks.render_progress(_console(), items, exercises=exercises)


@app.command(cls=Command)
def reset(
    exercise: Annotated[str, typer.Argument(help="Exercise id or folder.")],
    lang: LangOption = None,
    root: RootOption = None,
) -> None:
    """Start an exercise over: its answer cells go back to the stub (your cells are kept in
    a backup copy of the notebook), its checks and hints are forgotten."""
    from twinbook.exercises import ExerciseError, load_exercise
    from twinbook.workbook.checks import display_path
    from twinbook.workbook.reset import reset as reset_exercise

    if lang not in (None, "python", "go"):
        _fail(f"--lang must be python or go, not {lang!r}")
    root, tree = find_tree(root)
    try:
        targets = resolve_targets(exercise, root, tree, lang)
    except (ExerciseError, LookupError) as exc:
        _fail(str(exc))
    if not targets:
        _fail(f"no exercise {exercise!r} under {tree}")
    ex = load_exercise(targets[0][0])
    try:
        done = reset_exercise(ex, [language for _, language in targets])
    except (ExerciseError, OSError, ValueError) as exc:
        _fail(str(exc), 1)
    for one in done:
        typer.echo(f"{ex.id} ({one.language}): {one.describe(display_path)}")
    if any(one.restored for one in done):
        typer.echo("Open in Jupyter? Reload it from disk (File > Reload Notebook from Disk).")


# --- authors: twinbook dev ------------------------------------------------------------------


@dev_app.command("check", cls=Command)
def dev_check(
    exercise: Annotated[
        str | None,
        typer.Argument(help="Exercise id or folder name under solutions/ (default: every one)."),
    ] = None,
    lang: LangOption = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Exercises proven at once (default: one per core).")
    ] = 0,
    root: RootOption = None,
) -> None:
    """Prove the exercises: every stub fails a visible test, every solution passes its
    visible and hidden tests, in each language (through the learners' and grader's runners).
    Exit 1 when one does not."""
    import os

    from twinbook.authoring.devcheck import prove_all, targets
    from twinbook.exercises import ExerciseError

    if lang not in (None, "python", "go"):
        _fail(f"--lang must be python or go, not {lang!r}")
    solutions = (root or find_root()).resolve() / "solutions"
    try:
        pairs = targets(solutions, exercise, lang)
    except ExerciseError as exc:
        _fail(str(exc), 1)
    if not pairs:
        _fail(
            f"no exercise {exercise!r} under {solutions}"
            if exercise
            else f"no exercise under {solutions}"
        )

    def report(proof) -> None:
        mark = "✓" if proof.ok else "✗"
        line = f"{mark} {proof.exercise.id} ({proof.language}): solution {proof.solution.passed}/{proof.solution.total}, stub {proof.stub.passed}/{proof.stub.total}"
        typer.echo("\n  ".join([line, *proof.problems()]))

    proofs = prove_all(pairs, jobs=jobs or os.cpu_count() or 1, on_done=report)
    bad = [p for p in proofs if not p.ok]
    typer.echo(f"{len(proofs) - len(bad)}/{len(proofs)} exercise notebooks proven")
    if bad:
        raise typer.Exit(1)


@dev_app.command("mutate", cls=Command)
def dev_mutate(
    exercise: Annotated[
        str | None,
        typer.Argument(help="Exercise id or folder name under solutions/ (default: every one)."),
    ] = None,
    lang: LangOption = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Mutants checked at once.")] = 2,
    run_equivalents: Annotated[
        bool,
        typer.Option(
            "--run-equivalents",
            help="Run the listed equivalent mutants too (a killed one is a wrong entry).",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The JSON report (default: build/mutate/report.json)."),
    ] = None,
    write_sample: Annotated[
        Path | None,
        typer.Option(
            "--write-sample",
            help="Write the sample make test runs to this file (tests/exercises/mutation_sample.toml).",
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Mutation testing: run small edits of each solution's answer region through the
    checker with the hidden tests; print the score per exercise and language and every
    surviving mutant. Exit 1 when a pair is below 98% or its equivalents file is wrong."""
    from twinbook.authoring.devcheck import targets
    from twinbook.authoring.mutation.report import format_details, format_table, to_json, write_json
    from twinbook.authoring.mutation.runner import plan, run_plan
    from twinbook.exercises import ExerciseError

    if lang not in (None, "python", "go"):
        _fail(f"--lang must be python or go, not {lang!r}")
    root = (root or find_root()).resolve()
    try:
        pairs = targets(root / "solutions", exercise, lang)
    except ExerciseError as exc:
        _fail(str(exc), 1)
    if not pairs:
        _fail(f"no exercise {exercise!r} under {root / 'solutions'}" if exercise else "no exercise")
    path = out or root / "build" / "mutate" / "report.json"
    started = time.monotonic()
    results = []
    for ex, language in pairs:
        try:
            pair_plan = plan(ex, language)
        except (ExerciseError, ValueError) as exc:
            _fail(str(exc), 1)
        typer.echo(f"{ex.id} ({language}): {len(pair_plan.mutants)} mutants ...")
        result = run_plan(pair_plan, jobs=jobs, run_equivalents=run_equivalents)
        results.append(result)
        details = format_details(result)
        if details:
            typer.echo(details)
        # written after each pair, so a long run that is stopped still leaves its findings
        write_json(to_json(results, jobs=jobs, wall_seconds=time.monotonic() - started), path)
    wall = time.monotonic() - started
    typer.echo("")
    typer.echo(format_table(results))
    write_json(to_json(results, jobs=jobs, wall_seconds=wall), path)
    typer.echo(f"{len(results)} pairs in {wall:.0f}s at -j {jobs}; report: {path}")
    if write_sample:
        from twinbook.authoring.mutation import sample

        chosen = {(r.plan.exercise.id, r.plan.language): sample.choose(r) for r in results}
        sample.write_sample(write_sample, chosen)
        typer.echo(f"sample of {sum(map(len, chosen.values()))} mutants written to {write_sample}")
    if any(r.problems() for r in results):
        raise typer.Exit(1)


@dev_app.command("list", cls=Command)
def list_exercises(
    root: RootOption = None,
    solutions: Annotated[
        bool, typer.Option("--solutions", help="List solutions/ instead of exercises/.")
    ] = False,
) -> None:
    """List exercises: id, languages, points."""
    from twinbook.exercises import find_exercises

    root = (root or find_root()).resolve()
    for ex in find_exercises(root / ("solutions" if solutions else "exercises")):
        langs = ", ".join(
            f"{language} {s.total_points:g} pts" for language, s in ex.languages.items()
        )
        typer.echo(f"{ex.id}  {ex.title}  [{langs}]")


@dev_app.command(cls=Command)
def validate(root: RootOption = None) -> None:
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


@dev_app.command("generate", cls=Command)
def generate_cmd(
    check_only: Annotated[
        bool, typer.Option("--check", help="Only compare; exit 1 naming the files that differ.")
    ] = False,
    root: RootOption = None,
) -> None:
    """Generate exercises/ from solutions/ (answers stripped, hidden tests dropped, outputs cleared)."""
    from twinbook.authoring.generate import generate
    from twinbook.exercises import ExerciseError
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
            typer.echo("exercises/ is out of date: run `twinbook dev generate`", err=True)
            raise typer.Exit(1)
        typer.echo("exercises/ is up to date")
    else:
        for line in lines:
            typer.echo(("removed " if "stale" in line else "wrote ") + line.split(": ")[0])
        typer.echo(f"{len(diff.changed)} written, {len(diff.stale)} removed")


@dev_app.command(cls=Command)
def execute(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Notebooks or folders (default: every notebook under solutions/)."),
    ] = None,
    timeout: Annotated[int, typer.Option(help="Seconds per cell.")] = 300,
    root: RootOption = None,
) -> None:
    """Execute solution notebooks in place (cwd = the notebook's folder) and save their outputs."""
    from twinbook.authoring.execute import execute_notebook

    root = (root or find_root()).resolve()
    notebooks: list[Path] = []
    for p in paths or [root / "solutions"]:
        p = p.resolve()
        notebooks += (
            [p]
            if p.suffix == ".ipynb"
            else sorted(n for n in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in n.parts)
        )
    for nb in notebooks:
        start = time.monotonic()
        execute_notebook(nb, timeout=timeout)
        typer.echo(f"executed {nb} ({time.monotonic() - start:.1f}s)")


@dev_app.command(cls=Command)
def release(
    out: Annotated[
        Path,
        typer.Argument(help="Where to write the student edition (a new folder)."),
    ],
    book: Annotated[
        str,
        typer.Option(
            "--book",
            help="auto: copy build/html-student (the book built with -t student) if fresh, "
            "else build it; build; copy; none.",
        ),
    ] = "auto",
    book_from: Annotated[
        Path | None,
        typer.Option("--book-from", help="Copy this built site instead of build/html-student."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an earlier student edition at OUT.")
    ] = False,
    root: RootOption = None,
) -> None:
    """Write the student edition: the book, notebooks, exercises (no answers), the libraries
    and the learner's tools; no solutions, no hidden tests, no grader. Scanned for leaks
    before OUT is written."""
    from twinbook.authoring.release import ReleaseError, make_release

    root = (root or find_root()).resolve()
    try:
        made = make_release(root, out, book=book, book_from=book_from, force=force)
    except ReleaseError as exc:
        _fail(str(exc), 1)
    typer.echo(
        f"release: {made.files} files in {made.out} (book: {made.book}); no answer or hidden test found in it"
    )


# --- instructors: twinbook grade -------------------------------------------------------------


def grade(
    submissions: Annotated[
        list[Path],
        typer.Argument(
            help="Folder with one entry per student: a folder or a .zip (the id is its name). "
            "Or: merge OUT1 OUT2 ... to merge shard outputs into --out.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Where to write the gradebook, feedback and results."),
    ],
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", help="Grade this many exercises at once (one sandbox slot each)."
        ),
    ] = 1,
    solutions: Annotated[
        Path | None,
        typer.Option("--solutions", help="The instructor's solutions/ tree (default: the repo's)."),
    ] = None,
    exercise: Annotated[
        list[str] | None,
        typer.Option("--exercise", "-e", help="Only this exercise (id or NN-slug); repeatable."),
    ] = None,
    chapter: Annotated[
        list[str] | None,
        typer.Option(
            "--chapter", help="Every exercise of this chapter (e.g. ch01-concurrency); repeatable."
        ),
    ] = None,
    assignment: Annotated[
        Path | None,
        typer.Option(
            "--assignment", help="A TOML file naming the assignment's exercises or chapters."
        ),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard", help="Grade only the K-th of N slices of the class: K/N (merge them after)."
        ),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help="CSV submission,name,email: who is who."),
    ] = None,
    adjustments: Annotated[
        Path | None,
        typer.Option(
            "--adjustments",
            help="CSV student,exercise,points,reason: points given or taken by hand.",
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option(
            "--deadline", help="ISO 8601 time with a zone; later submissions are marked late."
        ),
    ] = None,
    return_notebooks: Annotated[
        bool,
        typer.Option(
            "--return-notebooks/--no-return-notebooks",
            help="Write OUT/returned: each notebook with its feedback inside, .ipynb and .html.",
        ),
    ] = True,
    root: RootOption = None,
) -> None:
    """Grade a class: hidden tests, points, feedback, gradebook (exit 2 only when grading cannot run).

    twinbook grade merge OUT1 OUT2 ... --out OUT merges the outputs of --shard runs.
    """
    from twinbook.grading.command import EXIT_SETUP, Instructor, merge_run, run

    solutions = solutions or (root or find_root()).resolve() / "solutions"
    if submissions and str(submissions[0]) == "merge":
        raise typer.Exit(merge_run(submissions[1:], out, solutions=solutions))
    if len(submissions) != 1:
        typer.echo(
            "error: give one SUBMISSIONS folder (or: twinbook grade merge OUT1 OUT2 ... --out OUT)",
            err=True,
        )
        raise typer.Exit(EXIT_SETUP)
    inst = Instructor(
        shard=shard,
        roster=roster,
        adjustments=adjustments,
        deadline=deadline,
        assignment=assignment,
        chapters=tuple(chapter or ()),
        returned=return_notebooks,
    )
    raise typer.Exit(
        run(
            submissions[0],
            out,
            solutions=solutions,
            jobs=jobs,
            exercises=exercise or None,
            instructor=inst,
        )
    )


if _installed("twinbook.authoring"):
    app.add_typer(dev_app, name="dev")
if _installed("twinbook.grading"):
    app.command(cls=Command)(grade)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
