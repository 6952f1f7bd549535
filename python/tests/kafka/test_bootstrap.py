"""twinbook.kafka.bootstrap: TWINBOOK_KAFKA's broker, or an embedded one for the block."""

from __future__ import annotations

import socket

import pytest

from twinbook.kafka import ENV_VAR, bootstrap, client_config, entry, from_env

from .conftest import round_trip


@pytest.mark.parametrize(
    ("value", "want"),
    [(None, None), ("", None), ("  ", None), ("h:1", "h:1"), (" h1:1,h2:2 ", "h1:1,h2:2")],
)
def test_from_env(monkeypatch: pytest.MonkeyPatch, value: str | None, want: str | None) -> None:
    if value is None:
        monkeypatch.delenv(ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(ENV_VAR, value)
    assert from_env() == want


def test_bootstrap_uses_the_named_broker_and_starts_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_VAR, "example.invalid:9092")

    def no_start(*args: object) -> None:
        raise AssertionError("bootstrap started a broker although one is named")

    monkeypatch.setattr(entry, "start", no_start)
    with bootstrap() as servers:
        assert servers == "example.invalid:9092"


@pytest.mark.usefixtures("no_env")
def test_bootstrap_starts_and_stops_an_embedded_broker() -> None:
    with bootstrap() as servers:
        assert servers.startswith("127.0.0.1:")
        assert round_trip(servers) == b"hello"
    host, port = servers.rsplit(":", 1)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=2).close()


def test_client_config() -> None:
    assert client_config("h:1") == {"bootstrap.servers": "h:1", "enable.metrics.push": False}
    assert client_config("h:1", {"enable.metrics.push": True, "group.id": "g"}) == {
        "bootstrap.servers": "h:1",
        "enable.metrics.push": True,
        "group.id": "g",
    }
