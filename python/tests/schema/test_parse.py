"""The parser: what it accepts, and errors that name the place at fault and what is wrong."""

from __future__ import annotations

import pytest

from twinbook.schema import Schema, SchemaError, can_read, parse
from twinbook.schema.parse import MAX_DEPTH

REC = '{"type": "record", "name": "R", "fields": [%s]}'

INVALID = [
    ("not JSON", '{"type": ', ["not JSON"]),
    ("text after the schema", '"int" "long"', ["not JSON"]),
    ("bare word", "int", ["not JSON"]),
    ("NaN is not JSON", "NaN", ["not JSON"]),
    ("a number", "3", ["at schema", "not 3"]),
    ("unknown type name", '"strng"', ["at schema", "unknown type name 'strng'"]),
    ("unknown type in a field", REC % '{"name": "a", "type": "Missing"}', ["at R.a", "'Missing'"]),
    ("no type", '{"name": "R"}', ["at schema", "no type"]),
    ("type not a string", '{"type": {"type": "int"}}', ["at schema", "not a type name"]),
    ("record without fields", '{"type": "record", "name": "R"}', ["at R", "needs fields"]),
    ("fields not an array", '{"type": "record", "name": "R", "fields": {}}', ["needs fields"]),
    ("record without a name", '{"type": "record", "fields": []}', ["at schema", "needs a name"]),
    ("invalid name", '{"type": "record", "name": "1R", "fields": []}', ["invalid name '1R'"]),
    ("non-ASCII name", '{"type": "record", "name": "Ré", "fields": []}', ["invalid name 'Ré'"]),
    (
        "invalid namespace",
        '{"type": "record", "name": "R", "namespace": "a..b", "fields": []}',
        ["invalid namespace 'a..b'"],
    ),
    ("a primitive as a name", '{"type": "fixed", "name": "int", "size": 1}', ["primitive type"]),
    ("field not an object", REC % '"a"', ["at R.fields[0]", "a field is an object"]),
    ("invalid field name", REC % '{"name": "a-b", "type": "int"}', ['invalid field name "a-b"']),
    ("field without type", REC % '{"name": "a"}', ["at R.a", "needs a type"]),
    (
        "duplicate field",
        REC % '{"name": "a", "type": "int"}, {"name": "a", "type": "long"}',
        ["at R.a", "duplicate field name 'a'"],
    ),
    ("bad order", REC % '{"name": "a", "type": "int", "order": "up"}', ['order "up"']),
    (
        "bad default",
        REC % '{"name": "a", "type": "int", "default": "x"}',
        ["at R.a", 'default "x" does not match the field\'s type "int"'],
    ),
    (
        "union default of the second branch",
        REC % '{"name": "a", "type": ["null", "int"], "default": 1}',
        ["at R.a", "default 1", 'first branch "null"'],
    ),
    ("int default true", REC % '{"name": "a", "type": "int", "default": true}', ["default true"]),
    ("float default a string", REC % '{"name": "a", "type": "float", "default": "1"}', ['"1"']),
    ("enum without symbols", '{"type": "enum", "name": "E"}', ["at E", "needs symbols"]),
    (
        "duplicate symbol",
        '{"type": "enum", "name": "E", "symbols": ["A", "A"]}',
        ["duplicate enum symbol 'A'"],
    ),
    ("invalid symbol", '{"type": "enum", "name": "E", "symbols": ["B C"]}', ['symbol "B C"']),
    (
        "enum default not a symbol",
        '{"type": "enum", "name": "E", "symbols": ["A"], "default": "B"}',
        ['enum default "B"'],
    ),
    ("fixed without size", '{"type": "fixed", "name": "F"}', ["at F", "needs a size"]),
    ("fixed size negative", '{"type": "fixed", "name": "F", "size": -1}', ["size -1"]),
    ("fixed size 2.0", '{"type": "fixed", "name": "F", "size": 2.0}', ["size 2.0"]),
    ("fixed size true", '{"type": "fixed", "name": "F", "size": true}', ["size true"]),
    ("array without items", '{"type": "array"}', ["at schema", "needs items"]),
    ("map without values", '{"type": "map"}', ["at schema", "needs values"]),
    ("bad items", '{"type": "array", "items": "nope"}', ["at schema.items", "nope"]),
    ("union in a union", '["null", ["int"]]', ["at schema[1]", "may not hold a union"]),
    ("duplicate branch", '["int", "long", "int"]', ["at schema[2]", "already has a branch int"]),
    (
        "named type defined twice",
        REC
        % (
            '{"name": "a", "type": {"type": "fixed", "name": "F", "size": 1}},'
            '{"name": "b", "type": {"type": "fixed", "name": "F", "size": 2}}'
        ),
        ["at F", "'F' is defined twice"],
    ),
    (
        "bad alias",
        '{"type": "record", "name": "R", "aliases": ["not ok"], "fields": []}',
        ['invalid alias "not ok"'],
    ),
    (
        "bad field alias",
        REC % '{"name": "a", "type": "int", "aliases": ["b.c"]}',
        ["at R.a", 'invalid alias "b.c"'],
    ),
]


