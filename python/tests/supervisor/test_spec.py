"""twinbook.supervisor.spec: parsing, and errors that name the offending field and no other."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from twinbook.supervisor import (
    FIELDS,
    ChildSpec,
    Kind,
    Restart,
    Spec,
    SpecError,
    Strategy,
    parse_spec,
)

from .vectors import whole_word


def valid() -> dict[str, Any]:
    return {
        "strategy": "rest_for_one",
        "intensity": 2,
        "period_ms": 1000,
        "children": [
            {"id": "a", "restart": "permanent"},
            {
                "id": "db",
                "restart": "transient",
                "kind": "supervisor",
                "strategy": "one_for_all",
                "intensity": 0,
                "period_ms": 1,
                "children": [{"id": "conn", "restart": "temporary", "kind": "worker"}],
            },
        ],
    }


def test_a_valid_tree_parses_into_specs_with_kind_defaulting_to_worker() -> None:
    spec = parse_spec(valid())
    nested = Spec(Strategy.ONE_FOR_ALL, 0, 1, (ChildSpec("conn", Restart.TEMPORARY),))
    assert spec == Spec(
        Strategy.REST_FOR_ONE,
        2,
        1000,
        (
            ChildSpec("a", Restart.PERMANENT, Kind.WORKER),
            ChildSpec("db", Restart.TRANSIENT, Kind.SUPERVISOR, nested),
        ),
    )


def test_children_may_be_empty() -> None:
    assert parse_spec({"strategy": "one_for_one", "intensity": 0, "period_ms": 1, "children": []})


Edit = Callable[[dict[str, Any]], None]


def put(where: str, key: str, value: Any) -> Edit:
    """Set ``key`` at the top (``top``), on the first worker (``a``) or the nested supervisor (``db``)."""

    def edit(tree: dict[str, Any]) -> None:
        node = {"top": tree, "a": tree["children"][0], "db": tree["children"][1]}[where]
        node[key] = value

    return edit


def drop(where: str, key: str) -> Edit:
    def edit(tree: dict[str, Any]) -> None:
        node = {"top": tree, "a": tree["children"][0], "db": tree["children"][1]}[where]
        del node[key]

    return edit


def json_number(text: str) -> Any:
    return json.loads(text)  # 3.0 and 1e3 as a JSON parser gives them: floats


FAULTS: list[tuple[str, Edit, str]] = [
    ("top strategy missing", drop("top", "strategy"), "strategy"),
    ("top strategy unknown", put("top", "strategy", "all_for_one"), "strategy"),
    ("nested strategy not a string", put("db", "strategy", 1), "strategy"),
    ("intensity missing", drop("top", "intensity"), "intensity"),
    ("intensity negative", put("top", "intensity", -1), "intensity"),
    ("intensity 3.0", put("top", "intensity", json_number("3.0")), "intensity"),
    ("intensity 1e3", put("top", "intensity", json_number("1e3")), "intensity"),
    ("intensity true", put("top", "intensity", True), "intensity"),
    ("intensity a string", put("db", "intensity", "3"), "intensity"),
    ("period_ms missing", drop("db", "period_ms"), "period_ms"),
    ("period_ms zero", put("top", "period_ms", 0), "period_ms"),
    ("period_ms negative", put("top", "period_ms", -5), "period_ms"),
    ("period_ms 1e3", put("db", "period_ms", json_number("1e3")), "period_ms"),
    ("period_ms false", put("top", "period_ms", False), "period_ms"),
    ("period_ms null", put("top", "period_ms", None), "period_ms"),
    ("children missing", drop("top", "children"), "children"),
    ("nested children missing", drop("db", "children"), "children"),
    ("children an object", put("top", "children", {"id": "a"}), "children"),
    ("children of strings", put("db", "children", ["conn"]), "children"),
    ("children of lists", put("db", "children", [[]]), "children"),
    ("children holding null", put("top", "children", [None]), "children"),
    ("a worker with children", put("a", "children", []), "children"),
    ("a worker with a strategy", put("a", "strategy", "one_for_one"), "strategy"),
    ("restart missing", drop("a", "restart"), "restart"),
    ("restart unknown", put("a", "restart", "sometimes"), "restart"),
    ("nested restart unknown", put("db", "restart", "Permanent"), "restart"),
    ("kind unknown", put("a", "kind", "process"), "kind"),
    ("kind not a string", put("db", "kind", None), "kind"),
    ("id missing", drop("a", "id"), "id"),
    ("id empty", put("a", "id", ""), "id"),
    ("id with a slash", put("db", "id", "d/b"), "id"),
    ("id not a string", put("a", "id", 7), "id"),
    ("id duplicated", put("db", "id", "a"), "id"),
]


@pytest.mark.parametrize(("edit", "field"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_each_fault_is_rejected_naming_its_field_and_no_other(edit: Edit, field: str) -> None:
    tree = copy.deepcopy(valid())
    edit(tree)
    with pytest.raises(SpecError) as raised:
        parse_spec(tree)
    message = str(raised.value)
    assert raised.value.field == field
    assert whole_word(field, message), message
    assert [f for f in FIELDS if f != field and whole_word(f, message)] == [], message


def test_a_duplicate_id_in_a_nested_supervisor_is_rejected() -> None:
    tree = valid()
    tree["children"][1]["children"].append({"id": "conn", "restart": "permanent"})
    with pytest.raises(SpecError, match="^id: 'conn' is used twice"):
        parse_spec(tree)


def test_an_unknown_key_is_named() -> None:
    tree = valid()
    tree["children"][0]["restarts"] = "permanent"
    with pytest.raises(SpecError, match="^restarts: is not a field here"):
        parse_spec(tree)


def test_the_tree_must_be_an_object() -> None:
    with pytest.raises(SpecError, match="^tree: must be a JSON object"):
        parse_spec([])


def test_an_error_says_where_by_position_and_id() -> None:
    tree = valid()
    tree["children"][1]["children"][0]["restart"] = "often"
    with pytest.raises(SpecError, match=r"\(child 1 of db, 'conn'\)$"):
        parse_spec(tree)
