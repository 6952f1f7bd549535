"""The vector runner itself: a malformed case or file fails naming why, a wrong answer fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from vectors_files import Broken, Case

from .test_vectors import load
from .vectors import Malformed, run_case

R = "avro_resolution"
G = "registry_compatibility"
REC = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
EMPTY = {"type": "record", "name": "R", "fields": []}


def case(**body: Any) -> dict[str, Any]:
    return {"name": "x", **body}


PASSING = [
    ("a right answer", R, case(reader="long", writer="int", compatible=True)),
    (
        "an invalid schema is not compatible",
        R,
        case(reader="strng", writer="int", compatible=False),
    ),
    (
        "invalid true with an invalid schema",
        R,
        case(reader="strng", writer="int", compatible=False, invalid=True),
    ),
    ("registry", G, case(level="BACKWARD", existing=[REC], candidate=EMPTY, compatible=True)),
]


@pytest.mark.parametrize(("concept", "body"), [c[1:] for c in PASSING], ids=[c[0] for c in PASSING])
def test_a_good_case_passes(concept: str, body: dict[str, Any]) -> None:
    run_case(concept, body)


WRONG = [
    ("wrong answer", R, case(reader="int", writer="long", compatible=True), "answered False"),
    (
        "invalid true, all valid",
        R,
        case(reader="int", writer="int", compatible=False, invalid=True),
        "want one rejected",
    ),
    (
        "invalid false, one invalid",
        R,
        case(reader="strng", writer="int", compatible=False, invalid=False),
        "was rejected",
    ),
    (
        "registry wrong answer",
        G,
        case(level="FORWARD", existing=[REC], candidate=EMPTY, compatible=True),
        "answered False",
    ),
]


@pytest.mark.parametrize(
    ("concept", "body", "reason"), [c[1:] for c in WRONG], ids=[c[0] for c in WRONG]
)
def test_a_wrong_answer_fails(concept: str, body: dict[str, Any], reason: str) -> None:
    with pytest.raises(AssertionError, match=reason):
        run_case(concept, body)


MALFORMED = [
    ("unknown key", R, case(reader="int", writer="int", compatible=True, note=1), "unknown keys"),
    ("no writer", R, case(reader="int", compatible=True), "missing keys ['writer']"),
    ("compatible not a boolean", R, case(reader="int", writer="int", compatible="yes"), "true or"),
    (
        "invalid and compatible",
        R,
        case(reader="x", writer="int", compatible=True, invalid=True),
        "never compatible",
    ),
    (
        "unknown level",
        G,
        case(level="SIDEWAYS", existing=[], candidate="int", compatible=True),
        "invalid compatibility level",
    ),
    ("no existing", G, case(level="NONE", candidate="int", compatible=True), "missing keys"),
    (
        "existing not a list",
        G,
        case(level="NONE", existing="int", candidate="int", compatible=True),
        "existing must be a list",
    ),
    (
        "a reader key in a registry case",
        G,
        case(level="NONE", existing=[], candidate="int", reader="int", compatible=True),
        "unknown keys ['reader']",
    ),
    ("unknown concept", "avro_schema", case(compatible=True), "unknown concept"),
]


@pytest.mark.parametrize(
    ("concept", "body", "reason"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED]
)
def test_a_malformed_case_fails_naming_why(concept: str, body: dict[str, Any], reason: str) -> None:
    with pytest.raises(Malformed, match=reason.replace("[", r"\[").replace("]", r"\]")):
        run_case(concept, body)


GOOD = {"concept": R, "cases": [case(reader="int", writer="int", compatible=True) | {"name": "a"}]}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "bad.json"),
        ({"concept": "breaker", "cases": [{"name": "b"}]}, "concept is 'breaker'"),
        ({"concept": R, "cases": [], "version": 2}, "unknown keys ['version']"),
        ({"concept": G, "cases": []}, "cases is empty"),
        (GOOD, "case name 'a' is used twice"),
    ],
    ids=["not JSON", "unknown concept", "unknown file key", "no cases", "a name used twice"],
)
def test_a_malformed_file_fails_naming_it(tmp_path: Path, body: object, reason: str) -> None:
    (tmp_path / "a_good.json").write_text(json.dumps(GOOD), encoding="utf-8")
    text = body if isinstance(body, str) else json.dumps(body)
    (tmp_path / "bad.json").write_text(text, encoding="utf-8")
    loaded = load(tmp_path)
    broken = [item for item in loaded if isinstance(item, Broken)]
    assert any(reason in item.reason and "bad.json" in item.reason for item in broken), broken
    assert any(isinstance(item, Case) and item.name == "a" for item in loaded)
