"""Confluent's REST API over a :class:`~twinbook.registry.service.Service`, as an ASGI app
(Starlette; the Go twin is ``go/registry/http.go``). Reads answer on the event loop (they
are dictionary look-ups); writes, which wait for the broker's acknowledgement, run in a
worker thread so that reads go on meanwhile.

Why ASGI rather than the standard library's ThreadingHTTPServer: chapter 5 adds ASGI
middleware, and under uvicorn with httptools' parser this app answered 4.5k to 6.4k
uncached schema-id look-ups per second on the project's 2-core machine while it was
loaded by other work (``make bench-registry``), above the 3k aimed at."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import errors as e
from .model import AVRO, references_of, schema_fields
from .service import SchemaRequest, Service

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
"""The media type of every answer, Confluent's."""

MAX_BODY = 8 << 20
"""A request body's limit: past it, 413 instead of reading without end."""

ACCEPTED_TYPES = frozenset(
    {
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/octet-stream",
    }
)


def _json(status: int, body: Any) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")).encode(),
        status_code=status,
        media_type=CONTENT_TYPE,
    )


def _error(err: e.RegistryError) -> Response:
    return _json(err.status, err.body())


def _flag(request: Request, name: str) -> bool:
    # What Go's strconv.ParseBool calls true, so that both registries read flags alike.
    return request.query_params.get(name, "") in {"1", "t", "T", "true", "TRUE", "True"}


class _EncodedSlashes:
    """Routes on the raw path, so that a subject with an encoded ``/`` (``%2F``) stays one
    segment, as in the Go registry (Go's ServeMux matches on the escaped path): the ASGI
    server hands Starlette the decoded path, in which ``a%2Fb`` would be two segments.
    Each segment is decoded, then only ``%`` and ``/`` are escaped again; :func:`_params`
    decodes the path parameters once a route matched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path")
        if scope["type"] == "http" and raw and b"%2f" in raw.lower():
            segments = raw.decode("latin-1").split("?")[0].split("/")
            scope = dict(scope)
            scope["path"] = "/".join(
                quote(unquote(seg), safe="") if seg else seg for seg in segments
            )
        await self.app(scope, receive, send)


def _params(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """``endpoint`` with its path parameters decoded (see :class:`_EncodedSlashes`)."""

    async def decoded(request: Request) -> Response:
        request.scope["path_params"] = {
            k: unquote(v) if isinstance(v, str) else v for k, v in request.path_params.items()
        }
        return await endpoint(request)

    return decoded


async def _read_json(request: Request) -> Any:
    """The body as JSON: an unsupported media type is 415, a body that is not JSON 400,
    the codes Confluent's REST layer answers with."""
    content_type = request.headers.get("content-type", "")
    if content_type and content_type.split(";")[0].strip().lower() not in ACCEPTED_TYPES:
        raise e.RegistryError(
            415, e.UNSUPPORTED_MEDIA_TYPE, f"HTTP 415 Unsupported Media Type: {content_type}"
        )
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise e.RegistryError(
                413, e.ENTITY_TOO_LARGE, f"request body larger than {MAX_BODY} bytes"
            )
    try:
        return json.loads(body)
    except ValueError as err:
        raise e.RegistryError(400, e.MALFORMED_JSON, f"Malformed JSON body: {err}") from None


async def _schema_request(request: Request) -> SchemaRequest:
    """A register/lookup/compatibility body; JSON of the wrong shape is 422."""
    body = await _read_json(request)
    if not isinstance(body, dict):
        raise e.RegistryError(
            422, e.UNPROCESSABLE_ENTITY, "Unrecognized request body: not an object"
        )
    text, schema_type = body.get("schema", ""), body.get("schemaType") or ""
    if not isinstance(text, str) or not isinstance(schema_type, str):
        raise e.RegistryError(
            422,
            e.UNPROCESSABLE_ENTITY,
            'Unrecognized request body: "schema" and "schemaType" are strings',
        )
    try:
        refs = references_of(body.get("references"))
    except ValueError as err:
        raise e.RegistryError(
            422, e.UNPROCESSABLE_ENTITY, f"Unrecognized request body: {err}"
        ) from None
    return SchemaRequest(text, schema_type, refs)


def _schema_id(request: Request) -> int:
    raw = request.path_params["id"]
    try:
        return int(raw)
    except ValueError:
        raise e.schema_not_found(raw) from None


