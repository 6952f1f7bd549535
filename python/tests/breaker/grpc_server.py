"""A real gRPC server on 127.0.0.1 implementing ``flaky.v1.Flaky``, for the interceptor tests.

``Call`` fails with the request's ``fail_code`` if set, else with the mode
set by ``SetMode`` (or ``server.mode``), else echoes the payload; it waits
``delay_ms`` first (giving up if the client cancels). ``served`` counts the
calls that reached the server: a rejected RPC never does.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

import grpc

from twinbook._proto.flaky.v1 import flaky_pb2, flaky_pb2_grpc

CODES = {code.value[0]: code for code in grpc.StatusCode}


class FlakyServicer(flaky_pb2_grpc.FlakyServicer):
    def __init__(self) -> None:
        self.mode = grpc.StatusCode.OK
        self.served = 0
        self._lock = threading.Lock()

    def Call(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self._lock:
            self.served += 1
            served, mode = self.served, self.mode
        if request.delay_ms:
            done = threading.Event()
            context.add_callback(done.set)  # the RPC ended: cancelled or past its deadline
            done.wait(request.delay_ms / 1000)
        code = CODES[request.fail_code] if request.fail_code else mode
        if code is not grpc.StatusCode.OK:
            context.abort(code, f"failing with {code.name} on command")
        return flaky_pb2.CallResponse(payload=request.payload, served=served)

    def SetMode(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self._lock:
            previous, self.mode = self.mode, CODES[request.code]
        return flaky_pb2.SetModeResponse(previous_code=previous.value[0])


class FlakyGrpcServer:
    def __init__(self) -> None:
        self.servicer = FlakyServicer()
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="flaky-grpc")
        self._server = grpc.server(self._executor)
        flaky_pb2_grpc.add_FlakyServicer_to_server(self.servicer, self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self.target = f"127.0.0.1:{self.port}"

    def __enter__(self) -> FlakyGrpcServer:
        self._server.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.stop(grace=None).wait()
        self._executor.shutdown(wait=True)
