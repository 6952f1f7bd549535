"""A breaker for HTTP clients: an httpx transport that trips on 5xx and connection errors.

The Go twin is ``go/breaker/breakerhttp`` (an ``http.RoundTripper``). A
transport sits under the client, so every request the client sends, from any
call site, goes through one breaker per dependency (the ``httpx.AsyncClient``
flavour, under the same name, is :mod:`twinbook.breaker.aio.httpx_transport`)::

    client = httpx.Client(transport=BreakerTransport(breaker), base_url="https://prices")
    aclient = httpx.AsyncClient(transport=aio.httpx_transport.BreakerTransport(breaker))

What counts as a failure:

* a response for which ``is_failure(response)`` is true, by default any
  5xx status: the server answered, but it is in trouble. A 4xx is the
  *caller's* mistake and says nothing about the server's health;
* an exception from the wrapped transport (connection refused, reset, a
  timeout), classified by the breaker's configuration: by default every
  exception is a failure, and a cancelled request is ignored.

The call's duration is the time to the response's headers; the body is
read after the transport returns and is not part of the call.

When the breaker rejects a request, nothing is sent and
:class:`BreakerOpenTransportError` is raised: it is an
``httpx.TransportError`` (so ``except httpx.HTTPError`` handlers see it)
*and* a :class:`~twinbook.breaker.OpenError` with ``retry_after``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from .breaker import Breaker, Permission
from .errors import OpenError
from .events import Outcome

__all__ = ["BreakerOpenTransportError", "BreakerTransport", "server_error"]


def server_error(response: httpx.Response) -> bool:
    """The default failure test: a 5xx status."""
    return response.status_code >= 500


class BreakerOpenTransportError(httpx.TransportError, OpenError):
    """The breaker rejected the request; it was not sent."""

    def __init__(self, rejection: OpenError, request: httpx.Request) -> None:
        # Both bases chain __init__ cooperatively with different signatures: set up by hand.
        Exception.__init__(self, str(rejection))
        self.state = rejection.state
        self.retry_after = rejection.retry_after
        self.name = rejection.name
        self.request = request  # httpx's public setter

    def __str__(self) -> str:
        return OpenError.__str__(self)


def permission_for(breaker: Breaker, request: httpx.Request) -> Permission:
    """Acquire from ``breaker`` for ``request``; a rejection becomes a transport error."""
    try:
        return breaker.acquire()
    except OpenError as rejection:
        raise BreakerOpenTransportError(rejection, request) from None


# docs:start http-transport
class BreakerTransport(httpx.BaseTransport):
    """Wraps ``transport`` (default: a plain ``httpx.HTTPTransport``) with
    ``breaker``."""

    def __init__(
        self,
        breaker: Breaker,
        transport: httpx.BaseTransport | None = None,
        *,
        is_failure: Callable[[httpx.Response], bool] = server_error,
    ) -> None:
        self.breaker = breaker
        self.transport = transport if transport is not None else httpx.HTTPTransport()
        self.is_failure = is_failure

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        permission = permission_for(self.breaker, request)
        try:
            response = self.transport.handle_request(request)
        except BaseException as exc:
            permission.complete_exception(exc)
            raise
        failed = self.is_failure(response)
        permission.complete(Outcome.FAILURE if failed else Outcome.SUCCESS)
        return response

    # docs:end http-transport

    def close(self) -> None:
        self.transport.close()
