"""What a Python exercise notebook calls: ``check()`` runs the exercise's visible tests
against the kernel's names, ``hint()`` reveals its hints (``from twinbook.workbook import
check, hint``). Go notebooks run ``!*twinbook check --gonb`` and ``!*twinbook hint``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from twinbook.exercises.model import Exercise, find_exercise_dir, load_exercise
from twinbook.exercises.results import CheckResult
from twinbook.runner.check import check_namespace

from .progress import reveal_hint


def _user_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - outside IPython
        shell = None
    if shell is not None:
        namespace: dict[str, Any] = shell.user_ns
        return namespace
    import __main__

    return vars(__main__)


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
    ex = load_exercise(find_exercise_dir(Path(exercise) if exercise else Path.cwd()))
    shown = reveal_hint(ex, level)
    print(format_hints(ex, shown, more="hint({level})" if level is not None else "hint()"))


def format_hints(exercise: Exercise, level: int, more: str = "") -> str:
    """Hints 1..level, one per line; ``more`` (with ``{level}``) says how to see the next,
    and once every hint is shown the last line says so (else a learner would keep asking)."""
    if not exercise.hints:
        return "This exercise has no hints."
    level = max(1, min(level, len(exercise.hints)))
    lines = [
        f"Hint {i}/{len(exercise.hints)}: {h}" for i, h in enumerate(exercise.hints[:level], 1)
    ]
    if more and level < len(exercise.hints):
        lines.append("(next: " + more.format(level=level + 1) + ")")
    elif level == len(exercise.hints):
        lines.append("(that was the last hint: there are no more)")
    return "\n".join(lines)