@pytest.mark.parametrize(("text", "parts"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_an_invalid_schema_is_refused_naming_the_fault(text: str, parts: list[str]) -> None:
    with pytest.raises(SchemaError) as raised:
        parse(text)
    assert isinstance(raised.value, ValueError)
    for part in parts:
        assert part in str(raised.value)


VALID = [
    ("primitive", '"int"', "int", ""),
    ("primitive object", '{"type": "string", "doc": "ignored"}', "string", ""),
    ("record with no fields", '{"type": "record", "name": "R", "fields": []}', "record", "R"),
    ("error is a record", '{"type": "error", "name": "Oops", "fields": []}', "error", "Oops"),
    (
        "namespace attribute",
        '{"type": "enum", "name": "E", "namespace": "a.b", "symbols": []}',
        "enum",
        "a.b.E",
    ),
    (
        "dotted name wins",
        '{"type": "fixed", "name": "x.F", "namespace": "a", "size": 0}',
        "fixed",
        "x.F",
    ),
    (
        "recursive",
        REC.replace('"R"', '"L"') % '{"name": "next", "type": ["null", "L"], "default": null}',
        "record",
        "L",
    ),
    ("empty union", "[]", "union", ""),
    ("decimal without precision", '{"type": "bytes", "logicalType": "decimal"}', "bytes", ""),
    (
        "defaults of every kind",
        REC
        % (
            '{"name": "a", "type": "int", "default": -2147483648},'
            '{"name": "b", "type": "long", "default": 9223372036854775807},'
            '{"name": "c", "type": "float", "default": 1},'
            '{"name": "e", "type": "bytes", "default": "\\u00ff"},'
            '{"name": "f", "type": {"type": "fixed", "name": "F", "size": 2}, "default": "ab"},'
            '{"name": "g", "type": {"type": "map", "values": "boolean"}, "default": {"k": true}},'
            '{"name": "h", "type": ["string", "null"], "default": "s"}'
        ),
        "record",
        "R",
    ),
]


@pytest.mark.parametrize(("text", "typ", "name"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_a_valid_schema_parses(text: str, typ: str, name: str) -> None:
    schema = parse(text)
    assert (schema.type, schema.full_name) == (typ, name)


def test_references_bring_named_types_in_sight() -> None:
    money = parse(
        '{"type": "record", "name": "shop.Money", "fields": [{"name": "c", "type": "long"}]}'
    )
    order = parse(
        '{"type": "record", "name": "Order", "namespace": "shop",'
        ' "fields": [{"name": "total", "type": "Money"}]}',
        [money],
    )
    assert order.canonical == (
        '{"type":"record","name":"shop.Order","fields":[{"name":"total","type":"shop.Money"}]}'
    )
    invoice = parse(
        '{"type": "record", "name": "shop.Invoice", "fields": [{"name": "o", "type": "shop.Order"},'
        ' {"name": "fee", "type": "shop.Money"}]}',
        [order, money],
    )
    assert can_read(invoice, invoice)
    with pytest.raises(SchemaError, match="unknown type name"):
        parse('"shop.Money"')
    with pytest.raises(SchemaError, match="defined twice"):
        parse('{"type": "fixed", "name": "shop.Money", "size": 8}', [money])
    other = parse('{"type": "fixed", "name": "shop.Money", "size": 8}')
    with pytest.raises(SchemaError, match="two different definitions"):
        parse('"int"', [money, other])
    with pytest.raises(SchemaError, match="not a Schema"):
        parse('"int"', ["int"])  # type: ignore[list-item]
    assert isinstance(order, Schema)


def test_nesting_is_refused_past_max_depth_and_accepted_up_to_it() -> None:
    def deep(n: int) -> str:
        return '{"type": "array", "items": ' * n + '"int"' + "}" * n

    schema = parse(deep(MAX_DEPTH - 1))
    assert can_read(schema, schema)
    assert parse(schema.canonical).canonical == schema.canonical
    for n in (MAX_DEPTH, 100_000):  # the second one is too deep for json.loads itself
        with pytest.raises(SchemaError, match=f"nested deeper than {MAX_DEPTH}"):
            parse(deep(n))
