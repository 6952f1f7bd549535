"""One registry's life, request by request: every route and every error code, in an order
where each answer is known. The same table runs against the in-process ASGI app
(test_http.py) and against both registry processes, Python's and Go's, on Kafka
(test_processes.py); the Go twin's table is go/registry/http_test.go."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ORDER_V1 = (
    '{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}'
)
# The same schema as ORDER_V1, spelled differently: whitespace, key order, a full name.
ORDER_V1_RESPELLED = (
    '{ "fields": [ {"type": "string", "name": "id"} ], "name": "shop.Order", "type": "record" }'
)
ORDER_V2 = (
    '{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},'
    '{"name":"qty","type":"int","default":1}]}'
)
# ORDER_V3 adds a field without a default: a BACKWARD reader cannot read v2's records.
ORDER_V3 = (
    '{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},'
    '{"name":"qty","type":"int","default":1},{"name":"note","type":"string"}]}'
)
MONEY = (
    '{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}'
)
INVOICE = '{"type":"record","name":"Invoice","namespace":"shop","fields":[{"name":"total","type":"shop.Money"}]}'
MONEY_REF = [{"name": "shop.Money", "subject": "money", "version": 1}]


def body(schema: str, **extra: Any) -> str:
    return json.dumps({"schema": schema, **extra})


@dataclass(frozen=True)
class Step:
    """A request and what must come back: the status and either the whole body (want) or
    Confluent's error code (code)."""

    name: str
    method: str
    path: str
    status: int
    want: Any = None
    code: int = 0
    body: str | None = None
    content_type: str = "application/vnd.schemaregistry.v1+json"


def version(subject: str, n: int, schema_id: int, schema: str) -> dict[str, Any]:
    return {"subject": subject, "version": n, "id": schema_id, "schema": schema}


