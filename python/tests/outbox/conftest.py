"""Fixtures of the outbox tests: a store (both stores, ``store_url`` from the PostgreSQL
plugin) with the outbox tables and a business table ``orders``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from twinbook.outbox import migrate
from twinbook.store import Store, connect


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with connect(store_url) as s:
        migrate(s)
        with s.transaction() as tx:
            tx.execute("CREATE TABLE orders (id TEXT PRIMARY KEY, total INTEGER NOT NULL)")
        yield s
