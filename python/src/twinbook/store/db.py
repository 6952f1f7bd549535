"""Connections and transactions: :func:`connect`, :class:`Store`, :class:`Tx`.

A :class:`Store` hands each thread a connection of its own (neither ``sqlite3`` nor a
psycopg connection may run two statements at once), made on the thread's first
transaction and closed by :meth:`Store.close`. Every connection is in autocommit mode and
:meth:`Store.transaction` says BEGIN itself: on SQLite ``BEGIN IMMEDIATE``, which takes
the database's one write lock at once, so a transaction that reads and then writes never
fails on upgrading its lock.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from .rebind import rebind_dollar
from .urls import BusyError, Dialect, StoreError, parse, redact

if TYPE_CHECKING:
    import psycopg

BUSY_TIMEOUT = 5.0
"""Seconds an SQLite connection waits for another process's write lock before it fails
with "database is locked"; inside one process writers also queue on the store's own lock
(see :meth:`Store.transaction`), for at most :data:`WRITER_WAIT`."""

WRITER_WAIT = 30.0
"""Seconds :meth:`Store.transaction` waits, on SQLite, for this process's other
transactions (SQLite has a single writer); past it, :class:`BusyError`."""

CONNECT_TIMEOUT = 10
"""Seconds a PostgreSQL connection may take to be made."""

Params = Sequence[Any]


class Cursor(Protocol):
    """What :meth:`Tx.execute` returns: the part that ``sqlite3`` and psycopg cursors
    share. Rows are tuples."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Tx:
    """One transaction of one thread's connection; made by :meth:`Store.transaction`."""

    def __init__(self, store: Store, conn: sqlite3.Connection | psycopg.Connection[Any]):
        self._store = store
        self._conn = conn

    @property
    def dialect(self) -> Dialect:
        """The store's dialect, for the statements that differ."""
        return self._store.dialect

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        """Run one statement with ``?`` placeholders (rebound on PostgreSQL)."""
        return cast(Cursor, self._conn.execute(self._store.rebind(sql), tuple(params)))

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once per row of parameters (a batch insert)."""
        if isinstance(self._conn, sqlite3.Connection):
            self._conn.executemany(sql, rows)
        else:
            with self._conn.cursor() as cursor:
                cursor.executemany(self._store.rebind(sql), rows)


class Store:
    """An open store: SQLite or PostgreSQL (see :attr:`dialect`). Safe to use from many
    threads at once: each gets a connection of its own. Made by :func:`connect`."""

    def __init__(self, url: str):
        self.url = url
        self.dialect, self._target = parse(url)
        self._local = threading.local()
        self._lock = threading.Lock()  # guards _conns and _closed
        self._conns: list[
            tuple[threading.Thread, sqlite3.Connection | psycopg.Connection[Any]]
        ] = []
        self._closed = False
        # SQLite has one writer: this process's transactions queue here, in order,
        # instead of racing SQLite's busy handler (which sleeps, retries unfairly and
        # gives up after BUSY_TIMEOUT).
        self._writer = threading.Lock() if self.dialect is Dialect.SQLITE else None

    def __repr__(self) -> str:
        return f"Store({redact(self.url)!r})"

    def rebind(self, sql: str) -> str:
        """``sql`` with its ``?`` placeholders written for this store's driver."""
        return rebind_dollar(sql) if self.dialect is Dialect.POSTGRES else sql

    def _connection(self) -> sqlite3.Connection | psycopg.Connection[Any]:
        conn: sqlite3.Connection | psycopg.Connection[Any] | None = getattr(
            self._local, "conn", None
        )
        if conn is not None and not self._closed:
            return conn
        with self._lock:
            if self._closed:
                raise StoreError(f"{self!r} is closed")
            # the connections of threads that have ended are closed here, so a store
            # used by short-lived threads does not pile them up
            gone = [c for t, c in self._conns if not t.is_alive()]
            self._conns = [(t, c) for t, c in self._conns if t.is_alive()]
        for old in gone:
            old.close()
        conn = self._open()
        with self._lock:
            if self._closed:
                conn.close()
                raise StoreError(f"{self!r} is closed")
            self._conns.append((threading.current_thread(), conn))
        self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection | psycopg.Connection[Any]:
        if self.dialect is Dialect.SQLITE:
            try:
                # check_same_thread=False only so that close() may close it from another
                # thread: the store never lets two threads use one connection.
                conn = sqlite3.connect(
                    self._target,
                    timeout=BUSY_TIMEOUT,
                    isolation_level=None,
                    check_same_thread=False,
                )
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open {self.url!r}: {exc}") from exc
            return conn
        import psycopg  # only a PostgreSQL store needs it

        try:
            # RawCursor: $1-style placeholders, as the server takes them (and a % in
            # the SQL is just a %)
            return psycopg.connect(
                self._target,
                autocommit=True,
                cursor_factory=psycopg.RawCursor,
                connect_timeout=CONNECT_TIMEOUT,
            )
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {redact(self.url)!r}: {exc}") from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A transaction of this thread's connection: committed when the block ends,
        rolled back when it raises (the exception goes on). On SQLite it is ``BEGIN
        IMMEDIATE`` and waits its turn behind this process's other transactions, for at
        most :data:`WRITER_WAIT` (then :class:`BusyError`). A transaction inside another
        of the same thread is refused (:class:`StoreError`): it could only deadlock."""
        conn = self._connection()
        if getattr(self._local, "in_tx", False):
            raise StoreError("a transaction inside a transaction of the same thread")
        if self._writer is not None and not self._writer.acquire(timeout=WRITER_WAIT):
            raise BusyError(f"SQLite's write lock stayed taken for {WRITER_WAIT}s")
        self._local.in_tx = True
        try:
            conn.execute("BEGIN IMMEDIATE" if self.dialect is Dialect.SQLITE else "BEGIN")
            try:
                yield Tx(self, conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                _rollback_quietly(conn)
                raise
        finally:
            self._local.in_tx = False
            if self._writer is not None:
                self._writer.release()

    def close(self) -> None:
        """Close every thread's connection; the store cannot be used afterwards."""
        with self._lock:
            self._closed = True
            conns, self._conns = self._conns, []
        for _, conn in conns:
            conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _rollback_quietly(conn: sqlite3.Connection | psycopg.Connection[Any]) -> None:
    """End a transaction whose COMMIT failed, if the database left it open, so that the
    thread's connection is usable again; the COMMIT's error is the one to report."""
    with contextlib.suppress(Exception):
        if isinstance(conn, sqlite3.Connection):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        elif conn.info.transaction_status != conn.info.transaction_status.IDLE:
            conn.execute("ROLLBACK")


def connect(url: str) -> Store:
    """Open the store ``url`` names and check that it answers::

        sqlite:PATH                         an SQLite file (created if missing), in WAL mode
        postgres://user@host:port/db?opts   a PostgreSQL database (postgresql:// too)

    A URL of neither form, an empty path, a path with ``?`` and ``:memory:`` (each
    thread's connection would get a database of its own) raise :class:`BadURLError`; a
    store that cannot be opened or reached raises :class:`StoreError`."""
    store = Store(url)
    try:
        store._connection().execute("SELECT 1")
    except BaseException:
        store.close()
        raise
    return store
