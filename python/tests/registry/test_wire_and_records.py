"""Confluent's wire format, and the log's record keys byte for byte: compaction keeps the
latest record per key, so Python, Go (go/registry TestRecordKeys pins the same list) and
Confluent must spell keys alike."""

from __future__ import annotations

import pytest

from twinbook.registry import AvroChecker, MemoryStore, SchemaRequest, Service, wire
from twinbook.registry.records import parse_key


@pytest.mark.parametrize(
    ("value", "schema_id", "body"),
    [
        (b"\x00\x00\x00\x01\x02\x09\x08", 258, b"\x09\x08"),
        (b"\x00\xff\xff\xff\xff", 2**32 - 1, b""),
    ],
    ids=["id and body", "empty body"],
)
def test_wire_round_trip(value: bytes, schema_id: int, body: bytes) -> None:
    assert wire.decode(value) == (schema_id, body)
    assert wire.encode(schema_id, body) == value


@pytest.mark.parametrize(
    ("value", "why"),
    [(b"\x00\x00\x00", "3 bytes"), (b"\x01\x00\x00\x00\x01\x05", "magic byte 1")],
    ids=["too short", "wrong magic byte"],
)
def test_wire_refuses_what_is_not_the_format(value: bytes, why: str) -> None:
    with pytest.raises(wire.WireFormatError, match=why):
        wire.decode(value)


def test_record_keys_are_confluents_bytes() -> None:
    store = MemoryStore()
    svc = Service.open(store, AvroChecker())
    svc.register("s", SchemaRequest('"string"'))
    svc.set_level("s", "FULL")
    svc.set_level("", "NONE")
    svc.delete_subject("s")
    assert [r.key.encode().decode() for r in store.records()] == [
        '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
        '{"keytype":"CONFIG","subject":"s","magic":0}',
        '{"keytype":"CONFIG","subject":null,"magic":0}',
        '{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}',
        '{"keytype":"CONFIG","subject":"s","magic":0}',
    ]
    assert [parse_key(r.key.encode()) for r in store.records()] == [r.key for r in store.records()]
