"""The gRPC interceptors against a real local server (flaky.v1.Flaky) that fails on command."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import grpc
import grpc.aio
import pytest

from twinbook._proto.flaky.v1 import flaky_pb2, flaky_pb2_grpc
from twinbook.breaker import Breaker, OpenError, State
from twinbook.breaker.aio import grpc_interceptor as aio_grpc
from twinbook.breaker.grpc_interceptor import (
    BreakerInterceptor,
    BreakerOpenRpcError,
)
from twinbook.clock import ManualClock

from .grpc_server import FlakyGrpcServer

UNAVAILABLE = grpc.StatusCode.UNAVAILABLE.value[0]
INTERNAL = grpc.StatusCode.INTERNAL.value[0]
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT.value[0]


@pytest.fixture
def stub(grpc_server: FlakyGrpcServer, breaker: Breaker) -> Iterator[flaky_pb2_grpc.FlakyStub]:
    with grpc.insecure_channel(grpc_server.target) as channel:
        yield flaky_pb2_grpc.FlakyStub(grpc.intercept_channel(channel, BreakerInterceptor(breaker)))


def call(stub: flaky_pb2_grpc.FlakyStub, fail_code: int = 0) -> grpc.StatusCode:
    try:
        stub.Call(flaky_pb2.CallRequest(payload="x", fail_code=fail_code), timeout=10)
        return grpc.StatusCode.OK
    except grpc.RpcError as exc:
        return exc.code()


def test_unavailable_and_internal_trip_the_breaker(
    stub: flaky_pb2_grpc.FlakyStub, grpc_server: FlakyGrpcServer, breaker: Breaker
) -> None:
    assert stub.Call(flaky_pb2.CallRequest(payload="hi"), timeout=10).payload == "hi"
    assert call(stub, UNAVAILABLE) is grpc.StatusCode.UNAVAILABLE
    assert call(stub) is grpc.StatusCode.OK
    assert breaker.state is State.CLOSED
    assert call(stub, INTERNAL) is grpc.StatusCode.INTERNAL  # 2 of 4 failed: open
    assert breaker.state is State.OPEN
    served = grpc_server.servicer.served
    with pytest.raises(BreakerOpenRpcError) as caught:
        stub.Call(flaky_pb2.CallRequest(payload="x"), timeout=10)
    assert grpc_server.servicer.served == served  # never sent
    error = caught.value
    assert isinstance(error, grpc.RpcError) and isinstance(error, OpenError)
    assert error.code() is grpc.StatusCode.UNAVAILABLE
    assert error.retry_after == pytest.approx(10.0)


def test_invalid_argument_is_not_a_failure(
    stub: flaky_pb2_grpc.FlakyStub, breaker: Breaker
) -> None:
    for _ in range(6):
        assert call(stub, INVALID_ARGUMENT) is grpc.StatusCode.INVALID_ARGUMENT
    m = breaker.metrics()
    assert (m.state, m.calls, m.failed) == (State.CLOSED, 4, 0)


def test_the_server_mode_fails_every_call(
    stub: flaky_pb2_grpc.FlakyStub,
    grpc_server: FlakyGrpcServer,
    breaker: Breaker,
    clock: ManualClock,
) -> None:
    grpc_server.servicer.mode = grpc.StatusCode.UNAVAILABLE
    for _ in range(4):
        assert call(stub) is grpc.StatusCode.UNAVAILABLE
    assert breaker.state is State.OPEN
    grpc_server.servicer.mode = grpc.StatusCode.OK
    clock.advance(10)
    assert call(stub) is grpc.StatusCode.OK  # the half-open probe
    assert breaker.state is State.CLOSED


def test_futures_are_recorded_when_they_finish(
    stub: flaky_pb2_grpc.FlakyStub, breaker: Breaker
) -> None:
    futures = [
        stub.Call.future(
            flaky_pb2.CallRequest(payload=str(i), fail_code=UNAVAILABLE * (i % 2)), timeout=10
        )
        for i in range(4)
    ]
    codes = [f.code() for f in futures]  # code() waits for each to finish
    assert codes.count(grpc.StatusCode.UNAVAILABLE) == 2
    assert breaker.state is State.OPEN


def test_a_cancelled_future_is_ignored(stub: flaky_pb2_grpc.FlakyStub, breaker: Breaker) -> None:
    future = stub.Call.future(flaky_pb2.CallRequest(payload="slow", delay_ms=10_000), timeout=10)
    assert future.cancel()
    assert future.cancelled()
    assert breaker.metrics().calls == 0
    assert call(stub) is grpc.StatusCode.OK
    assert breaker.metrics().calls == 1


def test_deadline_exceeded_is_a_failure(stub: flaky_pb2_grpc.FlakyStub, breaker: Breaker) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.Call(flaky_pb2.CallRequest(payload="slow", delay_ms=10_000), timeout=0.05)
    assert caught.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert breaker.metrics().failed == 1


def test_aio_channel(grpc_server: FlakyGrpcServer, breaker: Breaker, arun: Any) -> None:
    async def main() -> None:
        async with grpc.aio.insecure_channel(
            grpc_server.target, interceptors=[aio_grpc.BreakerInterceptor(breaker)]
        ) as channel:
            stub = flaky_pb2_grpc.FlakyStub(channel)
            replies = await asyncio.gather(
                *(stub.Call(flaky_pb2.CallRequest(payload=str(i)), timeout=10) for i in range(2))
            )
            assert sorted(r.payload for r in replies) == ["0", "1"]
            for code in (INVALID_ARGUMENT, UNAVAILABLE):
                with pytest.raises(grpc.aio.AioRpcError):
                    await stub.Call(flaky_pb2.CallRequest(fail_code=code), timeout=10)
            assert breaker.state is State.CLOSED  # 1 of 4 failed
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.Call(flaky_pb2.CallRequest(fail_code=INTERNAL), timeout=10)
            assert breaker.state is State.OPEN
            served = grpc_server.servicer.served
            with pytest.raises(BreakerOpenRpcError):
                await stub.Call(flaky_pb2.CallRequest(payload="x"), timeout=10)
            assert grpc_server.servicer.served == served

    arun(main())


def test_aio_cancelled_call_is_ignored(
    grpc_server: FlakyGrpcServer, breaker: Breaker, arun: Any
) -> None:
    async def main() -> None:
        async with grpc.aio.insecure_channel(
            grpc_server.target, interceptors=[aio_grpc.BreakerInterceptor(breaker)]
        ) as channel:
            stub = flaky_pb2_grpc.FlakyStub(channel)

            async def slow() -> Any:
                return await stub.Call(
                    flaky_pb2.CallRequest(payload="slow", delay_ms=10_000), timeout=10
                )

            task = asyncio.create_task(slow())
            while grpc_server.servicer.served == 0:
                await asyncio.sleep(0.005)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.05)  # let the interceptor's task see the cancellation
            assert breaker.metrics().calls == 0
            assert (
                await stub.Call(flaky_pb2.CallRequest(payload="ok"), timeout=10)
            ).payload == "ok"
            assert breaker.metrics().calls == 1

    arun(main())
