"""Chapter 5's Idempotency-Key middleware: its overhead per request against the bare app.

Each timed call hands one POST straight to the ASGI callable (no HTTP client or server, so
the figures are what the middleware adds) on one event loop kept for the module. ``new_key``
requests take the whole path (mark the key, run the app, store its answer: two
transactions on SQLite, each in a worker thread); ``replay`` requests find a stored answer.
The aim (issue 14) is under 1 ms on SQLite. The Go twin is ``BenchmarkMiddleware``
(go/idempotency/bench_test.go). Run it alone (no xdist)::

    .venv/bin/pytest tests/benchmarks/test_idempotency_bench.py -o addopts="" -q \\
        --benchmark-only --benchmark-json=build/bench/idempotency-python.json

Timings are never asserted; each call checks its status.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twinbook.idempotency import Config, IdempotencyMiddleware, MemoryRecords, StoreRecords
from twinbook.store import connect

BODY = b'{"qty":1}'


async def app(scope: Any, receive: Any, send: Any) -> None:
    """The bare app: reads the body, answers 201 with a small JSON."""
    await receive()
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"id":1}'})


def scope_for(key: str | None) -> dict[str, Any]:
    headers = [(b"content-type", b"application/json")]
    if key is not None:
        headers.append((b"idempotency-key", key.encode()))
    return {
        "type": "http",
        "method": "POST",
        "path": "/orders",
        "raw_path": b"/orders",
        "query_string": b"",
        "headers": headers,
    }


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


def call(loop: asyncio.AbstractEventLoop, target: Any, key: str | None) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    loop.run_until_complete(target(scope_for(key), receive, send))
    return status


def test_bare_app(benchmark: Any, loop: asyncio.AbstractEventLoop) -> None:
    assert benchmark(call, loop, app, None) == 201


@pytest.mark.parametrize("mode", ["new_key", "replay"])
@pytest.mark.parametrize("records", ["memory", "sqlite"])
def test_middleware(
    benchmark: Any, loop: asyncio.AbstractEventLoop, tmp_path: Path, records: str, mode: str
) -> None:
    store = connect(f"sqlite:{tmp_path / 'bench.db'}") if records == "sqlite" else None
    kept = MemoryRecords() if store is None else StoreRecords(store)
    middleware = IdempotencyMiddleware(app, Config(), kept)
    counter = itertools.count()

    def one() -> int:
        key = "k" if mode == "replay" else f"key-{next(counter)}"
        return call(loop, middleware, key)

    try:
        assert benchmark(one) == 201
    finally:
        if store is not None:
            store.close()
