"""Hostile Go submissions: each gets exactly its grade, and the grader, the other
students and the grader's output are unaffected (see hostile.py and conftest.py)."""

import pytest
from hostile import GO, check_case

pytestmark = pytest.mark.usefixtures("unaffected")


@pytest.mark.parametrize("case", GO, ids=[c.id for c in GO])
def test_hostile_go(case, grade, exercises, bystander, listener):
    check_case(case, grade, exercises, bystander, listener)
