"""The httpx transport against a real local HTTP server that fails on command."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from twinbook.breaker import Breaker, BreakerOpenError, Config, ManualClock, State
from twinbook.breaker.httpx_transport import (
    AsyncBreakerTransport,
    BreakerOpenTransportError,
    BreakerTransport,
)

from .http_server import FlakyHTTPServer


@pytest.fixture
def server() -> Iterator[FlakyHTTPServer]:
    with FlakyHTTPServer() as s:
        yield s


@pytest.fixture
def breaker(clock: ManualClock) -> Breaker:
    return Breaker(
        Config(
            window_size=4,
            minimum_calls=4,
            failure_rate_threshold=50,
            wait_in_open_ms=10_000,
            half_open_permitted_calls=1,
        ),
        clock=clock,
    )


def test_5xx_trips_the_breaker_and_then_nothing_is_sent(
    server: FlakyHTTPServer, breaker: Breaker
) -> None:
    with httpx.Client(transport=BreakerTransport(breaker), base_url=server.url) as client:
        assert client.get("/").text == "status 200\n"
        assert client.get("/").status_code == 200
        server.status = 503
        assert client.get("/").status_code == 503  # the caller still gets the response
        assert client.get("/").status_code == 503
        assert breaker.state is State.OPEN
        hits = server.hits
        with pytest.raises(BreakerOpenTransportError) as caught:
            client.get("/")
        assert server.hits == hits  # rejected before it was sent
        error = caught.value
        assert isinstance(error, httpx.TransportError) and isinstance(error, BreakerOpenError)
        assert error.retry_after == pytest.approx(10.0)
        assert error.request.url.path == "/"
        assert "open" in str(error)


def test_4xx_is_not_a_failure(server: FlakyHTTPServer, breaker: Breaker) -> None:
    server.status = 404
    with httpx.Client(transport=BreakerTransport(breaker), base_url=server.url) as client:
        for _ in range(6):
            assert client.get("/missing").status_code == 404
    assert breaker.state is State.CLOSED and breaker.metrics().failed == 0


def test_a_dropped_connection_is_a_failure(server: FlakyHTTPServer, breaker: Breaker) -> None:
    server.drop = True
    with httpx.Client(transport=BreakerTransport(breaker), base_url=server.url) as client:
        for _ in range(4):
            with pytest.raises(httpx.TransportError):
                client.get("/")
    assert breaker.state is State.OPEN


def test_connection_refused_is_a_failure(breaker: Breaker) -> None:
    with socket.socket() as s:  # a port nobody listens on: bind, never listen
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
        with httpx.Client(transport=BreakerTransport(breaker), base_url=url) as client:
            for _ in range(4):
                with pytest.raises(httpx.ConnectError):
                    client.get("/")
    assert breaker.metrics().state is State.OPEN


def test_half_open_probe_recovers_when_the_server_does(
    server: FlakyHTTPServer, breaker: Breaker, clock: ManualClock
) -> None:
    server.status = 500
    with httpx.Client(transport=BreakerTransport(breaker), base_url=server.url) as client:
        for _ in range(4):
            client.get("/")
        assert breaker.state is State.OPEN
        server.status = 200
        clock.advance_ms(10_000)
        assert client.get("/").status_code == 200  # the one probe
        assert breaker.state is State.CLOSED


def test_custom_failure_test(server: FlakyHTTPServer, breaker: Breaker) -> None:
    server.status = 429
    transport = BreakerTransport(breaker, is_failure=lambda r: r.status_code in (429, 503))
    with httpx.Client(transport=transport, base_url=server.url) as client:
        for _ in range(4):
            client.get("/")
    assert breaker.state is State.OPEN


def test_async_client(server: FlakyHTTPServer, breaker: Breaker, arun: Any) -> None:
    async def main() -> None:
        async with httpx.AsyncClient(
            transport=AsyncBreakerTransport(breaker), base_url=server.url
        ) as client:
            responses = await asyncio.gather(*(client.get("/") for _ in range(3)))
            assert [r.status_code for r in responses] == [200] * 3
            server.status = 502
            for _ in range(2):
                assert (await client.get("/")).status_code == 502
            assert breaker.state is State.OPEN  # 2 of the last 4 failed
            hits = server.hits
            with pytest.raises(BreakerOpenTransportError):
                await client.get("/")
            assert server.hits == hits

    arun(main())


def test_async_cancelled_request_is_ignored(breaker: Breaker, arun: Any) -> None:
    class Hanging(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(3600)
            raise AssertionError("unreachable")

    async def main() -> None:
        async with httpx.AsyncClient(transport=AsyncBreakerTransport(breaker, Hanging())) as client:
            task = asyncio.create_task(client.get("http://example.invalid/"))
            await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    arun(main())
    assert breaker.metrics().calls == 0
