"""The reference model of the Avro contract (book/appendix/spec-avro.md): Apache Avro itself.

Apache Avro 1.12.2's Python package parses the schemas and its ``avro.compatibility``
checker answers reader/writer questions; the registry levels are the spec's table, written
out below. Two things are added, each where the spec and the package part: the package's
parser does not check defaults (Java's does, and the spec asks it), so :func:`bad_default`
checks them, plainly; and where its checker departs from the spec (``DEPARTS``), the
model expects its answer to be the opposite of the spec's. A case's concept is told by
its keys (``reader`` or ``level``).

    python tests/vectors/reference/avro_model.py tests/vectors/avro/*.json
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import avro.compatibility
import avro.errors
import avro.schema

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import Mismatch, VectorError, main  # noqa: E402

CONCEPTS = ("avro_resolution", "registry_compatibility")
LEVELS = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL")
LEVELS += ("FULL_TRANSITIVE", "NONE")
#: Cases (by name without their number) on which avro.compatibility departs from the spec:
#: it matches a reader alias against the writer's full name, the spec on unqualified names.
DEPARTS = {"a reader alias matches the writer's unqualified name in another namespace"}


class Invalid(Exception):
    """A schema the spec calls invalid."""


def topic(case: dict[str, Any]) -> str:
    """A case's name without its number."""
    return str(case["name"]).split(" ", 1)[-1]


def _default_ok(schema: avro.schema.Schema, value: Any) -> bool:  # noqa: PLR0911
    """Whether ``value`` is a valid default for ``schema``, by the spec's rule."""
    t = schema.type
    if t == "null":
        return value is None
    if t == "boolean":
        return isinstance(value, bool)
    if t in ("int", "long"):
        bits = 31 if t == "int" else 63
        return type(value) is int and -(2**bits) <= value < 2**bits
    if t in ("float", "double"):
        return type(value) in (int, float)
    if t == "string":
        return isinstance(value, str)
    if t in ("bytes", "fixed"):
        ok = isinstance(value, str) and all(ord(c) < 256 for c in value)
        return ok and (t == "bytes" or len(value) == schema.size)
    if t == "enum":
        return value in schema.symbols
    if t == "array":
        return isinstance(value, list) and all(_default_ok(schema.items, v) for v in value)
    if t == "map":
        return isinstance(value, dict) and all(
            _default_ok(schema.values, v) for v in value.values()
        )
    if t == "union":
        return bool(schema.schemas) and _default_ok(schema.schemas[0], value)
    return isinstance(value, dict) and all(
        _default_ok(f.type, value[f.name]) if f.name in value else f.has_default
        for f in schema.fields
    )


def bad_default(schema: avro.schema.Schema, seen: set[int] | None = None) -> str | None:
    """The first field (as ``Record.field``) whose default does not match its type, if any."""
    seen = set() if seen is None else seen
    if id(schema) in seen:
        return None
    seen.add(id(schema))
    inner: list[avro.schema.Schema] = []
    if schema.type in ("record", "error"):
        for f in schema.fields:
            if f.has_default and not _default_ok(f.type, f.default):
                return f"{schema.fullname}.{f.name}"
            inner.append(f.type)
    inner += getattr(schema, "schemas", None) or []
    inner += [s for s in (getattr(schema, "items", None), getattr(schema, "values", None)) if s]
    for s in inner:
        if found := bad_default(s, seen):
            return found
    return None


def parse(schema: Any) -> avro.schema.Schema:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", avro.errors.IgnoredLogicalType)
        try:
            parsed = avro.schema.parse(json.dumps(schema))
        except (avro.errors.AvroException, ValueError, TypeError, KeyError) as exc:
            raise Invalid(str(exc)) from exc
    if where := bad_default(parsed):
        raise Invalid(f"default of {where}")
    return parsed


def can_read(reader: avro.schema.Schema, writer: avro.schema.Schema) -> bool:
    checker = avro.compatibility.ReaderWriterCompatibilityChecker()
    result = checker.get_compatibility(reader, writer)
    return result.compatibility is avro.compatibility.SchemaCompatibilityType.compatible


def compatible(level: str, candidate: Any, existing: list[Any]) -> bool:
    """The spec's table of levels."""
    if level == "NONE":
        return True
    against = existing if level.endswith("_TRANSITIVE") else existing[-1:]
    backward = not level.startswith("FORWARD")
    forward = not level.startswith("BACKWARD")
    return all(
        (not backward or can_read(candidate, old)) and (not forward or can_read(old, candidate))
        for old in against
    )


def answer(case: dict[str, Any]) -> bool:
    """The model's answer to a case: an invalid schema is never compatible."""
    try:
        if "reader" in case:
            return can_read(parse(case["reader"]), parse(case["writer"]))
        if case.get("level") not in LEVELS:
            raise VectorError(f"{case.get('name')}: unknown level {case.get('level')!r}")
        existing = [parse(s) for s in case["existing"]]
        return compatible(case["level"], parse(case["candidate"]), existing)
    except Invalid:
        return False


def is_invalid(case: dict[str, Any]) -> bool:
    schemas = [case.get("reader"), case.get("writer"), case.get("candidate")]
    schemas += case.get("existing", [])
    try:
        for s in schemas:
            if s is not None:
                parse(s)
    except Invalid:
        return True
    return False


def run_case(case: dict[str, Any]) -> int:
    """Check one case against the model; the number of checks made (Mismatch if one fails)."""
    want = case["compatible"]
    if topic(case) in DEPARTS:
        want = not want
    got = answer(case)
    if got != want:
        raise Mismatch(f"{case['name']}: the model answers {got}, the case says {want}")
    checks = 1
    if "invalid" in case:
        if is_invalid(case) != case["invalid"]:
            raise Mismatch(
                f"{case['name']}: expect.invalid is {case['invalid']}, the model disagrees"
            )
        checks += 1
    return checks


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of one file of either concept; VectorError if it is not one."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if (
        not isinstance(data, dict)
        or set(data) != {"concept", "cases"}
        or data["concept"] not in CONCEPTS
        or not isinstance(data["cases"], list)
        or not data["cases"]
    ):
        raise VectorError(f"{path}: not an Avro vector file")
    cases: list[dict[str, Any]] = data["cases"]
    return cases


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], "avro", run_case, load_cases))
