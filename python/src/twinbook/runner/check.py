"""Checking an answer against an exercise's tests: the one code path behind a notebook's
``check()``, ``twinbook check``, ``twinbook dev check`` and the integrity tests.

* :func:`check_notebook` reads a saved notebook's answer cells and runs the tests out of
  process, through the harness and the result channel of :mod:`.channel` (Python:
  ``python -m twinbook.runner.pyrunner``; Go: a ``go test -c`` binary), as the grader
  does inside its sandbox.
* :func:`check_namespace` runs the Python tests in-process against a live namespace (a
  kernel's names cannot cross a process boundary).
* :func:`check_gonb` runs the Go tests against GoNB's memorized declarations.

Each asks :mod:`.precheck` first: an answer the grader would refuse before running it
(it does not parse or compile, or vetting rejects it) runs no test, and the check says why
once, at the answer cell's line (:func:`twinbook.exercises.results.not_run`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from twinbook.exercises.cells import gonb_answer
from twinbook.exercises.model import (
    Exercise,
    ExerciseError,
    LanguageSpec,
    find_exercise_dir,
    load_exercise,
)
from twinbook.exercises.notebook import (
    go_answer_file,
    python_answer_file,
    read_answer_cells,
    read_code_cells,
)
from twinbook.exercises.results import (
    DID_NOT_RUN,
    CheckResult,
    TestResult,
    finalize,
    not_run,
)

from . import channel, gorunner, messages, precheck, pyrunner, vet

PYTHON_TIMEOUT = 60.0  # seconds for one out-of-process pytest run


def _spec(exercise: Exercise | str | Path, language: str) -> tuple[Exercise, LanguageSpec]:
    if not isinstance(exercise, Exercise):
        exercise = load_exercise(exercise)
    return exercise, exercise.lang(language)


def suite_files(spec: LanguageSpec, *, hidden: bool, tests_from: Path | None = None) -> list[Path]:
    """The files a run places side by side in its test folder: the visible tests, with
    ``hidden`` the hidden tests, and the chapter's helper file when there is one.

    Every way in (the notebook's check, ``twinbook check``, ``twinbook dev check``, the
    integrity tests and the grader's sandbox) takes its files from here, so the tests find
    their helpers the same way everywhere. ``tests_from`` is another copy of the same
    exercise (the solutions tree) that supplies the hidden tests a learner's copy does not
    have; the helper then comes from there too, so that the hidden tests run with the
    helper they were written against.
    """
    source = spec
    files = [spec.visible_tests_path]
    if hidden:
        if tests_from is not None:
            source = load_exercise(tests_from).lang(spec.language)
        if not source.hidden_tests_path.is_file():
            raise ExerciseError(f"{source.hidden_tests_path}: hidden tests not found")
        files = [source.visible_tests_path, source.hidden_tests_path]
    if source.helper_path.is_file():
        files.append(source.helper_path)
    return files


def _expected(
    exercise: Exercise, spec: LanguageSpec, hidden: bool, tests_from: Path | None
) -> list[str]:
    if hidden and tests_from is not None:
        return load_exercise(tests_from).lang(spec.language).expected(hidden=True)
    return spec.expected(hidden=hidden)


# --- Python ---------------------------------------------------------------------------


def python_argv(
    answer: Path, tests: Path, *, output_limit: int | None = None, hidden: bool = False
) -> list[str]:
    """The harness command for the Python tests in ``tests`` against ``answer`` (the
    interpreter and flags are the caller's: the grader adds ``-I -B`` and ``--contain``)."""
    argv = ["-m", "twinbook.runner.pyrunner", "--answer", str(answer), "--tests", str(tests)]
    if output_limit is not None:
        argv += ["--output-limit", str(output_limit)]
    if hidden:
        argv += ["--files", "test_hidden.py"]
    return argv


def run_python_answer(
    answer_source: str,
    test_files: list[Path],
    expected: list[str],
    timeout: float = PYTHON_TIMEOUT,
) -> tuple[dict[str, TestResult], str]:
    """Write ``answer.py`` in a fresh folder and run the harness on the tests in a plain
    subprocess, reading the outcomes from the result channel as the grader does."""
    with tempfile.TemporaryDirectory(prefix="twinbook-py-") as tmp:
        answer_dir = Path(tmp) / "answer"
        tests_dir = Path(tmp) / "tests"
        answer_dir.mkdir()
        tests_dir.mkdir()
        (answer_dir / "answer.py").write_text(answer_source, encoding="utf-8")
        pyrunner.prepare_test_dir(test_files, tests_dir)
        env = dict(os.environ)
        env.update(
            PYTHONDONTWRITEBYTECODE="1",
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
            PYTHONIOENCODING="utf-8",
        )
        env.pop("PYTEST_ADDOPTS", None)
        argv = [sys.executable, *python_argv(answer_dir / "answer.py", tests_dir)]

        def execute(selection: list[str] | None, left: float, nonce: str) -> channel.RawRun:
            extra = [a for t in selection for a in ("--select", t)] if selection else []
            return channel.execute_plain(
                [*argv, *extra], cwd=str(answer_dir), env=env, timeout=left, nonce=nonce
            )

        return channel.run_all(
            expected,
            execute,
            budget=timeout,
            describe=lambda raw, name: pyrunner.describe(raw, name, budget=timeout),
        )


def check_namespace(
    namespace: dict[str, Any],
    exercise: Exercise | str | Path,
    *,
    hidden: bool = False,
    tests_from: Path | None = None,
    answer_cells: list[str] | None = None,
) -> CheckResult:
    """Python tests, in this process, against a live namespace (a kernel's ``user_ns``).

    ``answer_cells``: the sources the kernel last ran for the answer cells; when they do
    not compile or the grader would refuse them, the tests do not run (the namespace may
    still hold an earlier run's names) and the result says why."""
    exercise, spec = _spec(exercise, "python")
    files = suite_files(spec, hidden=hidden, tests_from=tests_from)
    expected = _expected(exercise, spec, hidden, tests_from)
    if answer_cells is not None:
        problem = precheck.python_problem(exercise, answer_cells, latest_run=True)
        if problem:
            return not_run(exercise.id, "python", expected, problem)
    results, errors = pyrunner.run_in_process(files, namespace)
    missing = f"{DID_NOT_RUN}: {errors[0]}" if errors else ""
    return messages.explained(finalize(exercise.id, "python", expected, results, missing))


# --- both -------------------------------------------------------------------------------


def saved_answer_cells(spec: LanguageSpec, notebook: Path | None = None) -> list[str]:
    """The answer cells of a saved notebook (by default the exercise's own)."""
    try:
        return read_answer_cells(notebook or spec.notebook_path)
    except ValueError as exc:
        raise ExerciseError(str(exc)) from None


def answer_source(spec: LanguageSpec, notebook: Path | None = None) -> str:
    """The answer file built from a saved notebook's answer cells."""
    cells = saved_answer_cells(spec, notebook)
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
    cells: list[str] | None = None,
) -> CheckResult:
    """Run the tests against a whole answer file (``answer.py``, or ``answer.go`` with its
    ``package main`` clause: see :func:`twinbook.exercises.notebook.go_answer_file`).

    ``cells``: the answer cells the file was built from, so that problems name their lines
    (without them, the whole file is taken as one cell)."""
    exercise, spec = _spec(exercise, language)
    files = suite_files(spec, hidden=hidden, tests_from=tests_from)
    expected = _expected(exercise, spec, hidden, tests_from)
    cells = cells if cells is not None else [source]
    if language == "python":
        problem = precheck.python_problem(exercise, cells)
    else:
        problem = precheck.go_problem(exercise, source, cells)
    if problem:
        return not_run(exercise.id, language, expected, problem)
    if language == "python":
        results, missing = run_python_answer(source, files, expected)
    else:
        results, missing = gorunner.check_go(files, expected, answer_source=source)
        compiled = vet.go_source(source)
        if missing.startswith(gorunner.COMPILE_ERROR):
            problem = precheck.go_compile_problem(
                missing.removeprefix(gorunner.COMPILE_ERROR), compiled, cells
            )
            return not_run(exercise.id, language, expected, problem)
        precheck.locate_races(results.values(), compiled, cells)
    return messages.explained(finalize(exercise.id, language, expected, results, missing))


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
    cells = saved_answer_cells(spec, notebook)
    source = python_answer_file(cells) if language == "python" else go_answer_file(cells)
    return check_source(
        source, exercise, language, hidden=hidden, tests_from=tests_from, cells=cells
    )


def check_gonb(
    gonb_dir: Path | None = None, gonb_tmp: Path | None = None, *, hidden: bool = False
) -> CheckResult:
    """Go tests against GoNB's program: main.go / go.mod in ``gonb_tmp`` (default: the
    current folder, where GoNB runs ``!*`` commands), the exercise from ``$GONB_DIR``."""
    gonb_dir = Path(gonb_dir or os.environ.get("GONB_DIR") or ".")
    gonb_tmp = Path(gonb_tmp or os.environ.get("GONB_TMP_DIR") or ".")
    exercise, spec = _spec(find_exercise_dir(gonb_dir), "go")
    files = suite_files(spec, hidden=hidden)
    expected = spec.expected(hidden=hidden)
    program_path = gonb_tmp / "main.go"
    program = program_path.read_text(encoding="utf-8") if program_path.is_file() else ""
    # the lines the learner wrote: GoNB keeps no copy of the cells, the saved notebook does
    # (a line since edited and not saved is cited by its declaration's text instead)
    try:
        cells = read_answer_cells(spec.notebook_path)
        demo = read_code_cells(spec.notebook_path, "demo")
    except ValueError:
        cells, demo = [], []
    if program:
        problem = precheck.go_problem(exercise, gonb_answer(program, demo), cells)
        if problem:
            return not_run(exercise.id, "go", expected, problem)
    results, missing = gorunner.check_go(files, expected, gonb_tmp=gonb_tmp)
    if missing.startswith(gorunner.COMPILE_ERROR):
        problem = precheck.go_compile_problem(
            missing.removeprefix(gorunner.COMPILE_ERROR), program, cells
        )
        return not_run(exercise.id, "go", expected, problem)
    precheck.locate_races(results.values(), program, cells)
    return messages.explained(finalize(exercise.id, "go", expected, results, missing))
