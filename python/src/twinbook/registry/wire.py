"""Confluent's wire format: a record value is the magic byte 0, the schema id as 4
big-endian bytes, then the Avro body (the Go twin is ``go/registry/wire.go``)."""

from __future__ import annotations

import struct

__all__ = [
    "MAGIC_BYTE",
    "HEADER_SIZE",
    "WireFormatError",
    "encode",
    "decode",
]

MAGIC_BYTE = 0
HEADER_SIZE = 5
_HEADER = struct.Struct(">bI")


class WireFormatError(ValueError):
    """A value too short or with another magic byte is not in Confluent's wire format."""


# docs:start wire
def encode(schema_id: int, body: bytes) -> bytes:
    """The record value for an Avro ``body`` written with schema ``schema_id``."""
    return _HEADER.pack(MAGIC_BYTE, schema_id) + body


def decode(value: bytes) -> tuple[int, bytes]:
    """Split a record value into its schema id and Avro body."""
    if len(value) < HEADER_SIZE:
        raise WireFormatError(f"{len(value)} bytes, the header alone is {HEADER_SIZE}")
    magic, schema_id = _HEADER.unpack_from(value)
    if magic != MAGIC_BYTE:
        raise WireFormatError(f"magic byte {magic}, want {MAGIC_BYTE}")
    return schema_id, value[HEADER_SIZE:]


# docs:end wire