def create_app(svc: Service) -> Starlette:
    """The ASGI app serving Confluent's API over ``svc``."""

    async def root(request: Request) -> Response:
        return _json(200, {})

    async def schema_types(request: Request) -> Response:
        return _json(200, [AVRO])

    async def schema_by_id(request: Request) -> Response:
        v = svc.schema_by_id(_schema_id(request))
        return _json(200, schema_fields(v.schema_type, v.references, v.schema))

    async def raw_schema_by_id(request: Request) -> Response:
        v = svc.schema_by_id(_schema_id(request))
        return Response(v.schema.encode(), media_type=CONTENT_TYPE)

    async def id_versions(request: Request) -> Response:
        return _json(200, svc.id_versions(_schema_id(request), _flag(request, "deleted")))

    async def id_subjects(request: Request) -> Response:
        pairs = svc.id_versions(_schema_id(request), _flag(request, "deleted"))
        return _json(200, sorted({p["subject"] for p in pairs}))

    async def subjects(request: Request) -> Response:
        prefix = request.query_params.get("subjectPrefix", "")
        names = [s for s in svc.subjects(_flag(request, "deleted")) if s.startswith(prefix)]
        return _json(200, names)

    async def versions(request: Request) -> Response:
        subject = request.path_params["subject"]
        if request.method == "POST":
            req = await _schema_request(request)
            schema_id = await run_in_threadpool(svc.register, subject, req)
            return _json(200, {"id": schema_id})
        return _json(200, svc.versions(subject, _flag(request, "deleted")))

    async def subject(request: Request) -> Response:
        name = request.path_params["subject"]
        if request.method == "DELETE":
            deleted = await run_in_threadpool(svc.delete_subject, name, _flag(request, "permanent"))
            return _json(200, deleted)
        req = await _schema_request(request)
        return _json(200, svc.lookup(name, req, _flag(request, "deleted")).answer())

    async def version(request: Request) -> Response:
        name, number = request.path_params["subject"], request.path_params["version"]
        if request.method == "DELETE":
            n = await run_in_threadpool(
                svc.delete_version, name, number, _flag(request, "permanent")
            )
            return _json(200, n)
        return _json(200, svc.version(name, number, _flag(request, "deleted")).answer())

    async def raw_version(request: Request) -> Response:
        p = request.path_params
        v = svc.version(p["subject"], p["version"], _flag(request, "deleted"))
        return Response(v.schema.encode(), media_type=CONTENT_TYPE)

    async def referenced_by(request: Request) -> Response:
        p = request.path_params
        return _json(200, svc.referenced_by(p["subject"], p["version"]))

    async def compatibility(request: Request) -> Response:
        req = await _schema_request(request)
        ok, why = svc.check_compatibility(
            request.path_params["subject"], request.path_params.get("version"), req
        )
        answer: dict[str, Any] = {"is_compatible": ok}
        if _flag(request, "verbose"):
            answer["messages"] = why
        return _json(200, answer)

    async def config(request: Request) -> Response:
        name = request.path_params.get("subject", "")
        if request.method == "GET":
            level = svc.level(name, _flag(request, "defaultToGlobal"))
            return _json(200, {"compatibilityLevel": level})
        if request.method == "DELETE":
            old = await run_in_threadpool(svc.delete_level, name)
            return _json(200, {"compatibilityLevel": old})
        body = await _read_json(request)
        wanted = body.get("compatibility") if isinstance(body, dict) else None
        if not isinstance(wanted, str):
            raise e.RegistryError(
                422, e.INVALID_LEVEL, 'Invalid compatibility level: the body has no "compatibility"'
            )
        return _json(200, {"compatibility": await run_in_threadpool(svc.set_level, name, wanted)})

    async def mode(request: Request) -> Response:
        return _json(200, {"mode": svc.mode(request.path_params.get("subject", ""))})

    async def on_registry_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, e.RegistryError)
        return _error(exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        # Starlette's own 404 (no route: /associations/... included, which confluent-kafka
        # asks first, falling back to {topic}-value on a 404) and 405, in Confluent's body.
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return _json(status, {"error_code": status, "message": f"HTTP {status} {exc}"})

    async def on_other_error(request: Request, exc: Exception) -> Response:
        return _error(e.store_error(exc))

    routes = [
        Route("/", root, methods=["GET"]),
        Route("/schemas/types", schema_types, methods=["GET"]),
        Route("/schemas/ids/{id}", schema_by_id, methods=["GET"]),
        Route("/schemas/ids/{id}/schema", raw_schema_by_id, methods=["GET"]),
        Route("/schemas/ids/{id}/versions", id_versions, methods=["GET"]),
        Route("/schemas/ids/{id}/subjects", id_subjects, methods=["GET"]),
        Route("/subjects", subjects, methods=["GET"]),
        Route("/subjects/{subject}", _params(subject), methods=["POST", "DELETE"]),
        Route("/subjects/{subject}/versions", _params(versions), methods=["GET", "POST"]),
        Route(
            "/subjects/{subject}/versions/{version}", _params(version), methods=["GET", "DELETE"]
        ),
        Route(
            "/subjects/{subject}/versions/{version}/schema", _params(raw_version), methods=["GET"]
        ),
        Route(
            "/subjects/{subject}/versions/{version}/referencedby",
            _params(referenced_by),
            methods=["GET"],
        ),
        Route(
            "/compatibility/subjects/{subject}/versions/{version}",
            _params(compatibility),
            methods=["POST"],
        ),
        Route(
            "/compatibility/subjects/{subject}/versions", _params(compatibility), methods=["POST"]
        ),
        Route("/config", config, methods=["GET", "PUT", "DELETE"]),
        Route("/config/{subject}", _params(config), methods=["GET", "PUT", "DELETE"]),
        Route("/mode", mode, methods=["GET"]),
        Route("/mode/{subject}", _params(mode), methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(_EncodedSlashes)],
        exception_handlers={
            e.RegistryError: on_registry_error,
            HTTPException: on_http_error,
            Exception: on_other_error,
        },
    )
