"""What the log holds and the API answers: a subject's version (:class:`SchemaValue`, the
value of a SCHEMA record) and a schema reference (the Go twin is
``go/registry/model.go``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

AVRO = "AVRO"
"""The only schema type this registry serves (the default when a request names none)."""

DEFAULT_LEVEL = "BACKWARD"
"""The compatibility level of a new registry, as in Confluent's."""


@dataclass(frozen=True)
class Reference:
    """A schema registered under another subject that a schema uses by ``name``."""

    name: str
    subject: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass(frozen=True)
class SchemaValue:
    """One version of a subject; ``schema_type`` is "" for Avro (Confluent leaves the
    default type out of its records and answers)."""

    subject: str
    version: int
    id: int
    schema: str
    schema_type: str = ""
    references: tuple[Reference, ...] = field(default_factory=tuple)
    deleted: bool = False

    def marked_deleted(self) -> SchemaValue:
        return replace(self, deleted=True)

    def answer(self) -> dict[str, Any]:
        """The body of GET /subjects/{s}/versions/{v} and POST /subjects/{s}."""
        out: dict[str, Any] = {"subject": self.subject, "version": self.version, "id": self.id}
        out.update(schema_fields(self.schema_type, self.references, self.schema))
        return out


def schema_fields(schema_type: str, references: tuple[Reference, ...], text: str) -> dict[str, Any]:
    """schemaType (left out for Avro), references (left out when none) and schema, the
    fields every answer about a schema carries."""
    out: dict[str, Any] = {}
    if schema_type and schema_type != AVRO:
        out["schemaType"] = schema_type
    if references:
        out["references"] = [r.to_json() for r in references]
    out["schema"] = text
    return out


def references_of(raw: Any) -> tuple[Reference, ...]:
    """References from JSON (a request's or a record's); ValueError when malformed."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("references must be a list")
    out = []
    for r in raw:
        if not isinstance(r, dict):
            raise ValueError("a reference must be an object")
        name, subject, version = r.get("name"), r.get("subject"), r.get("version")
        if (
            not isinstance(name, str)
            or not isinstance(subject, str)
            or not isinstance(version, int)
        ):
            raise ValueError("a reference needs a string name and subject and an integer version")
        out.append(Reference(name, subject, version))
    return tuple(out)
