"""Running one Avro vector case (``book/appendix/spec-avro.md``, "Vector files").

Shared by the runner (``test_vectors.py``) and its own tests (``test_vector_runner.py``).
An invalid schema is answered "not compatible", as the spec says; the project's optional
``invalid`` key also says whether one of the case's schemas must be rejected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from twinbook.schema import (
    LevelError,
    Schema,
    SchemaError,
    can_read,
    compatible,
    parse,
    parse_level,
)

CONCEPTS = ("avro_resolution", "registry_compatibility")
KEYS = {
    "avro_resolution": {"name", "reader", "writer", "compatible"},
    "registry_compatibility": {"name", "level", "existing", "candidate", "compatible"},
}


class Malformed(Exception):
    """A case the format does not allow: it fails, naming why."""


def run_case(concept: str, case: Mapping[str, Any]) -> None:
    """Check one case; :class:`Malformed` or an ``AssertionError`` (a wrong answer) if not."""
    if concept not in KEYS:
        raise Malformed(f"unknown concept {concept!r}")
    required = KEYS[concept]
    if unknown := set(case) - required - {"invalid"}:
        raise Malformed(f"unknown keys {sorted(unknown)}")
    if missing := required - set(case):
        raise Malformed(f"missing keys {sorted(missing)}")
    want, invalid = case["compatible"], case.get("invalid")
    if not isinstance(want, bool) or not isinstance(invalid, bool | None):
        raise Malformed("compatible (and invalid, when given) must be true or false")
    if invalid and want:
        raise Malformed("invalid and compatible: an invalid schema is never compatible")
    errors: list[str] = []

    def schema(what: str, value: Any) -> Schema | None:
        try:
            return parse(json.dumps(value))
        except SchemaError as exc:
            errors.append(f"{what}: {exc}")
            return None

    if concept == "avro_resolution":
        reader, writer = schema("reader", case["reader"]), schema("writer", case["writer"])
        answer = reader is not None and writer is not None and can_read(reader, writer)
    else:
        try:
            level = parse_level(case["level"])
        except LevelError as exc:
            raise Malformed(str(exc)) from None
        if not isinstance(case["existing"], list):
            raise Malformed("existing must be a list of schemas")
        existing = [schema(f"existing[{i}]", s) for i, s in enumerate(case["existing"])]
        candidate = schema("candidate", case["candidate"])
        olds = [s for s in existing if s is not None]
        answer = not errors and candidate is not None and compatible(level, candidate, olds)
    if invalid is True:
        assert errors, "every schema parsed; want one rejected as invalid"
    if invalid is False:
        assert not errors, f"a schema was rejected: {errors}"
    assert answer == want, f"answered {answer}, want {want}" + (f" ({errors})" if errors else "")
