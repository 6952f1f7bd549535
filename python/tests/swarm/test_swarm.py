"""The swarm with real processes, both ways: a Go coordinator with Python workers and a
Python coordinator with Go workers (``PAIRS``).

What each test proves is asserted from the processes' own accounting (their JSON
event lines: the coordinator's ``assign`` holds and credits, the worker's
``running``) and from the flaky dependency's record of how each call ended. No
assertion is about time: a wait that does not end in :data:`timeouts.TIMEOUT` is a
failure, and what a deadline does is asserted as "the work stopped", never as a
status code (on the server an expired deadline may surface as CANCELLED or
DEADLINE_EXCEEDED).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from timeouts import TIMEOUT

from twinbook._proto.swarm.v1 import swarm_pb2

from .conftest import PAIRS, FlakyDependency
from .harness import Swarm, submit, wait_for

pytestmark = pytest.mark.parametrize(
    ("coord_lang", "worker_lang"), PAIRS, ids=["go-coord", "py-coord"]
)


def test_tasks_complete(swarm: Swarm, coord_lang: str, worker_lang: str) -> None:
    coord = swarm.coordinator(coord_lang)
    for name in ("a", "b"):
        swarm.worker(worker_lang, coord.address, name, credits=2, heartbeat_ms=200)
    coord.wait_event("hello", worker="a")
    coord.wait_event("hello", worker="b")
    stub = swarm.stub(coord)
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda n: submit(stub, "square", str(n).encode()), range(-3, 9)))
    assert [r.output for r in replies] == [str(n * n).encode() for n in range(-3, 9)]
    assert {r.worker_id for r in replies} <= {"a", "b"}
    assert all(r.attempts == 1 for r in replies)
    assert len({r.task_id for r in replies}) == 12
    hellos = coord.events("hello")
    assert {h["language"] for h in hellos} == {worker_lang}


def test_credits_are_respected(swarm: Swarm, coord_lang: str, worker_lang: str) -> None:
    """A worker that grants 2 credits never holds more than 2 tasks, though 8 wait."""
    coord = swarm.coordinator(coord_lang)
    worker = swarm.worker(worker_lang, coord.address, "w", credits=2, heartbeat_ms=200)
    coord.wait_event("credit", worker="w")
    stub = swarm.stub(coord)
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: submit(stub, "sleep", b"50"), range(8)))
    assert all(r.output == b"slept 50" for r in replies)
    assigns = coord.events("assign")
    assert len(assigns) == 8
    assert max(a["held"] for a in assigns) == 2  # the coordinator's accounting: the limit, used
    assert min(a["credits"] for a in assigns) == 0
    starts = worker.events("task_start")
    assert max(s["running"] for s in starts) == 2  # the worker's own count


# A one-second deadline as the next hop sees it: grpcio rounds the timeout header up when it
# encodes it (1009 ms has been seen), so "at most a second" means at most this.
ROUNDED_SECOND = 1.05


def test_a_deadline_reaches_the_worker_and_its_call(
    swarm: Swarm, flaky: FlakyDependency, coord_lang: str, worker_lang: str
) -> None:
    coord = swarm.coordinator(coord_lang)
    worker = swarm.worker(
        worker_lang, coord.address, "w", kinds="flaky", flaky=flaky.address, heartbeat_ms=200
    )
    coord.wait_event("credit", worker="w")
    stub = swarm.stub(coord)
    with pytest.raises(grpc.RpcError):  # its code is not the point: the work must stop
        submit(stub, "flaky", b"600000", task_id="late", timeout=1.0)
    call = flaky.servicer.wait_for("late", TIMEOUT)
    assert call is not None, "the worker never called its dependency"
    # the deadline travelled on (gRPC's timeout header is rounded up when it is encoded, so a
    # few milliseconds over the caller's second is the same deadline; no deadline is ~9e15 s)
    assert call.deadline_s is not None and call.deadline_s <= ROUNDED_SECOND
    assert call.stopped  # and stopped the call, long before its 600 s
    start = worker.wait_event("task_start", task="late")
    assert 0 < start["budget_ms"] <= ROUNDED_SECOND * 1000  # the same rounding, one hop earlier
    assert worker.wait_event("task_end", task="late")["stopped"]


def test_a_cancelled_submit_stops_the_work(
    swarm: Swarm, flaky: FlakyDependency, coord_lang: str, worker_lang: str
) -> None:
    coord = swarm.coordinator(coord_lang)
    worker = swarm.worker(
        worker_lang, coord.address, "w", kinds="flaky", flaky=flaky.address, heartbeat_ms=200
    )
    coord.wait_event("credit", worker="w")
    stub = swarm.stub(coord)
    future = stub.Submit.future(
        swarm_pb2.SubmitRequest(task_id="gone", kind="flaky", input=b"600000")
    )
    worker.wait_event("task_start", task="gone")
    wait_for(lambda: flaky.servicer.served > 0, "the worker's call to reach its dependency")
    future.cancel()
    coord.wait_event("cancel", task="gone", worker="w")
    assert worker.wait_event("task_end", task="gone")["stopped"]
    call = flaky.servicer.wait_for("gone", TIMEOUT)
    assert (
        call is not None and call.stopped and call.deadline_s is None
    )  # cancellation, not a deadline


def test_bad_requests_get_named_errors(swarm: Swarm, coord_lang: str, worker_lang: str) -> None:
    coord = swarm.coordinator(coord_lang)
    swarm.worker(worker_lang, coord.address, "w", heartbeat_ms=200)
    coord.wait_event("credit", worker="w")
    stub = swarm.stub(coord)
    cases = [
        ("nope", b"1", grpc.StatusCode.FAILED_PRECONDITION, "nope"),
        ("", b"1", grpc.StatusCode.INVALID_ARGUMENT, "kind is empty"),
        ("square", b"x", grpc.StatusCode.INVALID_ARGUMENT, "not a 32-bit decimal integer"),
        (
            "square",
            b"99999999999",
            grpc.StatusCode.INVALID_ARGUMENT,
            "not a 32-bit decimal integer",
        ),
        ("sleep", b"-5", grpc.StatusCode.INVALID_ARGUMENT, "not milliseconds"),
    ]
    for kind, data, code, words in cases:
        with pytest.raises(grpc.RpcError) as caught:
            submit(stub, kind, data)
        assert caught.value.code() is code, (kind, data)  # type: ignore[attr-defined]
        assert words in caught.value.details(), (kind, data)  # type: ignore[attr-defined]
    with pytest.raises(grpc.RpcError) as caught:
        submit(stub, "square", b"1", task_id="x" * 129)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]


def test_a_dependency_outage_is_contained_by_the_workers_breaker(
    swarm: Swarm, flaky: FlakyDependency, coord_lang: str, worker_lang: str
) -> None:
    """The dependency fails every call: the worker's own breaker (a window of 4) opens after
    4 failures, and the tasks after them fail fast, UNAVAILABLE, without reaching it."""
    coord = swarm.coordinator(coord_lang)
    swarm.worker(
        worker_lang,
        coord.address,
        "w",
        kinds="flaky",
        flaky=flaky.address,
        credits=1,
        heartbeat_ms=200,
    )
    coord.wait_event("credit", worker="w")
    flaky.servicer.mode = grpc.StatusCode.UNAVAILABLE
    stub = swarm.stub(coord)
    for n in range(10):
        with pytest.raises(grpc.RpcError) as caught:
            submit(stub, "flaky", b"", task_id=f"f{n}")
        assert caught.value.code() is grpc.StatusCode.UNAVAILABLE  # type: ignore[attr-defined]
    assert flaky.servicer.served == 4  # the breaker's window; the other 6 never left the worker
    assert "open" in caught.value.details().lower()  # type: ignore[attr-defined]
