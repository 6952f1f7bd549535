"""Fixtures for chapter 2's breaker tests: a manual clock, breakers on it, loopback servers.

Nothing-left-running and ``arun`` come from the shared ``python/tests/conftest.py``.
The middleware tests (httpx and gRPC) share ``breaker`` and run against real
servers on 127.0.0.1 (``http_server``, ``grpc_server``), each stopped after its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from twinbook.breaker import Breaker, Config
from twinbook.clock import ManualClock

from .grpc_server import FlakyGrpcServer
from .http_server import FlakyHTTPServer


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make(clock: ManualClock) -> Callable[..., Breaker]:
    """``make(**config)``: a breaker on the manual clock; small, quick-to-trip defaults."""

    def build(**overrides: Any) -> Breaker:
        values: dict[str, Any] = dict(
            window_size=4,
            minimum_calls=4,
            failure_rate_threshold=50,
            slow_call_rate_threshold=100,
            slow_call_duration_ms=1000,
            wait_in_open_ms=5000,
            half_open_permitted_calls=2,
        )
        values.update(overrides)
        return Breaker(Config(**values), clock=clock)

    return build


@pytest.fixture
def breaker(clock: ManualClock) -> Breaker:
    """The middleware tests' breaker: trips at 2 failures of 4, waits 10 s, one trial call."""
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


@pytest.fixture
def http_server() -> Iterator[FlakyHTTPServer]:
    """A real HTTP server on a free loopback port that fails on command."""
    with FlakyHTTPServer() as s:
        yield s


@pytest.fixture
def grpc_server() -> Iterator[FlakyGrpcServer]:
    """A real gRPC server (flaky.v1.Flaky) on a free loopback port that fails on command."""
    with FlakyGrpcServer() as s:
        yield s
