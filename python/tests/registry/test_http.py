"""Every route and error code of the REST API, in process (the ASGI app over a
MemoryStore), and a restart: a second service on the same log answers the same."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from twinbook.registry import AvroChecker, MemoryStore, Service, create_app

from . import routes


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def client_on(store: MemoryStore) -> TestClient:
    return TestClient(create_app(Service.open(store, AvroChecker())), raise_server_exceptions=False)


@pytest.fixture
def client(store: MemoryStore) -> Iterator[TestClient]:
    with client_on(store) as c:
        yield c


def test_routes(client: TestClient) -> None:
    assert routes.check(client) == []


def test_restart_replays_the_log(store: MemoryStore, client: TestClient) -> None:
    assert routes.check(client) == []
    with client_on(store) as again:
        for path in routes.REPLAYED_PATHS:
            before, after = client.get(path), again.get(path)
            assert (after.status_code, after.json()) == (before.status_code, before.json()), path
        # The id sequence goes on where it was.
        assert again.post("/subjects/new/versions", json={"schema": '"string"'}).json() == {"id": 7}
