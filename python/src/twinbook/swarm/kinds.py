"""The task kinds a worker runs: ``square``, ``sleep`` and ``flaky`` (as ``go/swarm/kinds.go``).

A kind takes the task's :class:`TaskContext`, its id and its input, and returns the
output or raises :class:`TaskFailed` with a status code. Inputs are parsed as
strictly as Go's ``strconv.ParseInt`` does, so that a malformed input fails the
same way (``INVALID_ARGUMENT``) whichever language runs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import grpc

from twinbook._proto.flaky.v1 import flaky_pb2, flaky_pb2_grpc

from .taskcontext import TaskContext, TaskFailed

__all__ = ["MAX_SLEEP_MS", "flaky", "sleep", "square"]

Kind = Callable[[TaskContext, str, bytes], bytes]
"""A task kind: ``kind(ctx, task_id, input) -> output``."""

MAX_SLEEP_MS = 3_600_000
"""The sleep kind's bound: a task is not a way to park a worker for a day."""

_DECIMAL = re.compile(rb"[+-]?[0-9]+")


def _integer(data: bytes) -> int | None:
    return int(data) if _DECIMAL.fullmatch(data) else None


def square(_ctx: TaskContext, _task_id: str, data: bytes) -> bytes:
    """The square of a 32-bit decimal integer, in decimal."""
    n = _integer(data)
    if n is None or not -(2**31) <= n < 2**31:
        raise TaskFailed(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"square: input {data!r} is not a 32-bit decimal integer",
        )
    return str(n * n).encode()


def sleep(ctx: TaskContext, _task_id: str, data: bytes) -> bytes:
    """Wait ``data`` milliseconds, or until the task is cancelled or its deadline passes."""
    ms = _integer(data)
    if ms is None or not 0 <= ms <= MAX_SLEEP_MS:
        raise TaskFailed(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"sleep: input {data!r} is not milliseconds in [0, {MAX_SLEEP_MS}]",
        )
    ctx.sleep(ms / 1000)
    return b"slept " + data


def flaky(stub: flaky_pb2_grpc.FlakyStub) -> Kind:
    """One call to ``flaky.v1.Flaky.Call`` through ``stub`` (whose channel has the
    worker's breaker); ``data`` is the call's ``delay_ms``. The task's remaining time
    is the call's timeout, and cancelling the task cancels the call: grpcio does
    neither by itself."""

    # docs:start flaky-kind
    def run(ctx: TaskContext, task_id: str, data: bytes) -> bytes:
        delay = _integer(data) if data else 0
        if delay is None or delay < 0:
            raise TaskFailed(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"flaky: input {data!r} is not a delay in milliseconds",
            )
        ctx.check()
        request = flaky_pb2.CallRequest(payload=task_id, delay_ms=delay)
        try:
            call: Any = stub.Call.future(request, timeout=ctx.time_remaining())
        except grpc.RpcError as exc:  # the breaker refused it: nothing was sent
            raise TaskFailed(exc.code(), exc.details() or "") from None
        ctx.add_callback(call.cancel)
        try:
            response = call.result()
        except grpc.FutureCancelledError:
            raise TaskFailed(
                grpc.StatusCode.CANCELLED,
                "the task was cancelled",
            ) from None
        except grpc.RpcError as exc:
            raise TaskFailed(exc.code(), exc.details() or "") from None
        return f"{response.payload} served {response.served}".encode()
        # docs:end flaky-kind

    return run
