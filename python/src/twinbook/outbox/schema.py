"""The outbox's tables, per dialect: ``outbox`` and ``outbox_parked``."""

from __future__ import annotations

from twinbook.store import Dialect, Store

# On PostgreSQL every row also records the id of the transaction that wrote it (txid,
# watermill-sql's way): see relay.CLAIM for why.
SCHEMA: dict[Dialect, tuple[str, ...]] = {
    Dialect.SQLITE: (
        """CREATE TABLE IF NOT EXISTS outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            aggregate TEXT NOT NULL,
            topic TEXT NOT NULL,
            type TEXT NOT NULL,
            payload BLOB NOT NULL,
            headers TEXT NOT NULL,
            created_ms INTEGER NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS outbox_parked (
            seq INTEGER PRIMARY KEY,
            event_id TEXT, aggregate TEXT, topic TEXT, type TEXT,
            payload BLOB, headers TEXT, created_ms INTEGER,
            error TEXT NOT NULL,
            parked_ms INTEGER NOT NULL)""",
    ),
    Dialect.POSTGRES: (
        # concurrent CREATE ... IF NOT EXISTS can still collide on PostgreSQL
        "SELECT pg_advisory_xact_lock(5050)",
        """CREATE TABLE IF NOT EXISTS outbox (
            seq BIGSERIAL PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            aggregate TEXT NOT NULL,
            topic TEXT NOT NULL,
            type TEXT NOT NULL,
            payload BYTEA NOT NULL,
            headers TEXT NOT NULL,
            created_ms BIGINT NOT NULL,
            txid xid8 NOT NULL DEFAULT pg_current_xact_id())""",
        "CREATE INDEX IF NOT EXISTS outbox_txid_seq ON outbox (txid, seq)",
        """CREATE TABLE IF NOT EXISTS outbox_parked (
            seq BIGINT PRIMARY KEY,
            event_id TEXT, aggregate TEXT, topic TEXT, type TEXT,
            payload BYTEA, headers TEXT, created_ms BIGINT,
            error TEXT NOT NULL,
            parked_ms BIGINT NOT NULL)""",
    ),
}


def migrate(store: Store) -> None:
    """Create the outbox tables when they do not exist; safe from many processes."""
    with store.transaction() as tx:
        for statement in SCHEMA[store.dialect]:
            tx.execute(statement)
