"""The learner's workbook: check, hint, watch, progress and reset (the ``twinbook`` commands
at the top level) and the notebook side, ``check()`` and ``hint()``.

Imports the exercise model and the runner layer, never the authoring or grading tools.
"""

from .notebook import check, format_hints, hint

__all__ = ["check", "format_hints", "hint"]
