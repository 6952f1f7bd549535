"""The normalized text a registry deduplicates on (:attr:`Schema.canonical`).

Parsed and written again with full names, no whitespace and a fixed key order, so two texts
that differ only in whitespace, key order or how a namespace is spelt give one string. What
changes meaning is kept (defaults, aliases, logical types with their precision and scale, an
enum's default, a field's order unless it is the default ``ascending``); ``doc`` and other
attributes are dropped. A named type is written out where it first appears and by its full
name after; one from a reference, only by name.

Key order: type, name, aliases, then fields (each: name, aliases, type, default, order) or
symbols and default or size, or items or values, then logicalType, precision, scale. Default
values are compact JSON with sorted keys, as :func:`json.dumps` writes them; the Go twin
writes numbers the same way, so both languages give the same string.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only annotations: model.py imports this module when asked
    from .model import Field, Schema


def json_text(value: Any) -> str:
    """A decoded JSON value as compact JSON, keys sorted, non-ASCII kept as it is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_of(schema: Schema, local: frozenset[int] | None) -> str:
    """``schema`` written out, defining the named types whose ids are in ``local`` (all of
    them when ``local`` is None)."""
    out: list[str] = []
    _Writer(local, set(), out).schema(schema)
    return "".join(out)


class _Writer:
    def __init__(self, local: frozenset[int] | None, written: set[int], out: list[str]) -> None:
        self.local, self.written, self.out = local, written, out

    def schema(self, s: Schema) -> None:
        w = self.out.append
        if s.is_named and (
            id(s) in self.written or (self.local is not None and id(s) not in self.local)
        ):
            w(json_text(s.name))
            return
        if s.type == "union":
            w("[")
            for i, branch in enumerate(s.branches):
                if i:
                    w(",")
                self.schema(branch)
            w("]")
            return
        if not s.is_named and s.items is None and not s.logical:
            w(json_text(s.type))
            return
        w('{"type":' + json_text(s.type))
        if s.is_named:
            self.written.add(id(s))
            w(',"name":' + json_text(s.name))
            self.names("aliases", s.aliases)
        if s.is_record:
            w(',"fields":[')
            for i, f in enumerate(s.fields):
                if i:
                    w(",")
                self.field(f)
            w("]")
        elif s.type == "enum":
            w(',"symbols":' + json_text(s.symbols))
            if s.enum_default is not None:
                w(',"default":' + json_text(s.enum_default))
        elif s.type == "fixed":
            w(f',"size":{s.size}')
        elif s.items is not None:
            w(',"items":' if s.type == "array" else ',"values":')
            self.schema(s.items)
        for key, value in s.logical:
            w(f',"{key}":' + json_text(value))
        w("}")

    def field(self, f: Field) -> None:
        w = self.out.append
        w('{"name":' + json_text(f.name))
        self.names("aliases", f.aliases)
        w(',"type":')
        self.schema(f.type)
        if f.has_default:
            w(',"default":' + json_text(f.default))
        if f.order != "ascending":
            w(',"order":' + json_text(f.order))
        w("}")

    def names(self, key: str, names: tuple[str, ...]) -> None:
        if names:
            self.out.append(f',"{key}":' + json_text(list(names)))
