"""The middleware's behaviour beyond the vectors: bad input named, 50 requests at once,
Starlette in front, configuration refused, the vector runner refusing malformed cases."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from twinbook.idempotency import (
    REPLAYED_HEADER,
    Config,
    ConfigError,
    IdempotencyMiddleware,
    MalformedKeyError,
    MemoryRecords,
    RecordsError,
    StoreRecords,
    check_key,
)
from twinbook.store import connect

from .vectors import Malformed, run_case

WAIT = 10.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ttl_ms": 0}, "ttl_ms"),
        ({"ttl_ms": -1}, "ttl_ms"),
        ({"ttl_ms": 1.5}, "ttl_ms"),
        ({"lease_ms": 0}, "lease_ms"),
        ({"lease_ms": True}, "lease_ms"),
        ({"required": "yes"}, "required"),
    ],
)
def test_a_bad_config_is_refused_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        Config(**kwargs)


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        (b"", "empty"),
        (b"k" * 256, "256 bytes"),
        ("clé".encode(), "0xC3"),
        (b"k\x01", "0x01"),
        (b"k\x7f", "0x7F"),
        (b"k\t", "0x09"),
    ],
)
def test_a_malformed_key_is_named(raw: bytes, fault: str) -> None:
    with pytest.raises(MalformedKeyError, match=fault):
        check_key(raw)


def test_a_well_formed_key_is_returned() -> None:
    assert check_key(b"k" * 255) == "k" * 255
    assert check_key(b"a b ~!") == "a b ~!"


class Counting:
    """An ASGI app that counts its calls and answers 201 with the body it got, after
    ``gate`` opens when there is one."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.calls = 0
        self.gate = gate

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        message = await receive()
        if self.gate is not None:
            await asyncio.wait_for(self.gate.wait(), WAIT)
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"created " + message["body"]})


def test_bad_input_gets_400_or_422_naming_the_fault(new_records, arun) -> None:
    async def main() -> None:
        app = Counting()
        mw = IdempotencyMiddleware(app, Config(required=True), new_records())
        transport = httpx.ASGITransport(app=mw)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            async def post(key: bytes | None, body: bytes = b"{}") -> httpx.Response:
                headers = [] if key is None else [(b"Idempotency-Key", key)]
                return await client.post("/orders", content=body, headers=headers)

            for key, says in [
                (None, "missing Idempotency-Key"),
                (b"", "empty"),
                (b"x" * 256, "256 bytes"),
                (b"a\x02", "0x02"),
            ]:
                answer = await post(key)
                assert (answer.status_code, says in answer.text) == (400, True), answer.text
            assert (await post(b"k1", b'{"qty":1}')).status_code == 201
            answer = await post(b"k1", b'{"qty":2}')
            assert answer.status_code == 422 and "another request body" in answer.text
            two = await client.post(
                "/orders",
                content=b"{}",
                headers=[(b"Idempotency-Key", b"a"), (b"Idempotency-Key", b"b")],
            )
            assert two.status_code == 400 and "2 Idempotency-Key headers" in two.text
        assert app.calls == 1

    arun(main())


@pytest.mark.parametrize("handler_waits", [False, True], ids=["racing", "handler_waits"])
def test_fifty_identical_requests_at_once_run_the_handler_once(
    new_records, arun, handler_waits: bool
) -> None:
    """50 identical requests at once: the app runs once; the 49 others get 409 or the
    replay. With ``handler_waits`` the app waits until the 49 others have been answered,
    which proves they overlapped it (each then gets 409)."""
    n = 50

    async def main() -> None:
        gate = asyncio.Event() if handler_waits else None
        app = Counting(gate)
        mw = IdempotencyMiddleware(app, Config(required=True), new_records())
        answered = 0

        async def counting_app(scope: Any, receive: Any, send: Any) -> None:
            nonlocal answered
            await mw(scope, receive, send)
            answered += 1
            if gate is not None and answered == n - 1:
                gate.set()

        transport = httpx.ASGITransport(app=counting_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        "/orders", content=b'{"qty":1}', headers={"Idempotency-Key": "same"}
                    )
                    for _ in range(n)
                )
            )
        assert app.calls == 1
        first = [a for a in answers if a.status_code == 201 and REPLAYED_HEADER not in a.headers]
        replays = [
            a for a in answers if a.status_code == 201 and a.headers.get(REPLAYED_HEADER) == "true"
        ]
        conflicts = [a for a in answers if a.status_code == 409]
        assert len(first) == 1 and first[0].text == 'created {"qty":1}'
        assert all(a.text == 'created {"qty":1}' for a in replays)
        assert len(replays) + len(conflicts) == n - 1
        if handler_waits:
            assert len(conflicts) == n - 1

    arun(main())


