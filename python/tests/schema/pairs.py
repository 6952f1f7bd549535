"""Hypothesis strategies for (reader, writer) Avro schema pairs, for the differential tests.

A writer schema is drawn at random, and the reader is the writer changed here and there
(a type promoted or swapped, a field added, dropped or renamed, a default given or taken
away, an enum symbol added or removed, a fixed resized, a branch added to or taken from a
union, a named type renamed with or without an alias...), so that pairs are compatible
about as often as not and each rule of resolution gets exercised. Every schema drawn is
valid. Shapes on which a peer departs from the spec are left out on purpose; each is named
where it is avoided, and pinned by a vector instead (tests/vectors/README.md, "avro").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

PRIMITIVES = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
# Logical types hamba/avro and Apache Avro both know without parameters.
LOGICAL = [("int", "date"), ("long", "timestamp-millis"), ("string", "uuid")]
NAMES = ["A", "B", "C", "D"]
FIELDS = ["f1", "f2", "f3", "f4"]
SYMBOLS = ["S1", "S2", "S3", "S4"]
NO_DEFAULT = object()

Json = Any


@dataclass
class Defs:
    """The named types one schema defines, by name, as they are being written."""

    types: dict[str, Json] = field(default_factory=dict)
    in_progress: set[str] = field(default_factory=set)


def _key(schema: Json, defs: Defs) -> str:
    """What makes two union branches the same: the type, or the name of a named type."""
    if isinstance(schema, str):
        return schema if schema in PRIMITIVES else f"name:{schema}"
    if schema.get("type") in ("record", "enum", "fixed"):
        return f"name:{schema['name']}"
    return str(schema["type"])


def _dedupe(branches: list[Json], defs: Defs) -> list[Json]:
    out, seen = [], set()
    for b in branches:
        if _key(b, defs) not in seen:
            seen.add(_key(b, defs))
            out.append(b)
    return out


def default_for(schema: Json, defs: Defs, stack: frozenset[str] = frozenset()) -> Json:
    """A valid default for ``schema`` (a union's is its first branch's), or NO_DEFAULT when a
    record needs itself to have one."""
    if isinstance(schema, list):
        return default_for(schema[0], defs, stack) if schema else NO_DEFAULT
    if isinstance(schema, str) and schema not in PRIMITIVES:
        if schema in stack or schema not in defs.types:
            return NO_DEFAULT
        return default_for(defs.types[schema], defs, stack)
    typ = schema if isinstance(schema, str) else schema["type"]
    simple = {"null": None, "boolean": True, "int": 7, "long": 7, "float": 0.5, "double": 0.5}
    if typ in simple:
        return simple[typ]
    if typ in ("string", "bytes"):
        return "x"
    if typ == "enum":
        return schema["symbols"][0]
    if typ == "fixed":
        return "a" * schema["size"]
    if typ == "array":
        return []
    if typ == "map":
        return {}
    if schema["name"] in stack or schema["name"] in defs.in_progress:
        return NO_DEFAULT
    out = {}
    for f in schema["fields"]:
        if "default" in f:
            # A record's default may leave out a field that has a default of its own, but
            # hamba/avro refuses that (vector a138 pins it): spell every field out.
            out[f["name"]] = f["default"]
            continue
        value = default_for(f["type"], defs, stack | {schema["name"]})
        if value is NO_DEFAULT:
            return NO_DEFAULT
        out[f["name"]] = value
    return out


@st.composite
def writer_schema(draw: st.DrawFn, depth: int = 3, defs: Defs | None = None) -> Json:
    """A random valid schema; named types are defined once and referred to by name after."""
    defs = Defs() if defs is None else defs
    kinds = ["primitive", "logical", "enum", "fixed", "array", "map", "union"]
    if depth > 0:
        kinds += ["record", "record"]
    if defs.types:
        kinds.append("reference")
    kind = draw(st.sampled_from(kinds if depth > 0 else kinds[:4]))
    if kind == "primitive":
        return draw(st.sampled_from(PRIMITIVES))
    if kind == "logical":
        base, logical = draw(st.sampled_from(LOGICAL))
        return {"type": base, "logicalType": logical}
    if kind == "reference":
        return draw(st.sampled_from(sorted(defs.types)))
    if kind in ("array", "map"):
        inner = draw(writer_schema(depth - 1, defs))
        return (
            {"type": "array", "items": inner}
            if kind == "array"
            else {"type": "map", "values": inner}
        )
    if kind == "union":
        n = draw(st.integers(1, 3))
        branches = [draw(_branch(depth - 1, defs)) for _ in range(n)]
        return _dedupe(branches, defs)
    free = [n for n in NAMES if n not in defs.types and n not in defs.in_progress]
    if not free:
        return draw(st.sampled_from(PRIMITIVES))
    name = draw(st.sampled_from(free))
    if kind == "enum":
        symbols = draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=4, unique=True))
        schema: Json = {"type": "enum", "name": name, "symbols": symbols}
        if draw(st.booleans()) and draw(st.booleans()):
            schema["default"] = draw(st.sampled_from(symbols))
    elif kind == "fixed":
        schema = {"type": "fixed", "name": name, "size": draw(st.integers(0, 3))}
    else:
        schema = _record(draw, name, depth, defs)
    defs.types[name] = schema
    return schema


@st.composite
def _branch(draw: st.DrawFn, depth: int, defs: Defs) -> Json:
    schema = draw(writer_schema(max(depth, 0), defs))
    return draw(st.sampled_from(PRIMITIVES)) if isinstance(schema, list) else schema


def _record(draw: st.DrawFn, name: str, depth: int, defs: Defs) -> Json:
    defs.in_progress.add(name)
    fields = []
    for fname in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
        if draw(st.integers(0, 9)) == 0:  # a recursive field: a linked list
            ftype: Json = ["null", name]
        else:
            ftype = draw(writer_schema(depth - 1, defs))
        f: Json = {"name": fname, "type": ftype}
        if draw(st.integers(0, 3)) == 0:
            value = default_for(ftype, defs)
            if value is not NO_DEFAULT:
                f["default"] = value
        fields.append(f)
    defs.in_progress.discard(name)
    return {"type": "record", "name": name, "fields": fields}


@dataclass
class Mutator:
    """Builds a reader from a writer, one decision per place, drawn by Hypothesis."""

    draw: st.DrawFn
    writer_defs: dict[str, Json]
    reader: Defs = field(default_factory=Defs)
    renamed: dict[str, str] = field(default_factory=dict)

    def chance(self, one_in: int) -> bool:
        return self.draw(st.integers(0, one_in - 1)) == 0

    def schema(self, w: Json, in_union: bool = False) -> Json:
        out = self._schema(w, in_union)
        if not in_union and not isinstance(out, list) and out != "null" and self.chance(8):
            return ["null", out] if self.chance(2) else [out, "null"]
        return out

    def _schema(self, w: Json, in_union: bool) -> Json:
        if isinstance(w, list):
            return self.union(w, in_union)
        if isinstance(w, str) and w not in PRIMITIVES:
            return self.reference(w)
        typ = w if isinstance(w, str) else w["type"]
        if typ in PRIMITIVES:
            if self.chance(4):
                return self.draw(st.sampled_from(PRIMITIVES))
            return w
        if typ == "array":
            if self.chance(12):
                return {"type": "map", "values": self.schema(w["items"])}
            return {"type": "array", "items": self.schema(w["items"])}
        if typ == "map":
            return {"type": "map", "values": self.schema(w["values"])}
        return self.named(w)

    def union(self, w: list[Json], in_union: bool) -> Json:
        branches = [self.schema(b, in_union=True) for b in w if not self.chance(5)]
        if self.chance(4):
            branches.append(self.draw(st.sampled_from(PRIMITIVES)))
        branches = _dedupe(branches, self.reader)
        if not in_union and len(branches) == 1 and self.chance(3):
            return branches[0]
        return branches or ["null"]

    def reference(self, name: str) -> Json:
        new = self.renamed.get(name, name)
        if new in self.reader.types or new in self.reader.in_progress:
            return new
        # The reader dropped the place where the writer defined it: define it here.
        return self.named(self.writer_defs[name])

    def named(self, w: Json) -> Json:
        name = w["name"]
        out: Json = {"type": w["type"]}
        new = name
        if self.chance(6):
            others = [
                n for n in NAMES if n not in self.reader.types and n not in self.renamed.values()
            ]
            others = [n for n in others if n != name and n not in self.reader.in_progress]
            if others:
                new = self.draw(st.sampled_from(others))
                if self.chance(2):
                    # Aliases name the writer's type in the null namespace: hamba/avro and
                    # Apache Avro match an alias against the writer's full name, the spec
                    # on unqualified names, so the generator never uses namespaces.
                    out["aliases"] = [name]
        if new in self.reader.types or new in self.reader.in_progress:
            return new
        self.renamed[name] = new
        out["name"] = new
        if w["type"] == "enum":
            symbols = [s for s in w["symbols"] if not self.chance(5)]
            if self.chance(4):
                symbols.append(self.draw(st.sampled_from(SYMBOLS)))
            out["symbols"] = list(dict.fromkeys(symbols)) or ["S1"]
            if self.chance(3):
                out["default"] = self.draw(st.sampled_from(out["symbols"]))
        elif w["type"] == "fixed":
            out["size"] = w["size"] + (1 if self.chance(5) else 0)
        else:
            self.reader.in_progress.add(new)
            out["fields"] = self.fields(w["fields"])
            self.reader.in_progress.discard(new)
        self.reader.types[new] = out
        return out

    def fields(self, writer_fields: list[Json]) -> list[Json]:
        out = []
        names = {f["name"] for f in writer_fields}
        fresh = iter(f"r{i}" for i in range(10))
        for wf in writer_fields:
            if self.chance(6):
                continue  # dropped: the reader skips it
            f: Json = {"name": wf["name"]}
            if self.chance(8):
                # Renamed to a name no writer field has: hamba/avro takes the first writer
                # field matching the name OR an alias, Avro the name first (vector a44).
                f["name"] = next(fresh)
                if self.chance(2):
                    f["aliases"] = [wf["name"]]
            f["type"] = self.schema(wf["type"])
            out.append(f)
        if self.chance(3):
            extra = next(n for n in FIELDS + [f"n{i}" for i in range(4)] if n not in names)
            out.append({"name": extra, "type": self.draw(writer_schema(1, self.reader))})
        for f in out:
            if self.chance(2):
                value = default_for(f["type"], self.reader)
                if value is not NO_DEFAULT:
                    f["default"] = value
        return out


@st.composite
def schema_pairs(draw: st.DrawFn) -> tuple[Json, Json]:
    """(reader, writer): a random writer and a reader made from it; sometimes swapped, so
    that "the reader is the older schema" is exercised as much as the reverse."""
    defs = Defs()
    writer = draw(writer_schema(3, defs))
    reader = Mutator(draw, defs.types).schema(writer)
    return (writer, reader) if draw(st.booleans()) else (reader, writer)
