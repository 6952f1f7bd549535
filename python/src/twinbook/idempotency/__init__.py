"""Chapter 5's Idempotency-Key middleware, for any ASGI app (Starlette, FastAPI).

A client that may retry a request sends the same ``Idempotency-Key`` header with every
attempt; the middleware runs the app once for that key and sends every retry the first
answer again, marked ``Idempotent-Replayed: true``. The contract is the book's appendix,
``book/appendix/spec-idempotency.md``: keys scoped to method and path, fingerprints,
400/409/422, replays, stored 4xx and 5xx, a failed handler releasing its key, a TTL for
stored responses and a lease for requests in progress. The Go twin is ``go/idempotency``
(``idempotency.Middleware``, ``NewMemory``, ``NewSQL``). One concern per module:

==========  =============================================================================
module      what it holds
==========  =============================================================================
config      :class:`Config` and :class:`ConfigError`
keys        :func:`check_key`, :class:`MalformedKeyError`, :class:`Scope`, :func:`fingerprint`
records     the :class:`Records` protocol, :class:`Decision`, :class:`Response`,
            :class:`MemoryRecords`
store       :class:`StoreRecords`: the records in a chapter-5 store (``idempotency_keys``)
middleware  :class:`IdempotencyMiddleware`, the ASGI middleware
==========  =============================================================================

    app = IdempotencyMiddleware(app, Config(required=True), MemoryRecords())
"""

from __future__ import annotations

from .config import Config, ConfigError
from .keys import (
    HEADER,
    MAX_KEY_LEN,
    REPLAYED_HEADER,
    MalformedKeyError,
    Scope,
    check_key,
    fingerprint,
)
from .middleware import IdempotencyMiddleware
from .records import Decision, MemoryRecords, Records, RecordsError, Response, Verdict
from .store import TABLE, StoreRecords

__all__ = [
    "HEADER",
    "MAX_KEY_LEN",
    "REPLAYED_HEADER",
    "TABLE",
    "Config",
    "ConfigError",
    "Decision",
    "IdempotencyMiddleware",
    "MalformedKeyError",
    "MemoryRecords",
    "Records",
    "RecordsError",
    "Response",
    "Scope",
    "StoreRecords",
    "Verdict",
    "check_key",
    "fingerprint",
]
