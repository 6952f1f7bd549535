"""The records in a chapter-5 store: :class:`StoreRecords`, table ``idempotency_keys``.

The Go twin is ``idempotency.SQL`` in ``go/idempotency/sql.go``, with the same table, so a Go
and a Python replica of one service can share it. One row per scoped key: in progress
(``owner`` and ``lease_at`` set) or completed (``status``, ``body`` and ``stored_at`` set);
times are Unix milliseconds, the spec's unit. ``begin`` inserts the mark or locks the existing
row in one transaction (``FOR UPDATE`` on PostgreSQL; SQLite's single writer locks the whole
database), so of many requests that begin one key at once, one acquires it. ``complete`` and
``release`` compare the owner token in their ``WHERE`` clause: a request whose mark another
request took over changes nothing.

The store's calls block, so each runs in a worker thread (:func:`asyncio.to_thread`) and
the event loop keeps serving other requests meanwhile; the store gives each thread a
connection of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from twinbook.store import Dialect, Store, Tx

from .keys import Scope
from .records import (
    Decision,
    RecordsError,
    Response,
    Verdict,
    expired,
    lease_run_out,
    new_token,
)

__all__ = ["TABLE", "StoreRecords"]

TABLE = "idempotency_keys"
T = TypeVar("T")


def schema(dialect: Dialect) -> str:
    """The table, the same as Go's (``go/idempotency/sql.go``)."""
    blob = "BYTEA" if dialect is Dialect.POSTGRES else "BLOB"
    return f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
    owner        TEXT,
    lease_at     BIGINT NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         {blob},
    stored_at    BIGINT,
    PRIMARY KEY (method, path, idem_key)
)"""


_WHERE = " WHERE method = ? AND path = ? AND idem_key = ?"
_INSERT = (
    f"INSERT INTO {TABLE} (method, path, idem_key, fingerprint, state, owner, lease_at)"
    " VALUES (?, ?, ?, ?, 'in_progress', ?, ?) ON CONFLICT (method, path, idem_key) DO NOTHING"
)
_SELECT = (
    "SELECT fingerprint, state, owner, lease_at, status, content_type, body, stored_at"
    f" FROM {TABLE}" + _WHERE
)
_TAKE_OVER = (
    f"UPDATE {TABLE} SET fingerprint = ?, state = 'in_progress', owner = ?, lease_at = ?,"
    " status = NULL, content_type = NULL, body = NULL, stored_at = NULL" + _WHERE
)
_COMPLETE = (
    f"UPDATE {TABLE} SET state = 'completed', owner = NULL, status = ?, content_type = ?,"
    " body = ?, stored_at = ?" + _WHERE + " AND state = 'in_progress' AND owner = ?"
)
_RELEASE = f"DELETE FROM {TABLE}" + _WHERE + " AND state = 'in_progress' AND owner = ?"
_PURGE = f"DELETE FROM {TABLE} WHERE state = 'completed' AND stored_at <= ?"


class _Vanished(Exception):
    """The row the INSERT collided with was released before it could be read: try again."""


class StoreRecords:
    """:class:`~twinbook.idempotency.Records` in ``store``'s table ``idempotency_keys``,
    created if missing. Storage failures are :class:`RecordsError` (the middleware's 503)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._for_update = " FOR UPDATE" if store.dialect is Dialect.POSTGRES else ""
        self._call(self._create)

    def _create(self) -> None:
        with self.store.transaction() as tx:
            tx.execute(schema(self.store.dialect))

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except (RecordsError, _Vanished):
            raise
        except Exception as exc:  # noqa: BLE001 (sqlite3, psycopg and store errors alike)
            raise RecordsError(f"{fn.__name__.strip('_')}: {exc}") from exc

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(self._call, fn, *args)

    async def begin(
        self, scope: Scope, fingerprint: str, now_ms: int, ttl_ms: int, lease_ms: int
    ) -> Decision:
        for _ in range(5):
            try:
                return await self._run(self._begin, scope, fingerprint, now_ms, ttl_ms, lease_ms)
            except _Vanished:
                continue
        raise RecordsError("begin: the record kept vanishing")

    def _begin(
        self, scope: Scope, fingerprint: str, now_ms: int, ttl_ms: int, lease_ms: int
    ) -> Decision:
        token = new_token()
        with self.store.transaction() as tx:
            if tx.execute(_INSERT, (*scope, fingerprint, token, now_ms)).rowcount == 1:
                return Decision(Verdict.ACQUIRED, token=token)
            row = tx.execute(_SELECT + self._for_update, tuple(scope)).fetchone()
            if row is None:
                raise _Vanished
            fp, state, _owner, lease_at, status, content_type, body, stored_at = row
            if state == "completed" and not expired(stored_at, now_ms, ttl_ms):
                if fp != fingerprint:
                    return Decision(Verdict.MISMATCH)
                response = Response(status, bytes(body or b""), content_type or "")
                return Decision(Verdict.REPLAY, response=response)
            if state == "in_progress" and not lease_run_out(lease_at, now_ms, lease_ms):
                return Decision(Verdict.CONFLICT)
            tx.execute(_TAKE_OVER, (fingerprint, token, now_ms, *scope))
            return Decision(Verdict.ACQUIRED, token=token)

    async def complete(self, scope: Scope, token: str, response: Response, now_ms: int) -> bool:
        params = (response.status, response.content_type, response.body, now_ms, *scope, token)
        return await self._run(self._change, _COMPLETE, params)

    async def release(self, scope: Scope, token: str) -> bool:
        return await self._run(self._change, _RELEASE, (*scope, token))

    async def purge(self, now_ms: int, ttl_ms: int) -> int:
        """Delete the completed records expired at ``now_ms``; return how many.

        Expired records are already absent to the rules; a service calls this now and
        then so that the table does not grow for ever. Marks are kept: a request whose
        lease ran out may still store its answer.
        """
        return await self._run(self._purge, now_ms - ttl_ms)

    def _purge(self, stored_before_ms: int) -> int:
        with self.store.transaction() as tx:
            return _rowcount(tx, _PURGE, (stored_before_ms,))

    def _change(self, sql: str, params: tuple[Any, ...]) -> bool:
        with self.store.transaction() as tx:
            return _rowcount(tx, sql, params) == 1


def _rowcount(tx: Tx, sql: str, params: tuple[Any, ...]) -> int:
    return tx.execute(sql, params).rowcount
