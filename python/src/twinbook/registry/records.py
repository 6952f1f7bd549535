"""The log's records, byte for byte as Confluent's KafkaStore (and the Go twin,
``go/registry/record.go``) writes them: a JSON key with a ``keytype`` (SCHEMA, CONFIG,
MODE, DELETE_SUBJECT...), the subject (null for the global config), the version for
schemas and a ``magic`` number, and a JSON value, None for a tombstone. Keys must be the
same bytes in both languages: compaction keeps the latest record per key, so a Go and a
Python registry share a topic only if they spell keys alike."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .model import SchemaValue, references_of

__all__ = [
    "SCHEMA",
    "CONFIG",
    "MODE",
    "DELETE_SUBJECT",
    "CLEAR_SUBJECT",
    "NOOP",
    "Record",
    "RecordKey",
    "parse_key",
]

SCHEMA = "SCHEMA"
CONFIG = "CONFIG"
MODE = "MODE"
DELETE_SUBJECT = "DELETE_SUBJECT"
CLEAR_SUBJECT = "CLEAR_SUBJECT"
NOOP = "NOOP"


@dataclass(frozen=True)
class RecordKey:
    """A record's key: what it is about."""

    keytype: str
    subject: str | None = None
    version: int = 0
    magic: int = 0

    def encode(self) -> bytes:
        # Go's field order and spelling: keytype, subject (null when none), version
        # (only when set), magic; compact separators, UTF-8 as is.
        out: dict[str, Any] = {"keytype": self.keytype, "subject": self.subject}
        if self.version:
            out["version"] = self.version
        out["magic"] = self.magic
        return _dumps(out)


@dataclass(frozen=True)
class Record:
    """One entry of the log; ``value`` None is a tombstone."""

    key: RecordKey
    value: bytes | None


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def parse_key(raw: bytes) -> RecordKey:
    """Decode a record key; ValueError when it is not one."""
    obj = json.loads(raw)
    if not isinstance(obj, dict) or not isinstance(obj.get("keytype"), str):
        raise ValueError(f"record key {raw!r} has no keytype")
    subject = obj.get("subject")
    return RecordKey(
        keytype=obj["keytype"],
        subject=subject if isinstance(subject, str) else None,
        version=int(obj.get("version") or 0),
        magic=int(obj.get("magic") or 0),
    )


def encode_schema_value(v: SchemaValue) -> bytes:
    out: dict[str, Any] = {"subject": v.subject, "version": v.version, "id": v.id}
    if v.schema_type:
        out["schemaType"] = v.schema_type
    if v.references:
        out["references"] = [r.to_json() for r in v.references]
    out["schema"] = v.schema
    out["deleted"] = v.deleted
    return _dumps(out)


def decode_schema_value(raw: bytes) -> SchemaValue:
    obj = json.loads(raw)
    schema_type = obj.get("schemaType") or ""
    return SchemaValue(
        subject=obj["subject"],
        version=int(obj["version"]),
        id=int(obj["id"]),
        schema=obj["schema"],
        schema_type="" if schema_type == "AVRO" else schema_type,
        references=references_of(obj.get("references")),
        deleted=bool(obj.get("deleted", False)),
    )


def schema_record(v: SchemaValue) -> Record:
    return Record(RecordKey(SCHEMA, v.subject, v.version, 1), encode_schema_value(v))


def schema_tombstone(subject: str, version: int) -> Record:
    return Record(RecordKey(SCHEMA, subject, version, 1), None)


def config_record(subject: str, level: str) -> Record:
    """A subject's level ("" subject: the global one); level "" is a tombstone."""
    key = RecordKey(CONFIG, subject or None)
    return Record(key, _dumps({"compatibilityLevel": level}) if level else None)


def delete_subject_record(subject: str, up_to: int) -> Record:
    return Record(
        RecordKey(DELETE_SUBJECT, subject), _dumps({"subject": subject, "version": up_to})
    )
