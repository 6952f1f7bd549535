"""Checking a learner's answer: the one code path behind ``check()``, ``twinbook check``,
the integrity tests and the grader.

* :func:`check_notebook` reads a saved notebook's answer cells and runs the tests out of
  process (Python: ``python -m twinbook.exercises.pyrunner``; Go: ``go test -json``).
* :func:`check_namespace` runs the Python tests in-process against a live namespace.
* :func:`check_gonb` runs the Go tests against GoNB's memorized declarations.
* :func:`check` is what a Python notebook's check cell calls.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import gorunner, pyrunner
from .model import Exercise, ExerciseError, LanguageSpec, find_exercise_dir, load_exercise
from .notebook import go_answer_file, python_answer_file, read_answer_cells
from .results import DID_NOT_RUN, CheckResult, TestResult, finalize, merge

PYTHON_TIMEOUT = 60.0  # seconds for one out-of-process pytest run


def _spec(exercise: Exercise | str | Path, language: str) -> tuple[Exercise, LanguageSpec]:
    if not isinstance(exercise, Exercise):
        exercise = load_exercise(exercise)
    return exercise, exercise.lang(language)


def _test_files(spec: LanguageSpec, hidden: bool, tests_from: Path | None) -> list[Path]:
    """Test files for a run. ``tests_from`` is another copy of the same exercise (the
    solutions tree) that supplies the hidden tests a learner's copy does not have."""
    files = [spec.visible_tests_path]
    if hidden:
        source = spec if tests_from is None else load_exercise(tests_from).lang(spec.language)
        if not source.hidden_tests_path.is_file():
            raise ExerciseError(f"{source.hidden_tests_path}: hidden tests not found")
        files = [source.visible_tests_path, source.hidden_tests_path]
    return files


def _expected(
    exercise: Exercise, spec: LanguageSpec, hidden: bool, tests_from: Path | None
) -> list[str]:
    if hidden and tests_from is not None:
        return load_exercise(tests_from).lang(spec.language).expected(hidden=True)
    return spec.expected(hidden=hidden)


# --- Python ---------------------------------------------------------------------------


