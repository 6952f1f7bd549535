"""The ``flaky.v1`` dependency the flaky kind calls, recording how each call ended.

A test reads :attr:`FlakyServicer.calls` to see whether a task's deadline reached
the call (``deadline``: the time it had left on arrival) and whether the call
stopped early because its caller's deadline passed or it was cancelled
(``stopped``). ``python -m twinbook.swarm.flaky [--address 127.0.0.1:0]`` serves it
as a program, printing its address on stdout's first line (the Go twin is
``go/cmd/swarm-flaky``).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import dataclass
from typing import Any

import grpc

from twinbook._proto.flaky.v1 import flaky_pb2, flaky_pb2_grpc

from .server import new_server

__all__ = ["MAX_RECORDS", "FlakyCall", "FlakyServicer"]

CODES = {code.value[0]: code for code in grpc.StatusCode}

NO_DEADLINE_S = 1e9
"""A sync grpcio server reports ~9.2e15 s left for a call without a deadline."""

MAX_RECORDS = 10_000
"""The calls a server remembers: a long-running server must not grow without bound."""


@dataclass(frozen=True)
class FlakyCall:
    """How one ``Call`` ended: its payload, its deadline on arrival, whether it stopped early."""

    payload: str
    deadline_s: float | None
    stopped: bool


class FlakyServicer(flaky_pb2_grpc.FlakyServicer):
    """Echoes, fails on command, waits ``delay_ms`` unless the call ends first."""

    def __init__(self) -> None:
        self.mode = grpc.StatusCode.OK
        self.served = 0
        self.calls: list[FlakyCall] = []
        self.ended = threading.Condition()

    def Call(self, request: Any, context: grpc.ServicerContext) -> Any:
        left = context.time_remaining()
        deadline = left if left is not None and left < NO_DEADLINE_S else None
        with self.ended:
            self.served += 1
            served, mode = self.served, self.mode
        stopped = False
        if request.delay_ms and not request.fail_code and mode is grpc.StatusCode.OK:
            done = threading.Event()
            context.add_callback(done.set)  # the RPC ended: cancelled or past its deadline
            stopped = done.wait(request.delay_ms / 1000)
        with self.ended:
            self.calls.append(FlakyCall(request.payload, deadline, stopped))
            del self.calls[:-MAX_RECORDS]
            self.ended.notify_all()
        code = CODES[request.fail_code] if request.fail_code else mode
        if stopped:
            code = grpc.StatusCode.CANCELLED
        if code is not grpc.StatusCode.OK:
            context.abort(code, f"failing with {code.name} on command")
        return flaky_pb2.CallResponse(payload=request.payload, served=served)

    def SetMode(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.ended:
            previous, self.mode = self.mode, CODES[request.code]
        return flaky_pb2.SetModeResponse(previous_code=previous.value[0])

    def wait_for(self, payload: str, timeout: float) -> FlakyCall | None:
        """The recorded call with ``payload``, waiting up to ``timeout`` seconds for it."""
        with self.ended:
            self.ended.wait_for(lambda: any(c.payload == payload for c in self.calls), timeout)
            return next((c for c in self.calls if c.payload == payload), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twinbook.swarm.flaky", description=__doc__)
    parser.add_argument("--address", "-address", default="127.0.0.1:0")
    args = parser.parse_args(argv)
    servicer = FlakyServicer()
    server, executor = new_server(
        lambda s: flaky_pb2_grpc.add_FlakyServicer_to_server(servicer, s),  # type: ignore[no-untyped-call]  # generated stubs are untyped
        "flaky.v1.Flaky",
    )
    port = server.add_insecure_port(args.address)
    host = args.address.rsplit(":", 1)[0]
    server.start()
    print(f"{host}:{port}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.2):  # a short wait: the signal handler runs between waits
        pass
    server.stop(grace=None).wait()
    executor.shutdown(wait=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
