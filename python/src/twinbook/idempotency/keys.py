"""Keys, their scope and the fingerprint of a request.

The Go twin is ``go/idempotency/key.go``. A key is 1 to 255 printable ASCII characters
(``0x20`` to ``0x7E``); it is scoped to the request's method and path; a request's
fingerprint is its method, path and the SHA-256 of its body, and since the first two are in
the scope, the record keeps the body's hash.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

__all__ = [
    "HEADER",
    "MAX_KEY_LEN",
    "REPLAYED_HEADER",
    "MalformedKeyError",
    "Scope",
    "check_key",
    "fingerprint",
]

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LEN = 255


class MalformedKeyError(ValueError):
    """A key the spec refuses (answered 400); the message says what is wrong with it."""


def check_key(raw: bytes) -> str:
    """The key in ``raw`` (the header's bytes), or :class:`MalformedKeyError` naming the fault.

    An empty value is malformed, not missing: the header is there.
    """
    if not raw:
        raise MalformedKeyError("malformed Idempotency-Key: it is empty")
    if len(raw) > MAX_KEY_LEN:
        raise MalformedKeyError(
            f"malformed Idempotency-Key: it is {len(raw)} bytes long, at most {MAX_KEY_LEN} are allowed"
        )
    for index, byte in enumerate(raw):
        if not 0x20 <= byte <= 0x7E:
            raise MalformedKeyError(
                f"malformed Idempotency-Key: byte {index} is 0x{byte:02X}, "
                "outside printable ASCII (0x20 to 0x7E)"
            )
    return raw.decode("ascii")


class Scope(NamedTuple):
    """What a key is scoped to: the same key with another method or path is another key."""

    method: str
    path: str  # the request target's path and query, compared exactly
    key: str


def fingerprint(body: bytes) -> str:
    """The SHA-256 of a request body, in hex."""
    return hashlib.sha256(body).hexdigest()
