"""Hostile Python submissions: each gets exactly its grade, and the grader, the other
students and the grader's output are unaffected (see hostile.py and conftest.py)."""

import pytest
from hostile import PYTHON, PYTHON_FORGED, check_case

pytestmark = pytest.mark.usefixtures("unaffected")


@pytest.mark.parametrize("case", PYTHON, ids=[c.id for c in PYTHON])
def test_hostile_python(case, grade, exercises, bystander, listener):
    check_case(case, grade, exercises, bystander, listener)


@pytest.mark.parametrize("case", PYTHON_FORGED, ids=[c.id for c in PYTHON_FORGED])
def test_forged_marks(case, grade, exercises, bystander, listener):
    """Marks forged from inside the answer (issue 9, class 1): none are earned."""
    check_case(case, grade, exercises, bystander, listener)
