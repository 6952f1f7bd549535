"""Running one idempotency_key vector case through the ASGI middleware and httpx.

The format is book/appendix/spec-idempotency.md, "Conformance vectors". Requests go through
:class:`httpx.ASGITransport` to :class:`IdempotencyMiddleware` in front of a small ASGI app
(:class:`Harness`) that does what each step's ``handler`` says, found by the request id in a
header; a held request's app waits on an event that its finish step sets. Time is a
:class:`ManualClock` set to each step's ``at_ms``. A case this runner cannot run is
:class:`Malformed`; an answer that differs is an :class:`AssertionError`. Every wait is
bounded by :data:`WAIT`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from twinbook.clock import ManualClock
from twinbook.idempotency import REPLAYED_HEADER, Config, IdempotencyMiddleware, Records

WAIT = 10.0
ID_HEADER = "x-vector-request"
CASE_KEYS = {"name", "config", "steps"}
CONFIG_KEYS = {"required", "ttl_ms", "lease_ms"}
REQUEST_STEP_KEYS = {"at_ms", "request", "handler", "hold", "expect"}
FINISH_STEP_KEYS = {"at_ms", "finish", "expect"}
REQUEST_KEYS = {"id", "key", "method", "path", "body"}
EXPECT_KEYS = {"status", "body", "replayed", "handler_called"}


class Malformed(Exception):
    """A case the runner refuses to run, and fails."""


@dataclass
class Plan:
    """What the harness does for one request id, and whether it was called."""

    handler: Mapping[str, Any]
    hold: bool
    called: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


class Harness:
    """The ASGI app behind the middleware: answers or fails as each request's plan says."""

    def __init__(self) -> None:
        self.plans: dict[str, Plan] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope["headers"])
        plan = self.plans[headers[ID_HEADER.encode()].decode()]
        plan.called.set()
        if plan.hold:
            await asyncio.wait_for(plan.release.wait(), WAIT)
        if plan.handler.get("fail"):
            raise RuntimeError("the vector's handler fails")
        await send({"type": "http.response.start", "status": plan.handler["status"], "headers": []})
        await send({"type": "http.response.body", "body": plan.handler["body"].encode()})


def _check_handler(where: str, handler: Any) -> None:
    if handler == {"fail": True}:
        return
    if (
        not isinstance(handler, dict)
        or set(handler) != {"status", "body"}
        or type(handler["status"]) is not int
        or not isinstance(handler["body"], str)
    ):
        raise Malformed(f"{where}: handler must be {{status, body}} or {{fail: true}}")


def _compare(where: str, expect: Any, response: httpx.Response, plan: Plan) -> None:
    if (
        not isinstance(expect, dict)
        or not {"status", "replayed", "handler_called"} <= set(expect) <= EXPECT_KEYS
    ):
        raise Malformed(f"{where}: expect needs status, replayed, handler_called (and maybe body)")
    got = {
        "status": response.status_code,
        "replayed": response.headers.get(REPLAYED_HEADER) == "true",
        "handler_called": plan.called.is_set(),
        "body": response.content.decode("utf-8", "replace"),
    }
    diffs = [
        f"{key} {got[key]!r}, want {expect[key]!r}"
        for key in ("status", "replayed", "handler_called", "body")
        if key in expect and got[key] != expect[key]
    ]
    assert not diffs, f"{where}: " + "; ".join(diffs) + f" (body {got['body']!r})"


async def run_case(case: Mapping[str, Any], records: Records) -> None:
    """Replay one case on ``records`` (fresh, empty)."""
    if set(case) != CASE_KEYS:
        raise Malformed(f"a case has exactly {sorted(CASE_KEYS)}, not {sorted(case)}")
    config = case["config"]
    if not isinstance(config, dict) or set(config) != CONFIG_KEYS:
        raise Malformed(f"config has exactly {sorted(CONFIG_KEYS)}")
    steps = case["steps"]
    if not isinstance(steps, list) or not steps:
        raise Malformed("steps must be a non-empty list")
    clock = ManualClock()
    harness = Harness()
    app = IdempotencyMiddleware(harness, Config(**config), records, clock)
    held: dict[str, tuple[Plan, asyncio.Task[httpx.Response]]] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://vectors") as client:
        try:
            for index, step in enumerate(steps):
                await _step(f"step {index + 1}", step, client, clock, harness, held)
        finally:
            for plan, task in held.values():  # let held handlers end: no task outlives the case
                plan.release.set()
                await asyncio.wait({task}, timeout=WAIT)
                if not task.done():
                    task.cancel()


async def _step(
    where: str,
    step: Any,
    client: httpx.AsyncClient,
    clock: ManualClock,
    harness: Harness,
    held: dict[str, tuple[Plan, asyncio.Task[httpx.Response]]],
) -> None:
    if not isinstance(step, dict) or type(step.get("at_ms")) is not int:
        raise Malformed(f"{where}: a step needs an integer at_ms")
    clock.set(step["at_ms"] / 1000)
    if "finish" in step:
        if set(step) != FINISH_STEP_KEYS:
            raise Malformed(f"{where}: a finish step has exactly {sorted(FINISH_STEP_KEYS)}")
        if step["finish"] not in held:
            raise Malformed(f"{where}: finish names no held request: {step['finish']!r}")
        plan, task = held.pop(step["finish"])
        plan.release.set()
        done, _ = await asyncio.wait({task}, timeout=WAIT)
        if not done:
            raise AssertionError(
                f"{where}: request {step['finish']} did not answer after its finish"
            )
        _compare(where, step["expect"], task.result(), plan)
        return
    if not {"at_ms", "request", "handler"} <= set(step) <= REQUEST_STEP_KEYS:
        raise Malformed(f"{where}: unknown or missing keys in {sorted(step)}")
    request, handler = step["request"], step["handler"]
    if not isinstance(request, dict) or set(request) != REQUEST_KEYS:
        raise Malformed(f"{where}: request has exactly {sorted(REQUEST_KEYS)}")
    _check_handler(where, handler)
    hold = step.get("hold", False)
    if hold not in (True, False) or hold == ("expect" in step) or ("hold" in step and not hold):
        raise Malformed(f"{where}: a step has expect unless it holds, and hold is true")
    if request["id"] in harness.plans:
        raise Malformed(f"{where}: request id {request['id']!r} used twice")
    plan = Plan(handler, hold)
    harness.plans[request["id"]] = plan
    headers = [(ID_HEADER.encode(), request["id"].encode())]
    if request["key"] is not None:
        headers.append((b"Idempotency-Key", request["key"].encode("utf-8")))
    task = asyncio.create_task(
        client.request(
            request["method"], request["path"], content=request["body"].encode(), headers=headers
        )
    )
    if hold:
        called = asyncio.create_task(plan.called.wait())
        done, _ = await asyncio.wait(
            {task, called}, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED
        )
        if called in done:
            held[request["id"]] = (plan, task)
            return
        called.cancel()
        if task in done:
            raise Malformed(
                f"{where}: hold on a request that does not reach its handler "
                f"(answered {task.result().status_code})"
            )
        task.cancel()
        raise AssertionError(
            f"{where}: held request {request['id']} neither reached its handler nor answered"
        )
    done, _ = await asyncio.wait({task}, timeout=WAIT)
    if not done:
        task.cancel()
        raise AssertionError(f"{where}: request {request['id']} did not answer within {WAIT}s")
    _compare(where, step["expect"], task.result(), plan)
