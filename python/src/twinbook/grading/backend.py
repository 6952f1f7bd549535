"""Where the grader runs tests and vets answers: :mod:`.sandbox` and :mod:`.vet`.

Until those modules exist, a stand-in runs the suites through the learner's checker
(``twinbook.exercises.checker``: no containment) and vets imports only, with the same
signatures, so the grader's code does not change when they land.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Backend:
    run_suite: Callable[..., list]
    vet: Callable[[Any, str, str], list[str]]
    Limits: type
    contained: bool  # True when the sandbox runs the suites


def backend() -> Backend:
    try:
        from . import sandbox
    except ImportError:
        sandbox = None
    try:
        from .vet import vet
    except ImportError:
        vet = _vet_imports
    if sandbox is not None:
        return Backend(sandbox.run_suite, vet, sandbox.Limits, True)
    return Backend(_run_suite_unconfined, vet, _Limits, False)


def accepts(fn: Callable, name: str) -> bool:
    """Whether ``fn`` takes the keyword argument ``name``."""
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


# --- stand-ins ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    wall_seconds: float = 60.0
    cpu_seconds: int = 30
    memory_bytes: int = 2 << 30
    processes: int = 256
    file_bytes: int = 16 << 20
    output_bytes: int = 1 << 20


def _run_suite_unconfined(exercise, lang: str, answer_source: str, suite: str, *, limits=_Limits(), slot: int = 0):
    from twinbook.exercises import checker, gorunner
    from twinbook.exercises.results import finalize

    spec = exercise.lang(lang)
    if suite == "visible":
        files = [spec.visible_tests_path]
        expected = spec.expected(hidden=False)
    else:
        files = [spec.visible_tests_path, spec.hidden_tests_path]
        expected = [t for t in spec.points if spec.is_hidden(t)]
    if lang == "python":
        results, missing = checker.run_python_answer(answer_source, files, timeout=limits.wall_seconds)
    else:
        results, missing = gorunner.check_go(files, expected, answer_source=answer_source)
    return finalize(exercise.id, lang, expected, results, missing).results


def _vet_imports(exercise, lang: str, answer_source: str) -> list[str]:
    from twinbook.exercises import disallowed_imports
    from twinbook.exercises.gorunner import goimports

    spec = exercise.lang(lang)
    source = goimports(answer_source) if lang == "go" else answer_source
    try:
        bad = disallowed_imports(lang, source, spec.allowed_imports)
    except SyntaxError:
        return []  # the test run reports the syntax error
    allowed = ", ".join(spec.allowed_imports) or "nothing"
    return [f"import {m!r} is not allowed here (allowed: {allowed})" for m in bad]
