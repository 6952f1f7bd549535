"""Reading a schema's JSON text: :func:`parse`.

Every error is a :class:`SchemaError` naming the place at fault (the full name of the
type, then the field, ``[i]`` for a union branch, ``.items`` or ``.values``) and what is
wrong, because a registry's 422 is only as useful as its message.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .canonical import canonical_of, json_text
from .defaults import json_int, valid_default
from .model import Field, Schema, SchemaError
from .names import PRIMITIVES, full_name_of, namespace_of, qualify, valid_full_name, valid_name

#: How deeply types may nest in a schema (a record in an array in a union...). Real schemas
#: stay far below it; a deeper one is refused as invalid rather than left to exhaust the
#: interpreter's recursion limit in whoever reads or compares it.
MAX_DEPTH = 128


def parse(text: str, references: Sequence[Schema] = ()) -> Schema:
    """Parse an Avro schema from its JSON text (a string, an object or an array).

    The named types of ``references`` (the registry's schema references, each parsed
    before) may be used by name; they are not redefined here, and the canonical form names
    them only. An invalid schema raises :class:`SchemaError`: not JSON, an unknown type name,
    a record without a fields array, a default that does not match its field's type (a
    union's default, its first branch), duplicate field names or enum symbols, an invalid
    name, a fixed without a size, a named type defined twice.
    """
    p = _Parser()
    for i, ref in enumerate(references):
        p.add_reference(ref, i)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise SchemaError(f"invalid Avro schema: not JSON: {exc}") from None
    except RecursionError:
        raise SchemaError(f"invalid Avro schema: types nested deeper than {MAX_DEPTH}") from None
    schema = p.parse(value, "", "schema")
    # Defaults are checked last: a field's type may be the record still being defined.
    for f, path in p.defaults:
        if not valid_default(f.type, f.default):
            p.fail(
                path,
                f"default {json_text(f.default)} does not match the field's type "
                f"{_describe(f.type)}",
            )
    schema.local = frozenset(id(s) for s in p.local)
    return schema


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


@dataclass
class _Parser:
    depth: int = 0
    names: dict[str, Schema] = field(default_factory=dict)
    local: list[Schema] = field(default_factory=list)
    defaults: list[tuple[Field, str]] = field(default_factory=list)

    def fail(self, path: str, message: str) -> NoReturn:
        raise SchemaError(f"invalid Avro schema: at {path}: {message}")

    def add_reference(self, ref: Schema, index: int) -> None:
        """The named types of a referenced schema (and of its own references) become
        visible by name; two references bringing one type (a diamond) must agree on it."""
        if not isinstance(ref, Schema):
            raise SchemaError(f"invalid Avro schema: reference {index} is not a Schema")
        for named in named_types(ref):
            known = self.names.get(named.name)
            if (
                known is not None
                and known is not named
                and canonical_of(known, None) != canonical_of(named, None)
            ):
                raise SchemaError(
                    f"invalid Avro schema: reference {index}: "
                    f"two different definitions of {named.name!r}"
                )
            self.names[named.name] = named

    def parse(self, value: Any, namespace: str, path: str) -> Schema:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                self.fail(path, f"types nested deeper than {MAX_DEPTH}")
            return self.parse_value(value, namespace, path)
        finally:
            self.depth -= 1

    def parse_value(self, value: Any, namespace: str, path: str) -> Schema:
        if isinstance(value, str):
            return self.reference(value, namespace, path)
        if isinstance(value, list):
            return self.union(value, namespace, path)
        if isinstance(value, dict):
            return self.object(value, namespace, path)
        self.fail(path, f"a schema is a type name, an object or an array, not {json_text(value)}")

    def reference(self, name: str, namespace: str, path: str) -> Schema:
        """A type named by a string: a primitive or a named type defined before (or being
        defined: a recursive type)."""
        if name in PRIMITIVES:
            return Schema(name)
        found = self.names.get(qualify(name, namespace))
        if found is None:
            self.fail(path, f"unknown type name {name!r}")
        return found

    def union(self, values: list[Any], namespace: str, path: str) -> Schema:
        union = Schema("union")
        seen: set[str] = set()
        for i, value in enumerate(values):
            at = f"{path}[{i}]"
            branch = self.parse(value, namespace, at)
            if branch.type == "union":
                self.fail(at, "a union may not hold a union directly")
            key = branch.name if branch.is_named else branch.type
            if key in seen:
                self.fail(at, f"the union already has a branch {key}")
            seen.add(key)
            union.branches.append(branch)
        return union

    def object(self, obj: dict[str, Any], namespace: str, path: str) -> Schema:
        if "type" not in obj:
            self.fail(path, "no type")
        typ = obj["type"]
        if not isinstance(typ, str):
            self.fail(path, f"type is {json_text(typ)}, not a type name")
        if typ in PRIMITIVES:
            schema = Schema(typ)
        elif typ in ("record", "error", "enum", "fixed"):
            schema = self.named(obj, typ, namespace, path)
        elif typ in ("array", "map"):
            schema = self.container(obj, typ, namespace, path)
        else:  # {"type": "Name"} refers to a named type, like "Name" does
            return self.reference(typ, namespace, path)
        if "logicalType" in obj:
            schema.logical.append(("logicalType", obj["logicalType"]))
            schema.logical.extend((key, obj[key]) for key in ("precision", "scale") if key in obj)
        return schema

    def container(self, obj: dict[str, Any], typ: str, namespace: str, path: str) -> Schema:
        key = "items" if typ == "array" else "values"
        if key not in obj:
            self.fail(path, f"an {typ} needs {key}")
        return Schema(typ, items=self.parse(obj[key], namespace, f"{path}.{key}"))

    def named(self, obj: dict[str, Any], typ: str, namespace: str, path: str) -> Schema:
        """A record, enum or fixed: registered before its fields are read, so a field may
        refer to the record itself."""
        try:
            full = full_name_of(obj, namespace)
        except ValueError as exc:
            self.fail(path, str(exc))
        path = full
        if full in self.names:
            self.fail(path, f"the named type {full!r} is defined twice")
        ns = namespace_of(full)
        schema = Schema(typ, name=full, aliases=self.aliases(obj, ns, path, named=True))
        if typ == "enum":
            self.enum(schema, obj, path)
        elif typ == "fixed":
            self.fixed(schema, obj, path)
        self.names[full] = schema
        self.local.append(schema)
        if schema.is_record:
            self.fields(schema, obj, ns, path)
        return schema

    def aliases(
        self, obj: dict[str, Any], namespace: str, path: str, *, named: bool
    ) -> tuple[str, ...]:
        """Full names for a named type (qualified in its namespace), plain names for a field."""
        raw = obj.get("aliases", [])
        if not isinstance(raw, list):
            self.fail(path, f"aliases is {json_text(raw)}, not an array of names")
        out: set[str] = set()
        for alias in raw:
            if not (valid_full_name(alias) if named else valid_name(alias)):
                self.fail(path, f"invalid alias {json_text(alias)}")
            out.add(qualify(alias, namespace) if named else alias)
        return tuple(sorted(out))

    def enum(self, schema: Schema, obj: dict[str, Any], path: str) -> None:
        symbols = obj.get("symbols")
        if not isinstance(symbols, list):
            self.fail(path, "an enum needs symbols (an array of names)")
        for symbol in symbols:
            if not valid_name(symbol):
                self.fail(path, f"invalid enum symbol {json_text(symbol)}")
            if symbol in schema.symbols:
                self.fail(path, f"duplicate enum symbol {symbol!r}")
            schema.symbols.append(symbol)
        if "default" in obj:
            default = obj["default"]
            if not isinstance(default, str) or default not in schema.symbols:
                self.fail(path, f"the enum default {json_text(default)} is not one of its symbols")
            schema.enum_default = default

    def fixed(self, schema: Schema, obj: dict[str, Any], path: str) -> None:
        if "size" not in obj:
            self.fail(path, "a fixed needs a size")
        size = json_int(obj["size"], 0, 2**31 - 1)
        if size is None:
            self.fail(path, f"size {json_text(obj['size'])} is not a whole number >= 0")
        schema.size = size

    def fields(self, schema: Schema, obj: dict[str, Any], namespace: str, path: str) -> None:
        raw = obj.get("fields")
        if not isinstance(raw, list):
            self.fail(path, "a record needs fields (an array, which may be empty)")
        seen: set[str] = set()
        for i, fobj in enumerate(raw):
            if not isinstance(fobj, dict):
                self.fail(f"{path}.fields[{i}]", "a field is an object")
            name = fobj.get("name")
            if not valid_name(name):
                self.fail(f"{path}.fields[{i}]", f"invalid field name {json_text(name)}")
            at = f"{path}.{name}"
            if name in seen:
                self.fail(at, f"duplicate field name {name!r}")
            seen.add(name)
            aliases = self.aliases(fobj, "", at, named=False)
            order = fobj.get("order", "ascending")
            if order not in ("ascending", "descending", "ignore"):
                self.fail(at, f"order {json_text(order)} is not ascending, descending or ignore")
            if "type" not in fobj:
                self.fail(at, "a field needs a type")
            f = Field(name, self.parse(fobj["type"], namespace, at), aliases, order=order)
            if "default" in fobj:
                f.default, f.has_default = fobj["default"], True
                self.defaults.append((f, at))
            schema.fields.append(f)


def named_types(schema: Schema) -> list[Schema]:
    """Every named type reachable from ``schema``, once each."""
    out: list[Schema] = []
    seen: set[int] = set()
    stack = [schema]
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        if s.is_named:
            out.append(s)
        stack.extend(f.type for f in s.fields)
        stack.extend(s.branches)
        if s.items is not None:
            stack.append(s.items)
    return out


def _describe(schema: Schema) -> str:
    """A type as an error message names it."""
    if schema.is_named:
        return f"{schema.type} {json_text(schema.name)}"
    if schema.type == "union" and schema.branches:
        return f"union (its first branch {_describe(schema.branches[0])})"
    return json_text(schema.type)
