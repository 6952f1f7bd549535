"""The httpx transport against a real local HTTP server that fails on command."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest

from twinbook.breaker import Breaker, OpenError, State
from twinbook.breaker.aio import httpx_transport as aio_httpx
from twinbook.breaker.httpx_transport import (
    BreakerOpenTransportError,
    BreakerTransport,
)
from twinbook.clock import ManualClock

from .http_server import FlakyHTTPServer


def test_5xx_trips_the_breaker_and_then_nothing_is_sent(
    http_server: FlakyHTTPServer, breaker: Breaker
) -> None:
    with httpx.Client(transport=BreakerTransport(breaker), base_url=http_server.url) as client:
        assert client.get("/").text == "status 200\n"
        assert client.get("/").status_code == 200
        http_server.status = 503
        assert client.get("/").status_code == 503  # the caller still gets the response
        assert client.get("/").status_code == 503
        assert breaker.state is State.OPEN
        hits = http_server.hits
        with pytest.raises(BreakerOpenTransportError) as caught:
            client.get("/")
        assert http_server.hits == hits  # rejected before it was sent
        error = caught.value
        assert isinstance(error, httpx.TransportError) and isinstance(error, OpenError)
        assert error.retry_after == pytest.approx(10.0)
        assert error.request.url.path == "/"
        assert "open" in str(error)


def test_4xx_is_not_a_failure(http_server: FlakyHTTPServer, breaker: Breaker) -> None:
    http_server.status = 404
    with httpx.Client(transport=BreakerTransport(breaker), base_url=http_server.url) as client:
        for _ in range(6):
            assert client.get("/missing").status_code == 404
    assert breaker.state is State.CLOSED and breaker.metrics().failed == 0


def test_a_dropped_connection_is_a_failure(http_server: FlakyHTTPServer, breaker: Breaker) -> None:
    http_server.drop = True
    with httpx.Client(transport=BreakerTransport(breaker), base_url=http_server.url) as client:
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
    http_server: FlakyHTTPServer, breaker: Breaker, clock: ManualClock
) -> None:
    http_server.status = 500
    with httpx.Client(transport=BreakerTransport(breaker), base_url=http_server.url) as client:
        for _ in range(4):
            client.get("/")
        assert breaker.state is State.OPEN
        http_server.status = 200
        clock.advance(10)
        assert client.get("/").status_code == 200  # the one probe
        assert breaker.state is State.CLOSED


def test_custom_failure_test(http_server: FlakyHTTPServer, breaker: Breaker) -> None:
    http_server.status = 429
    transport = BreakerTransport(breaker, is_failure=lambda r: r.status_code in (429, 503))
    with httpx.Client(transport=transport, base_url=http_server.url) as client:
        for _ in range(4):
            client.get("/")
    assert breaker.state is State.OPEN


def test_async_client(http_server: FlakyHTTPServer, breaker: Breaker, arun: Any) -> None:
    async def main() -> None:
        async with httpx.AsyncClient(
            transport=aio_httpx.BreakerTransport(breaker), base_url=http_server.url
        ) as client:
            responses = await asyncio.gather(*(client.get("/") for _ in range(3)))
            assert [r.status_code for r in responses] == [200] * 3
            http_server.status = 502
            for _ in range(2):
                assert (await client.get("/")).status_code == 502
            assert breaker.state is State.OPEN  # 2 of the last 4 failed
            hits = http_server.hits
            with pytest.raises(BreakerOpenTransportError):
                await client.get("/")
            assert http_server.hits == hits

    arun(main())


def test_async_cancelled_request_is_ignored(breaker: Breaker, arun: Any) -> None:
    class Hanging(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(3600)
            raise AssertionError("unreachable")

    async def main() -> None:
        async with httpx.AsyncClient(
            transport=aio_httpx.BreakerTransport(breaker, Hanging())
        ) as client:
            task = asyncio.create_task(client.get("http://example.invalid/"))
            await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    arun(main())
    assert breaker.metrics().calls == 0
