"""The httpx transport for ``httpx.AsyncClient``; the threads twin is :mod:`twinbook.breaker.httpx_transport`.

Same name, arguments and failure rules as the blocking
:class:`twinbook.breaker.httpx_transport.BreakerTransport`; only the request
is awaited. A rejected request raises the same
:class:`~twinbook.breaker.httpx_transport.BreakerOpenTransportError`.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ..breaker import Breaker
from ..events import Outcome
from ..httpx_transport import permission_for, server_error

__all__ = ["BreakerTransport"]


class BreakerTransport(httpx.AsyncBaseTransport):
    """Wraps ``transport`` (default: a plain ``httpx.AsyncHTTPTransport``) with ``breaker``."""

    def __init__(
        self,
        breaker: Breaker,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        is_failure: Callable[[httpx.Response], bool] = server_error,
    ) -> None:
        self.breaker = breaker
        self.transport = transport if transport is not None else httpx.AsyncHTTPTransport()
        self.is_failure = is_failure

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        permission = permission_for(self.breaker, request)
        try:
            response = await self.transport.handle_async_request(request)
        except BaseException as exc:  # a cancelled request is ignored by default
            permission.complete_exception(exc)
            raise
        permission.complete(Outcome.FAILURE if self.is_failure(response) else Outcome.SUCCESS)
        return response

    async def aclose(self) -> None:
        await self.transport.aclose()
