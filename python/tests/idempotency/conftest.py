"""Fixtures of the idempotency tests: records of each kind, empty for every test.

``records_kind`` gives a factory of empty records, once per kind: ``memory``, and the store
on ``sqlite`` and ``postgres``. The store's database is made once per module and kind and
emptied for every test, not made per test: creating a PostgreSQL database costs about a
third of a second, and the vector cases are many and small (the ``store_url`` fixture of
tests/plugins/postgres.py makes one per test, which the tests that need a fresh database use).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from twinbook.idempotency import TABLE, MemoryRecords, Records, StoreRecords
from twinbook.store import Store, connect

Factory = Callable[[], Records]


def with_database(server_url: str, name: str) -> str:
    """``server_url`` (the ``postgres_url`` fixture's) with its database replaced by ``name``."""
    return urlunsplit(urlsplit(server_url)._replace(path="/" + name))


@pytest.fixture(scope="module", params=["memory", "sqlite", "postgres"])
def records_kind(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Store | None]]:
    """The kind of records, and for a store kind the module's store."""
    if request.param == "memory":
        yield "memory", None
        return
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("idempotency") / "store.db"
        store = connect(f"sqlite:{path}")
        try:
            yield "sqlite", store
        finally:
            store.close()
        return
    server = request.getfixturevalue("postgres_url")
    name = f"tb_idem_{secrets.token_hex(6)}"
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        store = connect(with_database(server, name))
        try:
            yield "postgres", store
        finally:
            store.close()
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def new_records(records_kind: tuple[str, Store | None]) -> Factory:
    """Make empty records of the kind: the store's table is emptied each time."""
    kind, store = records_kind

    def make() -> Records:
        if store is None:
            return MemoryRecords()
        records = StoreRecords(store)
        with store.transaction() as tx:
            tx.execute(f"DELETE FROM {TABLE}")
        return records

    return make
