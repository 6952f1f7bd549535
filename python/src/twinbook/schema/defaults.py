"""Whether a field's default matches the field's type, as Avro's parser checks it.

A union's default belongs to its first branch; bytes and fixed defaults are strings of code
points 0-255 (a fixed one of exactly its size); an enum's is one of its symbols; a record's
gives every field that has no default of its own. An ``int`` default is a JSON integer (``1.0``
is not one) within 32 bits, a ``long`` one within 64.
"""

from __future__ import annotations

from typing import Any

from .model import Schema


def json_int(value: Any, lo: int, hi: int) -> int | None:
    """``value`` if it is a JSON integer within [lo, hi] (``true`` is not one), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
        return value
    return None


def _byte_string(value: Any) -> bool:
    return isinstance(value, str) and all(ord(c) <= 0xFF for c in value)


def valid_default(schema: Schema, value: Any) -> bool:  # noqa: PLR0911 (one return per type)
    """Whether the decoded JSON ``value`` is a valid default for a field of type ``schema``."""
    match schema.type:
        case "null":
            return value is None
        case "boolean":
            return isinstance(value, bool)
        case "int":
            return json_int(value, -(2**31), 2**31 - 1) is not None
        case "long":
            return json_int(value, -(2**63), 2**63 - 1) is not None
        case "float" | "double":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "string":
            return isinstance(value, str)
        case "bytes":
            return _byte_string(value)
        case "fixed":
            return _byte_string(value) and len(value) == schema.size
        case "enum":
            return isinstance(value, str) and value in schema.symbols
        case "array":
            assert schema.items is not None
            items = schema.items
            return isinstance(value, list) and all(valid_default(items, v) for v in value)
        case "map":
            assert schema.items is not None
            values = schema.items
            return isinstance(value, dict) and all(valid_default(values, v) for v in value.values())
        case "union":
            return bool(schema.branches) and valid_default(schema.branches[0], value)
        case "record" | "error":
            return isinstance(value, dict) and all(
                valid_default(f.type, value[f.name]) if f.name in value else f.has_default
                for f in schema.fields
            )
    return False
