"""Chapter 5's store: where idempotency records, the outbox, the inbox and sagas live.

SQLite by default (a file, no service: the standard library's ``sqlite3``) and PostgreSQL
when ``TWINBOOK_PG`` names a server (psycopg 3). The code above it writes one SQL text
with ``?`` placeholders and the store rebinds it for PostgreSQL, so the same code runs on
both. Nothing else is hidden: the chapter is about the statements that make delivery
reliable, so they stay in plain sight. The Go twin is ``go/store`` (``store.Open``,
``DB.InTx``, ``DB.Rebind``, ``storetest.Open``). One concern per module:

==========  =============================================================================
module      what it holds
==========  =============================================================================
urls        :class:`Dialect`, :class:`StoreError`, :func:`default_url`: what a URL names
rebind      :func:`rebind_dollar`: ``?`` placeholders as PostgreSQL's ``$1, $2...``
db          :func:`connect`, :class:`Store`, :class:`Tx`: connections and transactions
==========  =============================================================================

    store = connect(default_url(folder))
    with store.transaction() as tx:
        tx.execute("INSERT INTO orders (id, total) VALUES (?, ?)", (order_id, total))
"""

from __future__ import annotations

from .db import BUSY_TIMEOUT, WRITER_WAIT, Cursor, Store, Tx, connect
from .rebind import rebind_dollar
from .urls import ENV_VAR, BadURLError, BusyError, Dialect, StoreError, default_url, from_env

__all__ = [
    "BUSY_TIMEOUT",
    "ENV_VAR",
    "WRITER_WAIT",
    "BadURLError",
    "BusyError",
    "Cursor",
    "Dialect",
    "Store",
    "StoreError",
    "Tx",
    "connect",
    "default_url",
    "from_env",
    "rebind_dollar",
]
