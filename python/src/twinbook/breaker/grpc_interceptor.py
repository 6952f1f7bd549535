"""A breaker for gRPC clients: a unary-unary client interceptor for blocking channels.

The Go twin is ``go/breaker/breakergrpc``. An interceptor sits in the
channel, so every RPC through it goes through the breaker (the ``grpc.aio``
flavour, under the same name, is :mod:`twinbook.breaker.aio.grpc_interceptor`)::

    channel = grpc.intercept_channel(grpc.insecure_channel(target), BreakerInterceptor(breaker))
    channel = grpc.aio.insecure_channel(
        target, interceptors=[aio.grpc_interceptor.BreakerInterceptor(breaker)]
    )

What counts as a failure is the RPC's status code:

* ``failure_codes`` (default :data:`FAILURE_CODES`: ``UNAVAILABLE``,
  ``INTERNAL``, ``UNKNOWN``, ``DEADLINE_EXCEEDED``, ``RESOURCE_EXHAUSTED``,
  ``DATA_LOSS``, the same list as the Go twin's ``DefaultFailureCodes``) are
  failures: the server, or the way to it, is in trouble or overloaded;
* ``CANCELLED`` is ignored: the caller gave up, which says nothing about
  the server (the spec's "a caller's own cancellation is ignored");
* every other code, ``OK`` and the client's mistakes such as
  ``INVALID_ARGUMENT`` or ``NOT_FOUND``, is a success: the server answered.

An exception raised on the client's side before any status exists (say, a
request that cannot be serialized) is classified by the breaker's
configuration. When the breaker rejects an RPC, nothing is sent and
:class:`BreakerOpenRpcError` is raised: a ``grpc.RpcError`` whose ``code()``
is ``UNAVAILABLE`` (what a client would see from a down server, so existing
handlers keep working) and a :class:`~twinbook.breaker.OpenError`
with ``retry_after``.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from typing import Any

import grpc

from .breaker import Breaker, Permission
from .errors import OpenError
from .events import Outcome

__all__ = ["FAILURE_CODES", "BreakerInterceptor", "BreakerOpenRpcError", "outcome_of"]

FAILURE_CODES: frozenset[grpc.StatusCode] = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.DATA_LOSS,
    }
)


class BreakerOpenRpcError(grpc.RpcError, OpenError):
    """The breaker rejected the RPC; it was not sent. ``code()`` is ``UNAVAILABLE``."""

    def __init__(self, rejection: OpenError) -> None:
        OpenError.__init__(self, rejection.state, rejection.retry_after, rejection.name)

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return str(self)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.state, self.retry_after, self.name))


def _rebuild(*args: Any) -> BreakerOpenRpcError:
    return BreakerOpenRpcError(OpenError(*args))


def acquire(breaker: Breaker) -> Permission:
    """Acquire from ``breaker``; a rejection becomes a :class:`BreakerOpenRpcError`."""
    try:
        return breaker.acquire()
    except OpenError as rejection:
        raise BreakerOpenRpcError(rejection) from None


def outcome_of(code: grpc.StatusCode | None, failure_codes: Set[grpc.StatusCode]) -> Outcome:
    """What the breaker records for an RPC that ended with status ``code``."""
    if code in failure_codes:
        return Outcome.FAILURE
    if code is grpc.StatusCode.CANCELLED:
        return Outcome.IGNORED
    return Outcome.SUCCESS


# docs:start grpc-interceptor
class BreakerInterceptor(grpc.UnaryUnaryClientInterceptor):
    """For blocking channels: works for plain calls, ``with_call`` and ``future``."""

    def __init__(
        self, breaker: Breaker, *, failure_codes: Set[grpc.StatusCode] = FAILURE_CODES
    ) -> None:
        self.breaker = breaker
        self.failure_codes = frozenset(failure_codes)

    def intercept_unary_unary(
        self,
        continuation: Callable[..., Any],
        client_call_details: grpc.ClientCallDetails,
        request: Any,
    ) -> Any:
        permission = acquire(self.breaker)
        try:
            call = continuation(client_call_details, request)
        except BaseException as exc:
            permission.complete_exception(exc)
            raise
        # Blocking calls come back done; futures finish later, on a gRPC thread.
        call.add_done_callback(lambda done: self._settle(permission, done))
        return call

    # docs:end grpc-interceptor

    def _settle(self, permission: Permission, call: Any) -> None:
        exc = call.exception() if not call.cancelled() else None
        if exc is not None and not isinstance(exc, grpc.RpcError):
            permission.complete_exception(exc)  # a client-side error: no status to judge by
        else:
            permission.complete(outcome_of(call.code(), self.failure_codes))
