"""The canonical form: one string for one schema, whatever its spelling (the Go twin's table)."""

from __future__ import annotations

import pytest

from twinbook.schema import parse

SAME = [
    (
        "whitespace and key order",
        '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}',
        '{"fields":[{"type":"int","name":"a"}],"name":"R","type":"record"}',
    ),
    (
        "namespace spelling",
        '{"type": "record", "name": "R", "namespace": "n", "fields": []}',
        '{"type": "record", "name": "n.R", "fields": []}',
    ),
    ("primitive as object", '{"type": "int"}', '"int"'),
    (
        "doc dropped",
        '{"type": "enum", "name": "E", "symbols": ["A"], "doc": "why"}',
        '{"type": "enum", "name": "E", "symbols": ["A"]}',
    ),
    (
        "aliases sorted and qualified",
        '{"type": "record", "name": "n.R", "aliases": ["Q", "m.P"], "fields": []}',
        '{"type": "record", "name": "R", "namespace": "n", "aliases": ["m.P", "n.Q"], "fields": []}',
    ),
    (
        "ascending is the default order",
        '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "order": "ascending"}]}',
        '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}',
    ),
]


@pytest.mark.parametrize(("a", "b"), [c[1:] for c in SAME], ids=[c[0] for c in SAME])
def test_the_same_schema_spelt_two_ways_has_one_canonical_form(a: str, b: str) -> None:
    assert parse(a).canonical == parse(b).canonical


TEXT = [
    (
        "record",
        '{"type": "record", "name": "R", "namespace": "n", "doc": "x", "fields": [{"name": "a",'
        ' "type": "int", "default": 1, "order": "descending", "aliases": ["z", "b"]}]}',
        '{"type":"record","name":"n.R","fields":[{"name":"a","aliases":["b","z"],"type":"int",'
        '"default":1,"order":"descending"}]}',
    ),
    (
        "second use by name",
        '{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "fixed",'
        ' "name": "F", "size": 2}}, {"name": "b", "type": "F"}]}',
        '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F",'
        '"size":2}},{"name":"b","type":"F"}]}',
    ),
    (
        "enum default",
        '{"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "B"}',
        '{"type":"enum","name":"E","symbols":["A","B"],"default":"B"}',
    ),
    (
        "logical type kept",
        '{"type": "bytes", "logicalType": "decimal", "scale": 2, "precision": 4}',
        '{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}',
    ),
    (
        "numbers",
        '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "double", "default": 1.0},'
        ' {"name": "b", "type": "double", "default": 1e16}, {"name": "d", "type": "long",'
        ' "default": -0}]}',
        '{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1.0},'
        '{"name":"b","type":"double","default":1e+16},{"name":"d","type":"long","default":0}]}',
    ),
]


@pytest.mark.parametrize(("text", "want"), [c[1:] for c in TEXT], ids=[c[0] for c in TEXT])
def test_canonical_text(text: str, want: str) -> None:
    schema = parse(text)
    assert schema.canonical == want
    assert str(schema) == want
    assert parse(schema.canonical).canonical == want
