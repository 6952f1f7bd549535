"""Fixtures for the saga tests, beside the shared ones (``store_url`` and ``postgres_url``
come from ``tests/plugins/postgres.py``).

``saga_store`` is one store per module and per kind (``[sqlite]``, ``[postgres]``) whose
saga tables are emptied before each test: the store variant of the vectors has a case per
test, and a PostgreSQL database per case would cost more than the cases.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from twinbook.saga import StoreLog
from twinbook.store import Store, connect

STORES = ("sqlite", "postgres")  # store_url's kinds and ids


@pytest.fixture(scope="module", params=STORES)
def _saga_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:{Path(tmp_path_factory.mktemp('saga')) / 'store.db'}"
        return
    server = request.getfixturevalue("postgres_url")
    name = f"tb_saga_{secrets.token_hex(6)}"
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        try:
            yield urlunsplit(urlsplit(server)._replace(path="/" + name))
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def saga_store(_saga_store_url: str) -> Iterator[tuple[str, Store]]:
    """The module's store of its kind, its saga tables empty: (URL, an open store)."""
    with connect(_saga_store_url) as store:
        StoreLog(store)  # the tables
        with store.transaction() as tx:
            tx.execute("DELETE FROM saga_log")
            tx.execute("DELETE FROM sagas")
        yield _saga_store_url, store