STEPS = [
    Step("root", "GET", "/", 200, {}),
    Step("types", "GET", "/schemas/types", 200, ["AVRO"]),
    Step("no subjects yet", "GET", "/subjects", 200, []),
    Step("global level default", "GET", "/config", 200, {"compatibilityLevel": "BACKWARD"}),
    Step(
        "register v1",
        "POST",
        "/subjects/orders-value/versions",
        200,
        {"id": 1},
        body=body(ORDER_V1),
    ),
    Step(
        "same schema respelled: same id",
        "POST",
        "/subjects/orders-value/versions",
        200,
        {"id": 1},
        body=body(ORDER_V1_RESPELLED),
    ),
    Step(
        "same schema in another subject: same id",
        "POST",
        "/subjects/audit-value/versions",
        200,
        {"id": 1},
        body=body(ORDER_V1),
        content_type="application/json",
    ),
    Step(
        "empty references: same id",
        "POST",
        "/subjects/orders-value/versions",
        200,
        {"id": 1},
        body=body(ORDER_V1, references=[]),
    ),
    Step(
        "explicit AVRO type",
        "POST",
        "/subjects/orders-value/versions",
        200,
        {"id": 1},
        body=body(ORDER_V1, schemaType="AVRO"),
    ),
    Step(
        "octet-stream accepted",
        "POST",
        "/subjects/orders-value/versions",
        200,
        {"id": 1},
        body=body(ORDER_V1),
        content_type="application/octet-stream",
    ),
    Step(
        "register v2 (backward compatible)",
        "POST",
        "/subjects/orders-value/versions",
        200,
        {"id": 2},
        body=body(ORDER_V2),
    ),
    Step(
        "incompatible v3 refused",
        "POST",
        "/subjects/orders-value/versions",
        409,
        code=409,
        body=body(ORDER_V3),
    ),
    Step("versions", "GET", "/subjects/orders-value/versions", 200, [1, 2]),
    Step("subjects", "GET", "/subjects", 200, ["audit-value", "orders-value"]),
    Step("subject prefix", "GET", "/subjects?subjectPrefix=orders", 200, ["orders-value"]),
    Step(
        "version 1",
        "GET",
        "/subjects/orders-value/versions/1",
        200,
        version("orders-value", 1, 1, ORDER_V1),
    ),
    Step(
        "latest",
        "GET",
        "/subjects/orders-value/versions/latest",
        200,
        version("orders-value", 2, 2, ORDER_V2),
    ),
    Step(
        "-1 is latest",
        "GET",
        "/subjects/orders-value/versions/-1",
        200,
        version("orders-value", 2, 2, ORDER_V2),
    ),
    Step(
        "raw schema", "GET", "/subjects/orders-value/versions/1/schema", 200, json.loads(ORDER_V1)
    ),
    Step("schema by id", "GET", "/schemas/ids/2", 200, {"schema": ORDER_V2}),
    Step("raw schema by id", "GET", "/schemas/ids/1/schema", 200, json.loads(ORDER_V1)),
    Step(
        "id versions",
        "GET",
        "/schemas/ids/1/versions",
        200,
        [{"subject": "audit-value", "version": 1}, {"subject": "orders-value", "version": 1}],
    ),
    Step("id subjects", "GET", "/schemas/ids/1/subjects", 200, ["audit-value", "orders-value"]),
    Step("unknown id", "GET", "/schemas/ids/99", 404, code=40403),
    Step("id not a number", "GET", "/schemas/ids/x", 404, code=40403),
    Step("unknown subject", "GET", "/subjects/nope/versions", 404, code=40401),
    Step("unknown subject version", "GET", "/subjects/nope/versions/1", 404, code=40401),
    Step("unknown version", "GET", "/subjects/orders-value/versions/7", 404, code=40402),
    Step("invalid version", "GET", "/subjects/orders-value/versions/abc", 422, code=42202),
    Step("version 0 invalid", "GET", "/subjects/orders-value/versions/0", 422, code=42202),
    Step(
        "invalid schema",
        "POST",
        "/subjects/orders-value/versions",
        422,
        code=42201,
        body=body('{"type":"record","name":"X"}'),
    ),
    Step(
        "schema not JSON",
        "POST",
        "/subjects/orders-value/versions",
        422,
        code=42201,
        body=body("{not json"),
    ),
    Step("empty schema", "POST", "/subjects/orders-value/versions", 422, code=42201, body="{}"),
    Step(
        "unsupported type",
        "POST",
        "/subjects/orders-value/versions",
        422,
        code=42201,
        body=body('syntax = "proto3";', schemaType="PROTOBUF"),
    ),
    Step(
        "malformed JSON body",
        "POST",
        "/subjects/orders-value/versions",
        400,
        code=400,
        body='{"schema": ',
    ),
    Step(
        "body of the wrong shape",
        "POST",
        "/subjects/orders-value/versions",
        422,
        code=422,
        body='{"schema": 5}',
    ),
    Step(
        "unsupported media type",
        "POST",
        "/subjects/orders-value/versions",
        415,
        code=415,
        body=body(ORDER_V1),
        content_type="text/plain",
    ),
    Step(
        "lookup",
        "POST",
        "/subjects/orders-value",
        200,
        version("orders-value", 1, 1, ORDER_V1),
        body=body(ORDER_V1_RESPELLED),
    ),
    Step(
        "lookup: schema not in subject",
        "POST",
        "/subjects/orders-value",
        404,
        code=40403,
        body=body(ORDER_V3),
    ),
    Step("lookup: unknown subject", "POST", "/subjects/nope", 404, code=40401, body=body(ORDER_V1)),
    Step(
        "compatible with latest",
        "POST",
        "/compatibility/subjects/orders-value/versions/latest",
        200,
        {"is_compatible": True},
        body=body(ORDER_V2),
    ),
    Step(
        "incompatible with latest",
        "POST",
        "/compatibility/subjects/orders-value/versions/latest",
        200,
        {"is_compatible": False},
        body=body(ORDER_V3),
    ),
    Step(
        "verbose",
        "POST",
        "/compatibility/subjects/orders-value/versions/2?verbose=true",
        200,
        {"is_compatible": True, "messages": []},
        body=body(ORDER_V2),
    ),
    Step(
        "against every version",
        "POST",
        "/compatibility/subjects/orders-value/versions",
        200,
        {"is_compatible": False},
        body=body(ORDER_V3),
    ),
    Step(
        "compatibility: new subject",
        "POST",
        "/compatibility/subjects/fresh/versions/latest",
        200,
        {"is_compatible": True},
        body=body(ORDER_V3),
    ),
    Step(
        "compatibility: unknown version",
        "POST",
        "/compatibility/subjects/orders-value/versions/9",
        404,
        code=40402,
        body=body(ORDER_V2),
    ),
    Step(
        "compatibility: invalid schema",
        "POST",
        "/compatibility/subjects/orders-value/versions/latest",
        422,
        code=42201,
        body=body('"nope"'),
    ),
    Step("subject level not set", "GET", "/config/orders-value", 404, code=40408),
    Step(
        "subject level defaults to global",
        "GET",
        "/config/orders-value?defaultToGlobal=true",
        200,
        {"compatibilityLevel": "BACKWARD"},
    ),
    Step(
        "invalid level",
        "PUT",
        "/config/orders-value",
        422,
        code=42203,
        body='{"compatibility":"SIDEWAYS"}',
    ),
    Step("level missing", "PUT", "/config", 422, code=42203, body="{}"),
    Step(
        "set subject level",
        "PUT",
        "/config/orders-value",
        200,
        {"compatibility": "NONE"},
        body='{"compatibility":"NONE"}',
    ),
    Step("subject level", "GET", "/config/orders-value", 200, {"compatibilityLevel": "NONE"}),
    Step(
        "v3 under NONE",
        "POST",
        "/subjects/orders-value/versions",
        200,
        {"id": 3},
        body=body(ORDER_V3),
    ),
    Step(
        "delete subject level",
        "DELETE",
        "/config/orders-value",
        200,
        {"compatibilityLevel": "NONE"},
    ),
    Step(
        "set global level",
        "PUT",
        "/config",
        200,
        {"compatibility": "FULL_TRANSITIVE"},
        body='{"compatibility":"FULL_TRANSITIVE"}',
    ),
    Step("global level", "GET", "/config", 200, {"compatibilityLevel": "FULL_TRANSITIVE"}),
    Step("reset global level", "DELETE", "/config", 200, {"compatibilityLevel": "FULL_TRANSITIVE"}),
    Step("global level back to default", "GET", "/config", 200, {"compatibilityLevel": "BACKWARD"}),
    Step("mode", "GET", "/mode", 200, {"mode": "READWRITE"}),
    Step("register money", "POST", "/subjects/money/versions", 200, {"id": 4}, body=body(MONEY)),
    Step(
        "register with a reference",
        "POST",
        "/subjects/invoice/versions",
        200,
        {"id": 5},
        body=body(INVOICE, references=MONEY_REF),
    ),
    Step(
        "unresolved reference",
        "POST",
        "/subjects/invoice2/versions",
        422,
        code=42201,
        body=body(INVOICE),
    ),
    Step(
        "reference to a missing version",
        "POST",
        "/subjects/invoice2/versions",
        422,
        code=42201,
        body=body(INVOICE, references=[{**MONEY_REF[0], "version": 9}]),
    ),
    Step("referenced by", "GET", "/subjects/money/versions/1/referencedby", 200, [5]),
    Step(
        "schema by id with references",
        "GET",
        "/schemas/ids/5",
        200,
        {"references": MONEY_REF, "schema": INVOICE},
    ),
    Step("a referenced version cannot go", "DELETE", "/subjects/money/versions/1", 422, code=42206),
    Step(
        "permanent delete before soft",
        "DELETE",
        "/subjects/orders-value/versions/1?permanent=true",
        404,
        code=40407,
    ),
    Step("soft delete version 1", "DELETE", "/subjects/orders-value/versions/1", 200, 1),
    Step("soft delete it again", "DELETE", "/subjects/orders-value/versions/1", 404, code=40406),
    Step("versions without the deleted", "GET", "/subjects/orders-value/versions", 200, [2, 3]),
    Step(
        "versions with the deleted",
        "GET",
        "/subjects/orders-value/versions?deleted=true",
        200,
        [1, 2, 3],
    ),
    Step("deleted version hidden", "GET", "/subjects/orders-value/versions/1", 404, code=40402),
    Step(
        "deleted version shown",
        "GET",
        "/subjects/orders-value/versions/1?deleted=true",
        200,
        version("orders-value", 1, 1, ORDER_V1),
    ),
    Step(
        "id of a soft-deleted version still resolves",
        "GET",
        "/schemas/ids/1",
        200,
        {"schema": ORDER_V1},
    ),
    Step(
        "hard delete version 1",
        "DELETE",
        "/subjects/orders-value/versions/1?permanent=true",
        200,
        1,
    ),
    Step(
        "hard-deleted version gone",
        "GET",
        "/subjects/orders-value/versions/1?deleted=true",
        404,
        code=40402,
    ),
    Step(
        "permanent subject delete before soft",
        "DELETE",
        "/subjects/orders-value?permanent=true",
        404,
        code=40405,
    ),
    Step("soft delete subject", "DELETE", "/subjects/orders-value", 200, [2, 3]),
    Step("soft delete subject again", "DELETE", "/subjects/orders-value", 404, code=40404),
    Step(
        "subject gone from the list", "GET", "/subjects", 200, ["audit-value", "invoice", "money"]
    ),
    Step(
        "listed with deleted",
        "GET",
        "/subjects?deleted=true",
        200,
        ["audit-value", "invoice", "money", "orders-value"],
    ),
    Step(
        "soft-deleted subject's versions", "GET", "/subjects/orders-value/versions", 404, code=40401
    ),
    Step("hard delete subject", "DELETE", "/subjects/orders-value?permanent=true", 200, [2, 3]),
    Step(
        "gone even with deleted",
        "GET",
        "/subjects?deleted=true",
        200,
        ["audit-value", "invoice", "money"],
    ),
    Step("hard-deleted ids are gone", "GET", "/schemas/ids/3", 404, code=40403),
    Step("an id still used elsewhere stays", "GET", "/schemas/ids/1", 200, {"schema": ORDER_V1}),
    Step("delete an unknown subject", "DELETE", "/subjects/nope", 404, code=40401),
    Step(
        "re-register after a hard delete: a new id",
        "POST",
        "/subjects/orders-value/versions",
        200,
        {"id": 6},
        body=body(ORDER_V2),
    ),
    Step(
        "associations: 404 for the client's fallback",
        "GET",
        "/associations/resources/default/orders?resourceType=topic",
        404,
        code=404,
    ),
    Step("unknown route", "GET", "/nothing/here", 404, code=404),
    Step("wrong method", "PUT", "/subjects", 405, code=405, body="{}"),
]

