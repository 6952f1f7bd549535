"""explain: the rule that failed and its path; it agrees with can_read on every vector.

The Go twin is ``go/schema/explain_test.go`` (the same messages, word for word).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from vectors_files import Case

from twinbook.schema import SchemaError, can_read, explain, parse

from .test_vectors import LOADED


def order(fields: str) -> str:
    return '{"type": "record", "name": "Order", "namespace": "shop", "fields": [' + fields + "]}"


CASES = [
    (
        "a field without default",
        order('{"name": "id", "type": "string"}, {"name": "qty", "type": "int"}'),
        order('{"name": "id", "type": "string"}'),
        "Order.qty: reader field 'qty' has no default and the writer has no such field",
    ),
    (
        "an enum symbol",
        '{"type": "enum", "name": "Colour", "symbols": ["RED"]}',
        '{"type": "enum", "name": "Colour", "symbols": ["RED", "BLUE"]}',
        "Colour: writer symbol 'BLUE' is not in the reader's enum (RED), which has no default",
    ),
    (
        "no promotion",
        order('{"name": "qty", "type": "int"}'),
        order('{"name": "qty", "type": "long"}'),
        "Order.qty: the writer's 'long' cannot be read as 'int'",
    ),
    (
        "array items",
        '{"type": "array", "items": "int"}',
        '{"type": "array", "items": "string"}',
        "array[]: the writer's 'string' cannot be read as 'int'",
    ),
    (
        "map values in a field",
        order('{"name": "m", "type": {"type": "map", "values": "int"}}'),
        order('{"name": "m", "type": {"type": "map", "values": "double"}}'),
        "Order.m{}: the writer's 'double' cannot be read as 'int'",
    ),
    (
        "a writer union branch",
        '["null", "int"]',
        '["null", "int", "string"]',
        "union<2>: no branch of the reader's union reads the writer's 'string'",
    ),
    (
        "names",
        order(""),
        '{"type": "record", "name": "Invoice", "fields": []}',
        "Order: the writer's record 'Invoice' does not match the reader's record 'Order' "
        "by name or alias",
    ),
    (
        "fixed sizes",
        '{"type": "fixed", "name": "F", "size": 4}',
        '{"type": "fixed", "name": "F", "size": 8}',
        "F: the writer's fixed size 8 differs from the reader's 4",
    ),
    (
        "kinds",
        '{"type": "map", "values": "int"}',
        '{"type": "array", "items": "int"}',
        "map: the writer's 'array' cannot be read as 'map'",
    ),
]


@pytest.mark.parametrize(
    ("reader", "writer", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_explain_names_the_rule_and_the_path(reader: str, writer: str, want: str) -> None:
    r, w = parse(reader), parse(writer)
    found = explain(r, w)
    assert found is not None
    assert str(found) == want
    assert not can_read(r, w)


def test_a_promotion_is_explained_as_nothing() -> None:
    assert explain(parse('"long"'), parse('"int"')) is None


def _pairs(body: Mapping[str, Any], concept: str) -> list[tuple[Any, Any]]:
    if concept == "avro_resolution":
        return [(body["reader"], body["writer"])]
    candidate = body["candidate"]
    return [p for old in body["existing"] for p in ((candidate, old), (old, candidate))]


def test_explain_vectors_agree_with_can_read() -> None:
    """On every pair of every vector (both directions for the registry cases), explain is
    None exactly when can_read is true."""
    compared = 0
    for item in LOADED:
        assert isinstance(item, Case), item
        for reader_json, writer_json in _pairs(item.body, item.concept):
            try:
                reader, writer = parse(json.dumps(reader_json)), parse(json.dumps(writer_json))
            except SchemaError:
                continue  # invalid schemas are never compared
            compared += 1
            found = explain(reader, writer)
            assert can_read(reader, writer) == (found is None), (item.name, found)
            assert found is None or (found.reason and " " not in found.path), (item.name, found)
    assert compared >= 80
