"""twinbook.store on both stores: URLs, transactions, placeholders, many threads at once."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from timeouts import TIMEOUT

import twinbook.store.db
from twinbook.store import (
    BadURLError,
    BusyError,
    Dialect,
    Store,
    StoreError,
    connect,
    default_url,
    rebind_dollar,
)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with connect(store_url) as opened:
        yield opened


class Boom(Exception):
    pass


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "want sqlite:PATH or postgres://"),
        ("mysql://root@localhost/db", "want sqlite:PATH or postgres://"),
        ("sqlite:", "no file path"),
        ("sqlite:/tmp/x.db?mode=ro", "would be read as options"),
        ("sqlite::memory:", "in-memory"),
        ("sqlite:file:x.db", "only a file path"),
        ("mysql://u:secret@h/db", "xxxxx"),
    ],
)
def test_connect_names_a_bad_url(url: str, says: str) -> None:
    with pytest.raises(BadURLError, match=says) as caught:
        connect(url)
    assert "secret" not in str(caught.value)
    assert isinstance(caught.value, StoreError)


def test_a_server_that_is_not_there_is_a_store_error_not_a_hang() -> None:
    # port 1 on loopback: nothing listens, the connection is refused at once
    with pytest.raises(StoreError, match="cannot connect") as caught:
        connect("postgres://nobody:pw@127.0.0.1:1/none")
    assert not isinstance(caught.value, BadURLError)
    assert ":pw@" not in str(caught.value)


def test_an_sqlite_file_that_cannot_be_made_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        connect(f"sqlite:{tmp_path / 'no' / 'such' / 'folder' / 'x.db'}")


def test_default_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWINBOOK_PG", raising=False)
    assert default_url("/data") == "sqlite:/data/twinbook.db"
    monkeypatch.setenv("TWINBOOK_PG", "postgres://u@h:5432/db")
    assert default_url("/data") == "postgres://u@h:5432/db"


def test_the_dialect_follows_the_url(store: Store, store_url: str) -> None:
    want = Dialect.POSTGRES if store_url.startswith("postgres") else Dialect.SQLITE
    assert store.dialect is want
    assert store.dialect == want.value  # a StrEnum: compares to its text


def test_sqlite_is_wal_with_a_busy_timeout(tmp_path: Path) -> None:
    with connect(f"sqlite:{tmp_path / 'x.db'}") as store, store.transaction() as tx:
        assert tx.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert tx.execute("PRAGMA busy_timeout").fetchone() == (5000,)
        assert tx.execute("PRAGMA foreign_keys").fetchone() == (1,)


def _items(store: Store) -> list[tuple[int, str]]:
    with store.transaction() as tx:
        return [
            tuple(row) for row in tx.execute("SELECT id, name FROM items ORDER BY id").fetchall()
        ]


@pytest.fixture
def items(store: Store) -> Store:
    with store.transaction() as tx:
        tx.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    return store


def test_a_transaction_commits_when_the_block_ends(items: Store) -> None:
    with items.transaction() as tx:
        tx.execute("INSERT INTO items (id, name) VALUES (?, ?)", (1, "one"))
        tx.executemany("INSERT INTO items (id, name) VALUES (?, ?)", [(2, "two"), (3, "3%")])
    assert _items(items) == [(1, "one"), (2, "two"), (3, "3%")]


@pytest.mark.parametrize("failure", [Boom, KeyboardInterrupt])
def test_a_transaction_rolls_back_when_the_block_raises(
    items: Store, failure: type[BaseException]
) -> None:
    with pytest.raises(failure), items.transaction() as tx:
        tx.execute("INSERT INTO items (id, name) VALUES (?, ?)", (1, "one"))
        raise failure()
    assert _items(items) == []
    with items.transaction() as tx:  # the connection is usable afterwards
        tx.execute("INSERT INTO items (id, name) VALUES (?, ?)", (2, "two"))
    assert _items(items) == [(2, "two")]


def test_a_failed_statement_rolls_back_the_earlier_ones(items: Store) -> None:
    with pytest.raises(Exception, match="(?i)unique|constraint"), items.transaction() as tx:
        tx.execute("INSERT INTO items (id, name) VALUES (?, ?)", (1, "one"))
        tx.execute("INSERT INTO items (id, name) VALUES (?, ?)", (1, "again"))
    assert _items(items) == []


def test_placeholders_are_rebound_and_percent_is_just_percent(store: Store) -> None:
    with store.transaction() as tx:
        row = tx.execute(
            "SELECT CAST(? AS INTEGER) + CAST(? AS INTEGER), '100%', '?', ? -- why?", (2, 3, "x")
        ).fetchone()
    assert tuple(row) == (5, "100%", "?", "x")


def test_a_transaction_inside_a_transaction_is_refused(store: Store) -> None:
    with store.transaction(), pytest.raises(StoreError, match="inside a transaction"):
        with store.transaction():
            pass  # pragma: no cover - never entered
    with store.transaction() as tx:  # and the outer one left the store usable
        assert tuple(tx.execute("SELECT 1").fetchone()) == (1,)


def test_many_threads_writing_at_once_lose_nothing(store: Store) -> None:
    """Read-modify-write from 16 threads at once: no 'database is locked', no deadlock on
    upgrading a read lock, no lost update (on PostgreSQL FOR UPDATE holds the row)."""
    with store.transaction() as tx:
        tx.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        tx.execute("CREATE TABLE log (writer INTEGER, i INTEGER, PRIMARY KEY (writer, i))")
        tx.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
    lock = " FOR UPDATE" if store.dialect is Dialect.POSTGRES else ""
    writers, each = 16, 20
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(writer: int) -> None:
        try:
            start.wait(TIMEOUT)
            for i in range(each):
                with store.transaction() as tx:
                    (n,) = tx.execute("SELECT n FROM counter WHERE id = 1" + lock).fetchone()
                    tx.execute("INSERT INTO log (writer, i) VALUES (?, ?)", (writer, i))
                    tx.execute("UPDATE counter SET n = ? WHERE id = 1", (n + 1,))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a writer hangs"
    assert errors == []
    with store.transaction() as tx:
        assert tuple(tx.execute("SELECT n FROM counter").fetchone()) == (writers * each,)
        assert tuple(tx.execute("SELECT COUNT(*) FROM log").fetchone()) == (writers * each,)


def test_the_wait_for_sqlites_writer_is_bounded(
    items: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a transaction waits for the one this process already runs, at most
    WRITER_WAIT, then BusyError; on PostgreSQL nothing is locked, so it goes ahead."""
    monkeypatch.setattr(twinbook.store.db, "WRITER_WAIT", 0.1)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with items.transaction():
            holding.set()
            release.wait(TIMEOUT)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(TIMEOUT)
        if items.dialect is Dialect.SQLITE:
            with pytest.raises(BusyError), items.transaction():
                pass  # pragma: no cover - never entered
        else:
            with items.transaction() as tx:
                tx.execute("INSERT INTO items (id, name) VALUES (?, ?)", (1, "beside"))
    finally:
        release.set()
        holder.join(TIMEOUT)
    assert not holder.is_alive()