def run_python_answer(
    answer_source: str, test_files: list[Path], timeout: float = PYTHON_TIMEOUT
) -> tuple[dict[str, TestResult], str]:
    """Write ``answer.py`` in a fresh folder and run pytest on the tests in a subprocess."""
    with tempfile.TemporaryDirectory(prefix="twinbook-py-") as tmp:
        tmp = Path(tmp)
        answer_dir = tmp / "answer"
        tests_dir = tmp / "tests"
        answer_dir.mkdir()
        tests_dir.mkdir()
        (answer_dir / "answer.py").write_text(answer_source, encoding="utf-8")
        pyrunner.prepare_test_dir(test_files, tests_dir)
        out = tmp / "events.jsonl"
        env = dict(os.environ)
        env.update(
            PYTHONDONTWRITEBYTECODE="1",
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
            PYTHONIOENCODING="utf-8",
        )
        env.pop("PYTEST_ADDOPTS", None)
        cmd = [
            sys.executable,
            "-m",
            "twinbook.exercises.pyrunner",
            "--answer",
            str(answer_dir / "answer.py"),
            "--tests",
            str(tests_dir),
            "--out",
            str(out),
        ]
        killed = False
        try:
            proc = subprocess.run(
                cmd, cwd=answer_dir, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            proc, killed = None, True
        return _read_events(out, proc, killed, timeout)


def _read_events(
    out: Path, proc, killed: bool, timeout: float
) -> tuple[dict[str, TestResult], str]:
    results: dict[str, TestResult] = {}
    errors: list[str] = []
    running: str | None = None
    done = False
    if out.is_file():
        for line in out.read_text(encoding="utf-8").splitlines():
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = ev.get("event")
            if kind == "start":
                running = ev["name"]
            elif kind == "result":
                merge(results, TestResult(ev["name"], ev["outcome"], ev.get("message", "")))
                running = None if ev["name"] == running else running
            elif kind == "error":
                errors.append(ev.get("message", ""))
            elif kind == "done":
                done = True
    if killed:
        if running and running not in results:
            results[running] = TestResult(running, "failed", f"timed out after {timeout:g}s")
        return results, f"{DID_NOT_RUN}: the run was stopped after {timeout:g}s"
    if not done:
        stderr = (proc.stderr if proc is not None else "").strip().splitlines()
        crash = (
            stderr[-1]
            if stderr
            else f"the test process exited with {proc.returncode if proc else '?'}"
        )
        if running and running not in results:
            results[running] = TestResult(running, "failed", f"crashed: {crash}")
        return results, f"{DID_NOT_RUN}: {crash}"
    if errors:
        return results, f"{DID_NOT_RUN}: {errors[0]}"
    return results, ""


def check_namespace(
    namespace: dict[str, Any],
    exercise: Exercise | str | Path,
    *,
    hidden: bool = False,
    tests_from: Path | None = None,
) -> CheckResult:
    """Python tests, in this process, against a live namespace (a kernel's ``user_ns``)."""
    exercise, spec = _spec(exercise, "python")
    files = _test_files(spec, hidden, tests_from)
    results, errors = pyrunner.run_in_process(files, namespace)
    missing = f"{DID_NOT_RUN}: {errors[0]}" if errors else ""
    return finalize(
        exercise.id, "python", _expected(exercise, spec, hidden, tests_from), results, missing
    )


# --- both -------------------------------------------------------------------------------


def answer_source(spec: LanguageSpec, notebook: Path | None = None) -> str:
    """The answer file built from a saved notebook's answer cells."""
    try:
        cells = read_answer_cells(notebook or spec.notebook_path)
    except ValueError as exc:
        raise ExerciseError(str(exc)) from None
    if spec.language == "python":
        return python_answer_file(cells)
    return go_answer_file(cells)


def check_source(
    source: str,
    exercise: Exercise | str | Path,
    language: str,
    *,
    hidden: bool = False,
    tests_from: Path | None = None,
) -> CheckResult:
    """Run the tests against a whole answer file (``answer.py``, or ``answer.go`` with its
    ``package main`` clause: see :func:`twinbook.exercises.notebook.go_answer_file`)."""
    exercise, spec = _spec(exercise, language)
    files = _test_files(spec, hidden, tests_from)
    expected = _expected(exercise, spec, hidden, tests_from)
    if language == "python":
        results, missing = run_python_answer(source, files)
    else:
        results, missing = gorunner.check_go(files, expected, answer_source=source)
    return finalize(exercise.id, language, expected, results, missing)


def check_notebook(
    exercise: Exercise | str | Path,
    language: str,
    *,
    notebook: Path | None = None,
    hidden: bool = False,
    tests_from: Path | None = None,
) -> CheckResult:
    """Check a saved notebook (by default the exercise's own) out of process."""
    exercise, spec = _spec(exercise, language)
    return check_source(
        answer_source(spec, notebook), exercise, language, hidden=hidden, tests_from=tests_from
    )


def check_gonb(
    gonb_dir: Path | None = None, gonb_tmp: Path | None = None, *, hidden: bool = False
) -> CheckResult:
    """Go tests against GoNB's program: main.go / go.mod in ``gonb_tmp`` (default: the
    current folder, where GoNB runs ``!*`` commands), the exercise from ``$GONB_DIR``."""
    gonb_dir = Path(gonb_dir or os.environ.get("GONB_DIR") or ".")
    gonb_tmp = Path(gonb_tmp or os.environ.get("GONB_TMP_DIR") or ".")
    exercise, spec = _spec(find_exercise_dir(gonb_dir), "go")
    files = _test_files(spec, hidden, None)
    expected = spec.expected(hidden=hidden)
    results, missing = gorunner.check_go(files, expected, gonb_tmp=gonb_tmp)
    return finalize(exercise.id, "go", expected, results, missing)


# --- notebooks --------------------------------------------------------------------------


def _user_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython  # type: ignore

        shell = get_ipython()
    except ImportError:  # pragma: no cover - outside IPython
        shell = None
    if shell is not None:
        return shell.user_ns
    import __main__

    return __main__.__dict__


def check(exercise: str | Path | None = None, *, hidden: bool = False) -> CheckResult | None:
    """Run the exercise's visible tests against this notebook's names and print the report.

    Call it from a Python exercise notebook; the exercise is found from the current folder
    (the notebook's). Returns None so the notebook shows only the report.
    """
    folder = find_exercise_dir(Path(exercise) if exercise else Path.cwd())
    result = check_namespace(_user_namespace(), folder, hidden=hidden)
    print(result.report())
    return None


def hint(level: int | None = None, exercise: str | Path | None = None) -> None:
    """Print the exercise's hints (found from the current folder by default): 1..level, or
    without a level the ones revealed so far plus the next, like ``twinbook hint``."""
    from twinbook.progress import reveal_hint

    ex = load_exercise(find_exercise_dir(Path(exercise) if exercise else Path.cwd()))
    shown = reveal_hint(ex, level)
    print(format_hints(ex, shown, more="hint({level})" if level is not None else "hint()"))


def format_hints(exercise: Exercise, level: int, more: str = "") -> str:
    """Hints 1..level, one per line; ``more`` (with ``{level}``) says how to see the next."""
    if not exercise.hints:
        return "This exercise has no hints."
    level = max(1, min(level, len(exercise.hints)))
    lines = [
        f"Hint {i}/{len(exercise.hints)}: {h}" for i, h in enumerate(exercise.hints[:level], 1)
    ]
    if more and level < len(exercise.hints):
        lines.append("(next: " + more.format(level=level + 1) + ")")
    return "\n".join(lines)