def test_fifty_requests_from_fifty_threads_run_the_handler_once(new_records) -> None:
    """The same records under 50 threads, each with an event loop of its own (as 50 worker
    processes' threads would be): one handler run across them all."""
    records = new_records()
    app = Counting()
    mw = IdempotencyMiddleware(app, Config(required=True), records)
    barrier = threading.Barrier(50, timeout=WAIT)
    statuses: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        async def main() -> int:
            transport = httpx.ASGITransport(app=mw)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                barrier.wait()
                answer = await client.post("/o", content=b"x", headers={"Idempotency-Key": "k"})
                return answer.status_code

        status = asyncio.run(main())
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT * 2)
    assert len(statuses) == 50 and app.calls == 1
    assert set(statuses) <= {201, 409} and 201 in statuses


def test_starlette_app_behind_the_middleware(arun) -> None:
    """A Starlette app: the JSON answer is replayed with its content type; an exception
    in a route is the spec's 500 and releases the key."""
    calls = {"ok": 0, "boom": 0}

    async def create(request: Request) -> JSONResponse:
        calls["ok"] += 1
        return JSONResponse({"id": calls["ok"], "got": await request.json()}, status_code=201)

    async def boom(request: Request) -> PlainTextResponse:
        calls["boom"] += 1
        if calls["boom"] == 1:
            raise RuntimeError("the database fell over")
        return PlainTextResponse("fine")

    app = Starlette(
        routes=[Route("/orders", create, methods=["POST"]), Route("/boom", boom, methods=["POST"])]
    )
    mw = IdempotencyMiddleware(app, Config(), MemoryRecords())

    async def main() -> None:
        transport = httpx.ASGITransport(app=mw)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            key = {"Idempotency-Key": "k"}
            first = await client.post("/orders", json={"qty": 1}, headers=key)
            again = await client.post("/orders", json={"qty": 1}, headers=key)
            assert first.status_code == again.status_code == 201
            assert again.json() == first.json() == {"id": 1, "got": {"qty": 1}}
            assert again.headers["content-type"] == "application/json"
            assert again.headers[REPLAYED_HEADER] == "true" and REPLAYED_HEADER not in first.headers
            assert (await client.post("/boom", headers=key)).status_code == 500
            retry = await client.post("/boom", headers=key)
            assert (retry.status_code, retry.text, calls["boom"]) == (200, "fine", 2)

    arun(main())


def test_a_store_that_fails_is_a_503_and_the_handler_is_not_called(tmp_path, arun) -> None:
    store = connect(f"sqlite:{tmp_path / 'gone.db'}")
    records = StoreRecords(store)
    store.close()
    app = Counting()
    mw = IdempotencyMiddleware(app, Config(), records)

    async def main() -> None:
        with pytest.raises(RecordsError):
            await records.begin(*_scope(), 0, 1, 1)
        transport = httpx.ASGITransport(app=mw)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await client.post("/o", content=b"x", headers={"Idempotency-Key": "k"})
        assert answer.status_code == 503 and "records unavailable" in answer.text

    arun(main())
    assert app.calls == 0


def _scope() -> tuple[Any, str]:
    from twinbook.idempotency import Scope

    return Scope("POST", "/o", "k"), "fp"


# -- the runner refuses malformed cases -----------------------------------------------------

BASE = {
    "name": "x",
    "config": {"required": False, "ttl_ms": 1000, "lease_ms": 1000},
    "steps": [
        {
            "at_ms": 0,
            "request": {"id": "r1", "key": "k", "method": "POST", "path": "/o", "body": ""},
            "handler": {"status": 201, "body": "x"},
            "hold": True,
        },
        {
            "at_ms": 1,
            "finish": "r1",
            "expect": {"status": 201, "replayed": False, "handler_called": True},
        },
    ],
}


