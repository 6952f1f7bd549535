"""Every failure a learner can meet says, in the exercise's terms, what was expected and
what happened (issue 10, point 5).

The exercises' Python tests state their expectations in assertion messages; a bare
``assert x == y`` or ``pytest.raises`` would reach the learner as pytest's own words
("assert 'open' == 'half_open'", "Failed: DID NOT RAISE <class 'ValueError'>"). What the
harness itself says (a name the answer lacks, an answer that fails to load) goes through
:func:`twinbook.runner.messages.explain`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.repo import ROOT
from twinbook.runner.messages import explain

TEST_FILES = sorted(
    [
        *ROOT.glob("solutions/*/*/python/test_*.py"),
        *ROOT.glob("solutions/*/chapter_helpers.py"),
    ]
)


def _bare(path: Path) -> list[str]:
    """The asserts without a message and the pytest.raises of a test file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assert) and node.msg is None:
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "raises"
            and isinstance(node.value, ast.Name)
            and node.value.id == "pytest"
        ):
            found.append(f"line {node.lineno}: pytest.raises says 'DID NOT RAISE'")
    return found


def test_the_exercises_have_python_tests():
    assert len(TEST_FILES) >= 10


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_assertion_says_what_was_expected(path):
    assert _bare(path) == [], (
        f"{path}: give these a message that says what the exercise expected and what happened"
    )


@pytest.mark.parametrize(
    ("raw", "explained"),
    [
        (
            "AttributeError: 'Breaker' is not defined: write it in the answer cell and run that cell",
            "the tests use Breaker, but your answer does not define it: "
            "write it in the answer cell and run that cell",
        ),
        (
            "RuntimeError: the answer did not load: AttributeError: 'Breaker' is not defined: "
            "write it in the answer cell and run that cell",
            "the tests use Breaker, but your answer does not define it: "
            "write it in the answer cell and run that cell",
        ),
        (
            "Failed: DID NOT RAISE <class 'ValueError'>",
            "expected ValueError to be raised, but the call returned without raising it",
        ),
        (
            "Failed: DID NOT RAISE ValueError",
            "expected ValueError to be raised, but the call returned without raising it",
        ),
        (
            "RuntimeError: the answer did not load: ZeroDivisionError: division by zero",
            "running your answer cells failed before any test could use them: "
            "ZeroDivisionError: division by zero",
        ),
        ("limit=0: want an error, got nil", "limit=0: want an error, got nil"),
    ],
)
def test_the_harness_messages_are_explained(raw, explained):
    assert explain(raw) == explained
