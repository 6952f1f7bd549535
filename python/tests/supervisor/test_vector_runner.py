"""The vector runner itself: a malformed case fails naming why, a wrong answer names the step.

A runner that skipped or passed a broken case would let a wrong implementation
through, so its own failures are tested here on cases made wrong one way each.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from .test_vectors import empty_files
from .vectors import Malformed, run_case, whole_word

GOOD: dict[str, Any] = {
    "name": "good",
    "tree": {
        "strategy": "one_for_one",
        "intensity": 0,
        "period_ms": 10,
        "children": [{"id": "a", "restart": "permanent"}, {"id": "b", "restart": "transient"}],
    },
    "steps": [
        {"at_ms": 0, "expect": {"log": ["start a", "start b"]}},
        {"at_ms": 5, "exit": {"child": "b", "reason": "normal"}, "expect": {"log": []}},
        {"at_ms": 6, "exit": {"child": "a", "reason": "crash"}, "expect": {"stopped": True}},
    ],
}


def test_the_good_case_passes() -> None:
    run_case(GOOD)


def change(path: list[Any], value: Any) -> dict[str, Any]:
    case = copy.deepcopy(GOOD)
    node: Any = case
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return case


MALFORMED = [
    ("unknown case key", change(["comment"], "x"), "unknown keys ['comment']"),
    ("no name", change(["name"], KeyError), "needs a non-empty string name"),
    ("no tree", change(["tree"], KeyError), "needs a tree"),
    ("steps and expect_error", change(["expect_error"], "id"), "either steps or expect_error"),
    ("empty steps", change(["steps"], []), "non-empty list"),
    ("unknown step key", change(["steps", 1, "note"], 1), "step 2: unknown keys ['note']"),
    ("unknown expect key", change(["steps", 0, "expect", "logs"], []), "unknown expect keys"),
    ("first step exits", change(["steps", 0, "exit"], {"child": "a", "reason": "crash"}), "step 1"),
    ("first step later", change(["steps", 0, "at_ms"], 1), "step 1 starts the tree"),
    ("a later step without exit", change(["steps", 1, "exit"], KeyError), "step 2: every step"),
    ("time goes back", change(["steps", 2, "at_ms"], 4), "step 3: at_ms must be"),
    ("at_ms not an integer", change(["steps", 1, "at_ms"], 5.0), "step 2: at_ms"),
    ("exit key unknown", change(["steps", 1, "exit", "why"], "x"), "exit needs exactly"),
    ("unknown worker", change(["steps", 1, "exit", "child"], "zz"), "no child 'zz'"),
    ("a stopped worker", change(["steps", 2, "exit", "child"], "b"), "'b' is not running"),
    ("bad reason", change(["steps", 1, "exit", "reason"], "oops"), "unknown reason"),
    ("expect.log not strings", change(["steps", 0, "expect", "log"], [1]), "list of strings"),
    ("invalid tree", change(["tree", "period_ms"], 0), "the tree is invalid"),
]


@pytest.mark.parametrize(
    ("case", "reason"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_case_fails_naming_the_reason(case: dict[str, Any], reason: str) -> None:
    with pytest.raises(Malformed) as raised:
        run_case(case)
    assert reason in str(raised.value)


def test_a_wrong_expectation_fails_naming_the_step() -> None:
    case = change(
        ["steps", 2, "expect", "log"], ["give_up /"]
    )  # the right log also terminates b? no:
    run_case(case)  # b had stopped: ["give_up /"] is right
    wrong = change(["steps", 2, "expect", "log"], ["start a"])
    with pytest.raises(AssertionError, match=r"step 3 .*log \['give_up /'\]"):
        run_case(wrong)


def test_an_expect_error_case_must_be_rejected_naming_that_field() -> None:
    case = {
        "name": "e",
        "tree": change(["tree", "intensity"], -1)["tree"],
        "expect_error": "intensity",
    }
    run_case(case)
    with pytest.raises(AssertionError, match="does not name 'period_ms'"):
        run_case({**case, "expect_error": "period_ms"})
    with pytest.raises(AssertionError, match="the tree was built"):
        run_case({**case, "tree": GOOD["tree"]})
    with pytest.raises(Malformed, match="expect_error must be one of"):
        run_case({**case, "expect_error": "intensities"})


@pytest.mark.parametrize(
    ("word", "text", "found"),
    [
        ("id", "id: missing", True),
        ("id", "child 1, 'id'", True),
        ("id", "ids are unique", False),
        ("id", "_id", False),
        ("period_ms", "period_ms: must be", True),
        ("period_ms", "period_ms2", False),
    ],
)
def test_whole_word(word: str, text: str, found: bool) -> None:
    assert whole_word(word, text) is found


def test_a_file_with_no_cases_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text(json.dumps({"concept": "supervisor", "cases": []}))
    (tmp_path / "ok.json").write_text(json.dumps({"concept": "supervisor", "cases": [GOOD]}))
    assert [(b.name, b.reason) for b in empty_files(tmp_path)] == [
        ("broken file empty.json", "empty.json: cases is empty")
    ]