def _hold_refused(case: dict[str, Any]) -> None:
    case["steps"][0]["request"]["key"] = ""


def _finish_unknown(case: dict[str, Any]) -> None:
    case["steps"][1]["finish"] = "r9"


def _id_twice(case: dict[str, Any]) -> None:
    step = copy.deepcopy(case["steps"][0])
    case["steps"].insert(1, step)


def _hold_with_expect(case: dict[str, Any]) -> None:
    case["steps"][0]["expect"] = {"status": 201, "replayed": False, "handler_called": True}


def _unknown_key(case: dict[str, Any]) -> None:
    case["extra"] = 1


@pytest.mark.parametrize(
    ("mutate", "says"),
    [
        (_hold_refused, "hold on a request that does not reach its handler"),
        (_finish_unknown, "finish names no held request"),
        (_id_twice, "used twice"),
        (_hold_with_expect, "expect unless it holds"),
        (_unknown_key, "a case has exactly"),
    ],
)
def test_the_vector_runner_fails_malformed_cases(mutate, says: str, arun) -> None:
    case = json.loads(json.dumps(BASE))
    arun(run_case(case, MemoryRecords()))  # the base case runs clean
    mutate(case)
    with pytest.raises(Malformed, match=says):
        arun(run_case(case, MemoryRecords()))


def test_expired_records_are_dropped(arun, tmp_path) -> None:
    """MemoryRecords sweeps expired answers as ``begin`` is called; StoreRecords.purge
    deletes them; both keep the marks."""
    from twinbook.idempotency import Response, Scope

    async def complete(records: Any, key: str, at: int) -> None:
        scope = Scope("POST", "/", key)
        decision = await records.begin(scope, "fp", at, 1000, 3_600_000)
        assert await records.complete(scope, decision.token, Response(200, b""), at)

    async def main() -> None:
        memory = MemoryRecords()
        for i in range(1023):
            await complete(memory, f"old-{i}", 0)
        await memory.begin(Scope("POST", "/", "mark"), "fp", 0, 1000, 3_600_000)
        await complete(memory, "new", 1000)  # the 1024th begin swept at 0: nothing expired
        assert len(memory) == 1025
        for i in range(1024):  # the 2048th sweeps at 1000: the old ones go, the mark stays
            await complete(memory, f"newer-{i}", 1000)
        assert len(memory) == 1 + 1 + 1024

        store = connect(f"sqlite:{tmp_path / 'purge.db'}")
        try:
            records = StoreRecords(store)
            await complete(records, "a", 0)
            await complete(records, "b", 1)
            await records.begin(Scope("POST", "/", "mark"), "fp", 0, 1000, 3_600_000)
            assert await records.purge(1000, 1000) == 1  # a only: b is 1 ms younger
            replay = await records.begin(Scope("POST", "/", "b"), "fp", 1000, 1000, 3_600_000)
            assert replay.verdict == "replay"
        finally:
            store.close()

    arun(main())


def test_store_records_are_shared_through_the_database(store_url: str, arun) -> None:
    """Two stores on one database (two replicas of a service) see each other's marks and
    answers; only the owner's token stores or releases; the table is made once."""
    from twinbook.idempotency import Response, Scope, Verdict

    first, second = connect(store_url), connect(store_url)
    try:
        a, b = StoreRecords(first), StoreRecords(second)
        scope = Scope("POST", "/orders", "k")

        async def main() -> None:
            mark = await a.begin(scope, "fp", 1000, 3_600_000, 60_000)
            assert mark.verdict is Verdict.ACQUIRED
            assert (await b.begin(scope, "fp", 1000, 3_600_000, 60_000)).verdict is Verdict.CONFLICT
            assert not await b.complete(scope, "not-the-token", Response(200, b""), 1000)
            assert not await b.release(scope, "not-the-token")
            made = Response(201, b"made", "text/plain")
            assert await a.complete(scope, mark.token, made, 1000)
            replay = await b.begin(scope, "fp", 2000, 3_600_000, 60_000)
            assert (replay.verdict, replay.response) == (Verdict.REPLAY, made)
            assert (
                await b.begin(scope, "other", 2000, 3_600_000, 60_000)
            ).verdict is Verdict.MISMATCH
            assert not await a.release(scope, mark.token)  # completed: nothing to release

        arun(main())
    finally:
        first.close()
        second.close()
