"""Graded exercises: the format, the generator and the checkers.

Learners call :func:`check` from a Python exercise notebook (``from twinbook.exercises
import check; check()``) and :func:`hint` for hints; the ``twinbook`` CLI wraps the rest.
The format is documented in ``exercises/README.md``.
"""

from .checker import (
    check,
    check_gonb,
    check_namespace,
    check_notebook,
    check_source,
    format_hints,
    hint,
)
from .generate import diff_tree, generate, generate_tree
from .model import (
    Exercise,
    ExerciseError,
    LanguageSpec,
    find_exercise_dir,
    find_exercises,
    load_exercise,
)
from .notebook import answer_cells, disallowed_imports, strip_solution
from .results import CheckResult, TestResult, format_report

__all__ = [
    "CheckResult",
    "Exercise",
    "ExerciseError",
    "LanguageSpec",
    "TestResult",
    "answer_cells",
    "check",
    "check_gonb",
    "check_namespace",
    "check_notebook",
    "check_source",
    "diff_tree",
    "disallowed_imports",
    "find_exercise_dir",
    "find_exercises",
    "format_hints",
    "format_report",
    "generate",
    "generate_tree",
    "hint",
    "load_exercise",
    "strip_solution",
]
