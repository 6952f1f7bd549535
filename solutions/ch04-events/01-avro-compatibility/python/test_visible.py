"""Visible tests for Avro reader/writer compatibility: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.can_read``).
``expect_read`` (the chapter's helpers) calls ``can_read(reader, writer)`` on copies of the two
schemas, checks that it returns True or False, and says which rule a wrong answer breaks.
"""

from chapter_helpers import expect_read


def record(name, *fields, **attrs):
    """A record schema: ``fields`` are (name, type) pairs or field dicts."""
    return {
        "type": "record",
        "name": name,
        "fields": [f if isinstance(f, dict) else {"name": f[0], "type": f[1]} for f in fields],
        **attrs,
    }


def test_primitives_match_themselves_and_promote_one_way(answer):
    expect_read(answer, "string", "string", True, "a primitive reads itself")
    expect_read(answer, "long", "int", True, "an int is promoted to long")
    expect_read(answer, "double", "float", True, "a float is promoted to double")
    expect_read(answer, "bytes", "string", True, "string and bytes read each other")
    expect_read(answer, "int", "long", False, "a long may not fit an int: no promotion back")
    expect_read(answer, "string", "int", False, "no promotion from a number to a string")


def test_a_reader_field_needs_a_writer_field_or_a_default(answer):
    v1 = record("Order", ("id", "string"))
    with_default = record("Order", ("id", "string"), {"name": "qty", "type": "int", "default": 1})
    without = record("Order", ("id", "string"), ("qty", "int"))
    expect_read(answer, with_default, v1, True, "qty is missing from the data: its default is used")
    expect_read(answer, without, v1, False, "qty is missing from the data and has no default")
    expect_read(answer, v1, without, True, "a writer field the reader lacks is skipped")


def test_field_types_resolve_and_order_does_not_matter(answer):
    writer = record("Order", ("id", "string"), ("qty", "int"))
    expect_read(
        answer,
        record("Order", ("qty", "long"), ("id", "string")),
        writer,
        True,
        "fields match by name, in any order, and qty's int is promoted to long",
    )
    expect_read(
        answer,
        record("Order", ("id", "string"), ("qty", "string")),
        writer,
        False,
        "qty is an int in the data: a string field cannot read it",
    )
    expect_read(
        answer,
        record("Invoice", ("id", "string"), ("qty", "int")),
        writer,
        False,
        "a record reads only a record of the same name (or one of its aliases)",
    )


def test_enum_symbols_and_the_reader_default(answer):
    small = {"type": "enum", "name": "Size", "symbols": ["S", "M"]}
    large = {"type": "enum", "name": "Size", "symbols": ["S", "M", "L"]}
    expect_read(answer, large, small, True, "every symbol the writer knows, the reader knows")
    expect_read(answer, small, large, False, "the writer may write L, which the reader lacks")
    expect_read(
        answer,
        dict(small, default="M"),
        large,
        True,
        "a reader enum with a default reads an unknown symbol as the default",
    )


def test_unions_on_either_side(answer):
    expect_read(answer, ["null", "string"], "string", True, "one reader branch reads a string")
    expect_read(answer, ["null", "int"], "string", False, "no reader branch reads a string")
    expect_read(answer, ["null", "string"], ["string", "null"], True, "each writer branch is read")
    expect_read(
        answer,
        "string",
        ["null", "string"],
        False,
        "the writer may have written null, which a string cannot read",
    )


def test_arrays_maps_and_fixed(answer):
    expect_read(
        answer,
        {"type": "array", "items": "long"},
        {"type": "array", "items": "int"},
        True,
        "arrays resolve when their items do",
    )
    expect_read(
        answer,
        {"type": "map", "values": "int"},
        {"type": "map", "values": "long"},
        False,
        "maps resolve when their values do: long to int does not",
    )
    md5 = {"type": "fixed", "name": "Hash", "size": 16}
    expect_read(answer, md5, dict(md5, size=32), False, "a fixed reads only the same size")
