"""The Idempotency-Key middleware for ASGI: :class:`IdempotencyMiddleware`.

The Go twin is ``go/idempotency/middleware.go``. It is a pure ASGI middleware (no framework
of its own), so it wraps a Starlette or FastAPI app, or any ASGI callable. The app's answer
is buffered until the app returns, because it must be stored before it is sent: an answer
streamed to the client and then lost by a crash could not be replayed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from twinbook.clock import Clock, nanoseconds

from .config import Config
from .keys import REPLAYED_HEADER, MalformedKeyError, Scope, check_key, fingerprint
from .records import Records, RecordsError, Response, Verdict

__all__ = ["IdempotencyMiddleware"]

Message = MutableMapping[str, Any]
ASGIScope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[ASGIScope, Receive, Send], Awaitable[None]]

_HEADER = b"idempotency-key"


class IdempotencyMiddleware:
    """Runs ``app`` once per scoped key and replays its answer, per the idempotency spec.

    ``clock`` gives the time (``None``: the wall clock, :func:`time.time_ns`, not the
    monotonic one: records in a store outlive the process, and a reboot resets monotonic
    time). Tests hand it a :class:`twinbook.clock.ManualClock`.
    """

    def __init__(
        self, app: ASGIApp, config: Config, records: Records, clock: Clock | None = None
    ) -> None:
        self.app = app
        self.config = config
        self.records = records
        self._now_ns: Callable[[], int] = time.time_ns if clock is None else nanoseconds(clock)

    def _now_ms(self) -> int:
        return self._now_ns() // 1_000_000

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        keys = [value for name, value in scope["headers"] if name.lower() == _HEADER]
        if not keys:
            if self.config.required:
                await _refuse(
                    send, 400, "missing Idempotency-Key header: this endpoint requires one"
                )
                return
            await self._pass_through(scope, receive, send)
            return
        if len(keys) > 1:
            await _refuse(send, 400, f"{len(keys)} Idempotency-Key headers, want one")
            return
        try:
            key = check_key(keys[0])
        except MalformedKeyError as exc:
            await _refuse(send, 400, str(exc))
            return
        body, more = await _read_body(receive)
        if more is not None:
            await _refuse(send, 400, more)
            return
        # docs:start idempotency-decision
        request_scope = Scope(scope["method"], _target(scope), key)
        try:
            decision = await self.records.begin(
                request_scope,
                fingerprint(body),
                self._now_ms(),
                self.config.ttl_ms,
                self.config.lease_ms,
            )
        except RecordsError as exc:
            await _refuse(send, 503, f"idempotency records unavailable: {exc}")
            return
        if decision.verdict is Verdict.REPLAY and decision.response is not None:
            await _send(send, decision.response, replayed=True)
        elif decision.verdict is Verdict.MISMATCH:
            why = "this Idempotency-Key was used with another request body"
            await _refuse(send, 422, why)
        elif decision.verdict is Verdict.CONFLICT:
            busy = "a request with this Idempotency-Key is in progress"
            await _refuse(send, 409, busy)
        else:
            await self._handle(
                scope, _replay_body(body, receive), send, request_scope, decision.token
            )
        # docs:end idempotency-decision

    async def _handle(
        self, scope: ASGIScope, receive: Receive, send: Send, key: Scope, token: str
    ) -> None:
        """Run the app for a request that holds its key; store its answer, or release the key."""
        captured = _Captured()
        try:
            await self.app(scope, receive, captured.send)
            response = captured.response()
        except Exception:  # noqa: BLE001 (any failure of the app is the spec's "fails")
            response = None
        if response is None:
            # Only our own mark is released: the records compare the token.
            await self._quietly(self.records.release(key, token))
            await _refuse(
                send, 500, "the handler failed; the key is released, a retry runs it again"
            )
            return
        # Stored before it is sent; if the store fails the client still gets the app's answer.
        await self._quietly(self.records.complete(key, token, response, self._now_ms()))
        await send(
            {"type": "http.response.start", "status": response.status, "headers": captured.headers}
        )
        await send({"type": "http.response.body", "body": response.body})

    async def _pass_through(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        """A request without a key: nothing stored, but a failing app still gets the spec's 500."""
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:
                raise
            await _refuse(send, 500, "the handler failed")

    @staticmethod
    async def _quietly(call: Awaitable[bool]) -> None:
        try:
            await call
        except RecordsError:
            pass  # the answer still goes out; the mark runs out with its lease


def _target(scope: ASGIScope) -> str:
    """The request target's path and query, as sent (compared exactly)."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else scope["path"]
    query: bytes = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


async def _read_body(receive: Receive) -> tuple[bytes, str | None]:
    """The whole request body, or an error message when the client went away."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", "the client went away before the body was read"
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then the real ``receive``
    (which tells an app listening for it that the client went away)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _Captured:
    """The app's answer, kept whole until the app returns."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    def response(self) -> Response | None:
        """The answer, or ``None`` when the app returned without starting one (a failure)."""
        if self.status is None:
            return None
        content_type = next(
            (v.decode("latin-1") for k, v in self.headers if k.lower() == b"content-type"), ""
        )
        return Response(self.status, b"".join(self.chunks), content_type)


async def _send(send: Send, response: Response, *, replayed: bool) -> None:
    headers = [(b"content-length", str(len(response.body)).encode())]
    if response.content_type:
        headers.append((b"content-type", response.content_type.encode("latin-1")))
    if replayed:
        headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


async def _refuse(send: Send, status: int, message: str) -> None:
    """One of the middleware's own answers, never stored; the body names the fault."""
    await _send(
        send, Response(status, message.encode(), "text/plain; charset=utf-8"), replayed=False
    )
