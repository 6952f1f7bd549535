"""Hostile submissions that run into the resource limits (CPU, wall clock, processes):
slower, so they live in their own file and spread over the workers."""

import pytest
from hostile import GO_LIMITS, PYTHON_LIMITS, check_case

pytestmark = pytest.mark.usefixtures("unaffected")

CASES = PYTHON_LIMITS + GO_LIMITS


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_limits(case, grade, exercises, bystander, listener):
    check_case(case, grade, exercises, bystander, listener)