REPLAYED_PATHS = [
    "/subjects",
    "/subjects?deleted=true",
    "/subjects/orders-value/versions",
    "/subjects/orders-value/versions/latest",
    "/subjects/audit-value/versions/1",
    "/schemas/ids/1",
    "/schemas/ids/3",
    "/schemas/ids/5",
    "/schemas/ids/6",
    "/config",
    "/config/orders-value",
    "/subjects/money/versions/1/referencedby",
    "/schemas/ids/1/versions",
]
"""GETs whose answers must not change when a registry restarts on the log STEPS left."""


def check(client: Any, steps: list[Step] = STEPS) -> list[str]:
    """Run ``steps`` through ``client`` (httpx.Client-like, base URL set); the failures."""
    failures = []
    for s in steps:
        headers = {"Content-Type": s.content_type}
        r = client.request(s.method, s.path, content=s.body, headers=headers)
        try:
            got = r.json()
        except ValueError:
            got = r.text
        if r.status_code != s.status:
            failures.append(
                f"{s.name}: {s.method} {s.path}: status {r.status_code}, want {s.status} ({got})"
            )
            continue
        if r.headers.get("content-type") != "application/vnd.schemaregistry.v1+json":
            failures.append(f"{s.name}: content-type {r.headers.get('content-type')!r}")
        if s.code:
            if (
                not isinstance(got, dict)
                or got.get("error_code") != s.code
                or not got.get("message")
            ):
                failures.append(f"{s.name}: want error_code {s.code} and a message, got {got}")
        elif got != s.want:
            failures.append(f"{s.name}: {s.method} {s.path}: got {got!r}, want {s.want!r}")
    return failures
