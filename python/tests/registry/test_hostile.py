"""Bad input gets a named error and never a hang; incompatibility names its rule; a
subject with an encoded ``/`` is one subject. Against both registries: Python's (the ASGI
app in process) and Go's (the program, on an embedded broker of the module's own). The Go twin is
``go/registry/hostile_test.go``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Producer
from starlette.testclient import TestClient

from twinbook import kafka
from twinbook.registry import AvroChecker, MemoryStore, Service, create_app, start, wire
from twinbook.registry.server import go_program
from twinbook.schema.parse import MAX_DEPTH

from .conftest import unique
from .routes import ORDER_V1, ORDER_V2, ORDER_V3, body

#: Every request's deadline: a registry that hangs fails the test instead of stalling it.
DEADLINE = 10.0


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    """An embedded broker of the module's own: what is tested here is the HTTP layer and
    the programs' errors, so one run (not one per broker of the session) is enough."""
    with kafka.start() as running:
        yield running.addr


@pytest.fixture(scope="module", params=["python", "go"])
def client(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A client of a fresh registry of each implementation."""
    if request.param == "python":
        app = create_app(Service.open(MemoryStore(), AvroChecker()))
        with TestClient(app, raise_server_exceptions=False) as c:
            yield c
        return
    running = start(
        request.getfixturevalue("broker"), topic=unique("_schemas"), implementation="go"
    )
    try:
        with httpx.Client(base_url=running.url, timeout=DEADLINE) as c:
            yield c
    finally:
        running.stop()


def deep(n: int) -> str:
    """Arrays nested ``n`` deep: valid JSON that a parser without a limit recurses into."""
    return '{"type":"array","items":' * n + '"int"' + "}" * n


def ask(
    client: httpx.Client, method: str, path: str, content: str | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
    r = client.request(method, path, content=content, headers=headers)
    return r.status_code, r.json()


HUGE = '{"schema": "' + " " * (8 << 20) + '\\"int\\""}'

BAD = [
    ("invalid schema", "POST", "/subjects/{s}/versions", body('"strng"'), 422, 42201, "strng"),
    ("not JSON", "POST", "/subjects/{s}/versions", '{"schema": ', 400, 400, "Malformed JSON"),
    ("schema not a string", "POST", "/subjects/{s}/versions", '{"schema": 5}', 422, 422, "schema"),
    ("a list for a body", "POST", "/subjects/{s}/versions", "[1, 2]", 422, 422, "Unrecognized"),
    ("no schema", "POST", "/subjects/{s}/versions", "{}", 422, 42201, "empty"),
    ("unknown subject", "GET", "/subjects/nope-{s}/versions", None, 404, 40401, "nope"),
    ("unknown version", "GET", "/subjects/{s}-orders/versions/99", None, 404, 40402, "99"),
    ("version not a number", "GET", "/subjects/{s}-orders/versions/x", None, 422, 42202, "x"),
    ("unknown id", "GET", "/schemas/ids/987654", None, 404, 40403, "987654"),
    ("huge body", "POST", "/subjects/{s}/versions", HUGE, 413, 413, "larger than"),
    ("10k deep", "POST", "/subjects/{s}/versions", body(deep(10_000)), 422, 42201, "nested deeper"),
    (
        "10k deep, checked",
        "POST",
        "/compatibility/subjects/{s}-orders/versions/latest",
        body(deep(10_000)),
        422,
        42201,
        "nested deeper",
    ),
    (
        "past MAX_DEPTH",
        "POST",
        "/subjects/{s}/versions",
        body(deep(MAX_DEPTH + 1)),
        422,
        42201,
        "nested deeper",
    ),
]


@pytest.fixture(scope="module")
def subject(client: httpx.Client) -> str:
    """A subject prefix of this module; ``{prefix}-orders`` has ORDER_V1 and ORDER_V2."""
    prefix = unique("hostile")
    for schema in (ORDER_V1, ORDER_V2):
        assert ask(client, "POST", f"/subjects/{prefix}-orders/versions", body(schema))[0] == 200
    return prefix


@pytest.mark.parametrize(
    ("method", "path", "content", "status", "code", "says"),
    [b[1:] for b in BAD],
    ids=[b[0] for b in BAD],
)
def test_bad_input_is_a_named_error(  # noqa: PLR0913
    client: httpx.Client,
    subject: str,
    method: str,
    path: str,
    content: str | None,
    status: int,
    code: int,
    says: str,
) -> None:
    got_status, got = ask(client, method, path.format(s=subject), content)
    assert (got_status, got.get("error_code")) == (status, code), got
    assert says in got["message"], got


RULE = "Order.note: reader field 'note' has no default and the writer has no such field"


def test_incompatibility_names_the_rule(client: httpx.Client, subject: str) -> None:
    path = f"/compatibility/subjects/{subject}-orders/versions/latest?verbose=true"
    assert ask(client, "POST", path, body(ORDER_V3)) == (
        200,
        {
            "is_compatible": False,
            "messages": [
                f"version 2 (BACKWARD): the new schema cannot read data written with it: {RULE}"
            ],
        },
    )
    status, got = ask(client, "POST", f"/subjects/{subject}-orders/versions", body(ORDER_V3))
    assert (status, got["error_code"]) == (409, 409)
    assert "version 2 (BACKWARD)" in got["message"] and RULE in got["message"], got


def test_a_subject_with_an_encoded_slash(client: httpx.Client, subject: str) -> None:
    name = f"team/{subject}"
    raw = name.replace("/", "%2F")
    version = {"subject": name, "version": 1, "id": 1, "schema": ORDER_V1}
    status, got = ask(client, "POST", f"/subjects/{raw}/versions", body(ORDER_V1))
    assert status == 200, got
    version["id"] = got["id"]
    assert name in ask(client, "GET", "/subjects")[1]
    assert ask(client, "GET", f"/subjects/{raw}/versions/1") == (200, version)
    assert ask(client, "POST", f"/subjects/{raw}", body(ORDER_V1)) == (200, version)
    path = f"/compatibility/subjects/{raw}/versions/latest"
    assert ask(client, "POST", path, body(ORDER_V2)) == (200, {"is_compatible": True})
    config = json.dumps({"compatibility": "NONE"})
    assert ask(client, "PUT", f"/config/{raw}", config) == (200, {"compatibility": "NONE"})
    assert ask(client, "GET", f"/config/{raw}") == (200, {"compatibilityLevel": "NONE"})
    assert ask(client, "DELETE", f"/subjects/{raw}") == (200, [1])


def dead_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.parametrize("command", ["produce", "consume"])
def test_the_avro_program_names_what_is_not_there(
    broker: str, command: str, tmp_path: Path
) -> None:
    """go/cmd/twinbook-avro: a broker, then a registry, that is not there is status 5
    naming it, well within its --timeout (not a bare deadline, not "refused")."""
    nowhere = f"127.0.0.1:{dead_port()}"
    schema = tmp_path / "order.avsc"
    schema.write_text(ORDER_V1)
    topic = unique("avro")
    producer = Producer({"bootstrap.servers": broker, "enable.metrics.push": False})
    producer.produce(topic, wire.encode(1, b"\x02a"), partition=0)  # consume has a record
    assert producer.flush(DEADLINE) == 0
    common = ["--topic", topic, "--timeout", "20s"]
    extra = ["--schema", str(schema)] if command == "produce" else ["--count", "1"]
    for kafka_addr, registry_url, missing in [
        (nowhere, f"http://{nowhere}", "kafka unavailable"),
        (broker, f"http://{nowhere}", "registry unavailable"),
    ]:
        began = time.monotonic()
        done = subprocess.run(
            [
                go_program("twinbook-avro"),
                command,
                "--kafka",
                kafka_addr,
                "--registry",
                registry_url,
            ]
            + common
            + extra,
            input='{"id": "x"}\n',
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert (done.returncode, missing in done.stderr) == (5, True), done.stderr
        assert time.monotonic() - began < 15, "waited for the whole --timeout"
