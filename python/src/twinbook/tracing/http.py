"""The request's server span: a pure ASGI middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from .propagate import W3C, tracer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Middleware:
    """Wraps ``app`` in a server span named ``<METHOD> <route>`` (the HTTP semantic
    conventions' low-cardinality name), continuing the request's own ``traceparent``
    when it has one. The span is current while the app runs: the handler passes
    :func:`~twinbook.tracing.headers` to the outbox event it adds. A status of 500 or
    more, or an exception, marks the span as an error."""

    def __init__(
        self, app: ASGIApp, route: str, tracer_provider: trace.TracerProvider | None = None
    ):
        self.app = app
        self.route = route
        self._tracer = tracer(tracer_provider)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", ())
            if k in (b"traceparent", b"tracestate")
        }
        method = scope.get("method", "GET")
        with self._tracer.start_as_current_span(
            f"{method} {self.route}",
            context=W3C.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "http.route": self.route,
                "url.path": scope.get("path", ""),
            },
        ) as span:

            async def send_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR, str(status)))
                await send(message)

            await self.app(scope, receive, send_status)
