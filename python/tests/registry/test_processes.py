"""The registry programs, Python's and Go's, on the broker: the route table over HTTP (one
table, both servers), a registry killed with SIGKILL and restarted on its topic has lost
nothing, each reads the topic the other wrote, stdin closing stops it, and a broker that
is not there ends the program with a named error within its timeout."""

from __future__ import annotations

import socket
import time
from typing import Any

import httpx
import pytest

from twinbook.registry import RegistryProcess, RegistryStartError, start

from . import routes
from .conftest import IMPLEMENTATIONS, unique


def answers(url: str) -> dict[str, tuple[int, Any]]:
    """The registry's answers to the GETs a restart must not change."""
    with httpx.Client(base_url=url, timeout=10) as client:
        out = {}
        for path in routes.REPLAYED_PATHS:
            r = client.get(path)
            out[path] = (r.status_code, r.json())
        return out


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_killed_registry_loses_nothing_and_the_other_reads_its_topic(
    implementation: str, kafka_bootstrap: str
) -> None:
    other = "go" if implementation == "python" else "python"
    topic = unique("_schemas")
    first = start(kafka_bootstrap, topic=topic, implementation=implementation)  # type: ignore[arg-type]
    try:
        with httpx.Client(base_url=first.url, timeout=10) as client:
            assert routes.check(client) == []
        before = answers(first.url)
    finally:
        first.kill()  # SIGKILL: nothing flushed, nothing closed
    second = start(kafka_bootstrap, topic=topic, implementation=implementation)  # type: ignore[arg-type]
    try:
        assert answers(second.url) == before
        with httpx.Client(base_url=second.url, timeout=10) as client:
            # The id sequence and the versions go on where they were.
            assert client.post("/subjects/new/versions", json={"schema": '"string"'}).json() == {
                "id": 7
            }
            assert client.put("/config/new", json={"compatibility": "NONE"}).status_code == 200
        after = answers(second.url)
    finally:
        second.stop()
    third: RegistryProcess = start(kafka_bootstrap, topic=topic, implementation=other)  # type: ignore[arg-type]
    try:
        assert answers(third.url) == after
        with httpx.Client(base_url=third.url, timeout=10) as client:
            assert client.get("/subjects/new/versions/1").json()["id"] == 7
            assert client.get("/config/new").json() == {"compatibilityLevel": "NONE"}
        # Its stdin closing (as when the parent dies, even by SIGKILL) stops it cleanly.
        assert third.process.stdin is not None
        third.process.stdin.close()
        assert third.process.wait(10) == 0
    finally:
        third.stop()


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_broker_not_there_is_a_named_error(implementation: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{s.getsockname()[1]}"  # closed when the block ends: nothing listens
    began = time.monotonic()
    with pytest.raises(RegistryStartError) as failure:
        start(dead, implementation=implementation, timeout=1, start_timeout=20)  # type: ignore[arg-type]
    message = str(failure.value)
    assert dead in message and "unavailable" in message.lower(), message
    assert "exited with status 1" in message, message
    assert time.monotonic() - began < 20
