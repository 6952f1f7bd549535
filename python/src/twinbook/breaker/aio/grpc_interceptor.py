"""The gRPC client interceptor for ``grpc.aio`` channels; the threads twin is :mod:`twinbook.breaker.grpc_interceptor`.

Same name, arguments and status-code rules as the blocking
:class:`twinbook.breaker.grpc_interceptor.BreakerInterceptor`; a rejected RPC
raises the same :class:`~twinbook.breaker.grpc_interceptor.BreakerOpenRpcError`.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from typing import Any

import grpc
import grpc.aio

from ..breaker import Breaker
from ..grpc_interceptor import FAILURE_CODES, acquire, outcome_of

__all__ = ["BreakerInterceptor"]


class BreakerInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """For ``grpc.aio`` channels; the lock is never held across an ``await``."""

    def __init__(
        self, breaker: Breaker, *, failure_codes: Set[grpc.StatusCode] = FAILURE_CODES
    ) -> None:
        self.breaker = breaker
        self.failure_codes = frozenset(failure_codes)

    async def intercept_unary_unary(
        self,
        continuation: Callable[..., Any],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        permission = acquire(self.breaker)
        try:
            call = await continuation(client_call_details, request)
            code = await call.code()  # waits for the RPC to end; the caller awaits `call` itself
        except BaseException as exc:  # a cancelled caller: ignored by default
            permission.complete_exception(exc)
            raise
        permission.complete(outcome_of(code, self.failure_codes))
        return call
