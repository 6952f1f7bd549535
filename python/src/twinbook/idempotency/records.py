"""Where the middleware keeps its records, and the records kept in memory.

The Go twin is ``go/idempotency/records.go`` and ``memory.go``. Each scoped key has at most
one record: **in progress** (an owner token and the time its lease started) or **completed**
(a response and the time it was stored). :meth:`Records.begin` applies the spec's rules 3 to
6 atomically; :meth:`Records.complete` and :meth:`Records.release` act only while the
request's own mark (its token) is still the key's record, which is how a request whose lease
ran out, and whose key another request took, stores and releases nothing.

The protocol is asynchronous because the middleware is: a store's records run their blocking
queries in a worker thread so that the event loop keeps serving (see ``store``).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from .keys import Scope

__all__ = ["Decision", "MemoryRecords", "Records", "RecordsError", "Response", "Verdict"]


class RecordsError(Exception):
    """The records' storage failed (a database gone away): the middleware answers 503."""


class Verdict(StrEnum):
    """What :meth:`Records.begin` decided."""

    ACQUIRED = "acquired"  # rule 6: the request holds its key; call the app
    REPLAY = "replay"  # rule 4: the same fingerprint, stored and not expired
    MISMATCH = "mismatch"  # rule 3: another body: 422
    CONFLICT = "conflict"  # rule 5: in progress, lease not run out: 409


@dataclass(frozen=True)
class Response:
    """A stored answer: what a replay sends back (the content type when there was one)."""

    status: int
    body: bytes
    content_type: str = ""


@dataclass(frozen=True)
class Decision:
    """:meth:`Records.begin`'s answer: the token of an ACQUIRED mark, the response of a REPLAY."""

    verdict: Verdict
    token: str = ""
    response: Response | None = None


def new_token() -> str:
    """A fresh owner token, random so that it is unique across processes sharing a store."""
    return secrets.token_hex(16)


def expired(stored_at_ms: int, now_ms: int, ttl_ms: int) -> bool:
    """The spec's exact rule: a record stored at S is forgotten at T when T - S >= ttl."""
    return now_ms - stored_at_ms >= ttl_ms


def lease_run_out(lease_at_ms: int, now_ms: int, lease_ms: int) -> bool:
    """The spec's exact rule: a lease taken at L has run out at T when T - L >= lease."""
    return now_ms - lease_at_ms >= lease_ms


class Records(Protocol):
    """One record per :class:`Scope`; ``begin`` is atomic: of many requests beginning one key
    at once, at most one is ACQUIRED. Times are integer milliseconds."""

    async def begin(
        self, scope: Scope, fingerprint: str, now_ms: int, ttl_ms: int, lease_ms: int
    ) -> Decision:
        """Rules 3 to 6 for a request with a well-formed key at ``now_ms``."""
        ...

    async def complete(self, scope: Scope, token: str, response: Response, now_ms: int) -> bool:
        """Store ``response`` for the key, stored at ``now_ms``, if ``token`` still holds it."""
        ...

    async def release(self, scope: Scope, token: str) -> bool:
        """Remove the key's record if ``token`` still holds it (a failed handler)."""
        ...


@dataclass
class _Record:
    fingerprint: str
    token: str  # "" once completed
    lease_at_ms: int
    response: Response | None = None
    stored_at_ms: int = 0


SWEEP_EVERY = 1024
"""How many ``begin`` calls pass between two sweeps of :class:`MemoryRecords`."""


class MemoryRecords:
    """:class:`Records` in a dict behind a lock: for one process, and for tests.

    The lock is a thread lock, not an asyncio one, and no ``await`` happens while it is
    held, so one instance serves several event loops and threads at once. Every
    :data:`SWEEP_EVERY` calls of ``begin`` it drops the completed records that have expired,
    so that a stream of fresh keys does not grow the dict for ever (a mark is kept until it
    is completed, released or taken over: a request whose lease ran out may still store).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[Scope, _Record] = {}
        self._begins = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    async def begin(
        self, scope: Scope, fingerprint: str, now_ms: int, ttl_ms: int, lease_ms: int
    ) -> Decision:
        with self._lock:
            self._begins += 1
            if self._begins % SWEEP_EVERY == 0:
                for old in [
                    k
                    for k, r in self._records.items()
                    if not r.token and expired(r.stored_at_ms, now_ms, ttl_ms)
                ]:
                    del self._records[old]
            record = self._records.get(scope)
            if record is not None:
                if not record.token and not expired(record.stored_at_ms, now_ms, ttl_ms):
                    if record.fingerprint != fingerprint:
                        return Decision(Verdict.MISMATCH)
                    return Decision(Verdict.REPLAY, response=record.response)
                if record.token and not lease_run_out(record.lease_at_ms, now_ms, lease_ms):
                    return Decision(Verdict.CONFLICT)
            token = new_token()
            self._records[scope] = _Record(fingerprint, token, now_ms)
            return Decision(Verdict.ACQUIRED, token=token)

    async def complete(self, scope: Scope, token: str, response: Response, now_ms: int) -> bool:
        with self._lock:
            record = self._records.get(scope)
            if record is None or not record.token or record.token != token:
                return False
            record.token, record.response, record.stored_at_ms = "", response, now_ms
            return True

    async def release(self, scope: Scope, token: str) -> bool:
        with self._lock:
            record = self._records.get(scope)
            if record is None or not record.token or record.token != token:
                return False
            del self._records[scope]
            return True
