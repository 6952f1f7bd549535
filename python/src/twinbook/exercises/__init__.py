"""The exercise model: what an exercise is, its notebooks' answer cells, and the results of
a check. Pure data: nothing here runs a test (that is :mod:`twinbook.runner`).

The format is documented in ``exercises/README.md``. Learners call ``check()`` and
``hint()`` from :mod:`twinbook.workbook`.
"""

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
    "disallowed_imports",
    "find_exercise_dir",
    "find_exercises",
    "format_report",
    "load_exercise",
    "strip_solution",
]
