"""Fixtures of the exercise model and generator tests: the small exercise of python/tests/mini_exercise.py."""

from mini_exercise import make_exercise, mini

__all__ = ["make_exercise", "mini"]  # fixtures, found by pytest through this module