def test_close_closes_every_threads_connection(store_url: str) -> None:
    store = connect(store_url)
    seen: list[object] = []

    def use() -> None:
        with store.transaction() as tx:
            tx.execute("SELECT 1")
        seen.append(store._local.conn)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join(TIMEOUT)
    store.close()
    assert len(seen) == 1
    with pytest.raises(StoreError, match="closed"):
        with store.transaction():
            pass  # pragma: no cover - never entered
    other = threading.Thread(target=lambda: seen.append(_closed(seen[0])))
    other.start()
    other.join(TIMEOUT)
    assert seen[1] is True


def _closed(conn: object) -> bool:
    if isinstance(conn, sqlite3.Connection):
        try:
            conn.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            return True
        return False
    return bool(getattr(conn, "closed", False))


@pytest.mark.parametrize(
    ("sql", "want"),
    [
        ("SELECT 1", "SELECT 1"),
        ("INSERT INTO t (a, b, c) VALUES (?, ?, ?)", "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)"),
        ("SELECT ?||?", "SELECT $1||$2"),
        ("VALUES (?,?,?,?,?,?,?,?,?,?,?)", "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"),
        ("SELECT '?' , ?", "SELECT '?' , $1"),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"),
        ('SELECT "a?b" FROM t WHERE x = ?', 'SELECT "a?b" FROM t WHERE x = $1'),
        ("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"),
        ("SELECT ? -- why?", "SELECT $1 -- why?"),
        ("SELECT /* ? */ ?", "SELECT /* ? */ $1"),
        ("SELECT ? /* ?", "SELECT $1 /* ?"),
        ("SELECT $$ ? $$, ?", "SELECT $$ ? $$, $1"),
        ("SELECT $f$ ?$$? $f$, ?", "SELECT $f$ ?$$? $f$, $1"),
        ("SELECT $1, ?", "SELECT $1, $1"),
        ("SELECT ?, 'a?", "SELECT $1, 'a?"),
    ],
)
def test_rebind_dollar(sql: str, want: str) -> None:
    """The same table as Go's TestRebindDollar."""
    assert rebind_dollar(sql) == want
