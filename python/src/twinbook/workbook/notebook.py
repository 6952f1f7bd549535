"""What a Python exercise notebook calls: ``check()`` runs the exercise's visible tests
against the kernel's names, ``hint()`` reveals its hints (``from twinbook.workbook import
check, hint``). Go notebooks run ``!*twinbook check --gonb`` and ``!*twinbook hint``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from twinbook.exercises.model import Exercise, ExerciseError, find_exercise_dir, load_exercise
from twinbook.exercises.notebook import read_answer_cells
from twinbook.runner.check import check_namespace

from .history import latest_runs
from .progress import reveal_hint

if TYPE_CHECKING:  # pragma: no cover
    from twinbook.exercises.results import CheckResult


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - outside IPython
        return None
    return get_ipython()


def _user_namespace() -> dict[str, Any]:
    shell = _shell()
    if shell is not None:
        namespace: dict[str, Any] = shell.user_ns
        return namespace
    import __main__

    return vars(__main__)


def _answer_runs(folder: Path) -> list[str] | None:
    """What the kernel last ran for the answer cells (None outside IPython, or when it
    cannot tell: the check then tests the kernel's names as they are)."""
    shell = _shell()
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    if not history:
        return None
    try:
        saved = read_answer_cells(load_exercise(folder).lang("python").notebook_path)
    except (ValueError, OSError, ExerciseError):
        return None
    return latest_runs(saved, list(history))


def check(exercise: str | Path | None = None, *, hidden: bool = False) -> CheckResult | None:
    """Run the exercise's visible tests against this notebook's names and print the report.

    Call it from a Python exercise notebook; the exercise is found from the current folder
    (the notebook's). Returns None so the notebook shows only the report.
    """
    folder = find_exercise_dir(Path(exercise) if exercise else Path.cwd())
    result = check_namespace(
        _user_namespace(), folder, hidden=hidden, answer_cells=_answer_runs(folder)
    )
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
