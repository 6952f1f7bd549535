"""The Python coordinator's rules, message by message, on a raw Work stream in this process.

The test is the worker: it sends exactly the messages it means to, so credits and
duplicates are checked by construction from the coordinator's own event log, with
no timing involved (the Go twin is go/swarm/coordinator_test.go).
"""

from __future__ import annotations

import io
import json
import queue
import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from timeouts import TIMEOUT

from twinbook._proto.swarm.v1 import swarm_pb2, swarm_pb2_grpc
from twinbook.swarm import Coordinator, CoordinatorConfig, EventLog
from twinbook.swarm.server import new_server


class Raw:
    """A coordinator in this process, and the test's own end of one Work stream."""

    def __init__(self, max_finished: int = 100_000) -> None:
        self.log = io.StringIO()
        config = CoordinatorConfig(lease_ms=3_600_000, max_finished=max_finished)
        self.coordinator = Coordinator(config, EventLog(self.log))
        self.server, self._executor = new_server(
            lambda s: swarm_pb2_grpc.add_CoordinatorServicer_to_server(self.coordinator, s),  # type: ignore[no-untyped-call]
            "swarm.v1.Coordinator",
            max_workers=16,
        )
        address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"
        self.server.start()
        self.channel = grpc.insecure_channel(address)
        self.stub = swarm_pb2_grpc.CoordinatorStub(self.channel)  # type: ignore[no-untyped-call]
        self.out: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.stream: Any = self.stub.Work(self._messages())

    def _messages(self) -> Iterator[Any]:
        while (m := self.out.get()) is not None:
            yield m

    def send(self, **kind: Any) -> None:
        self.out.put(swarm_pb2.WorkerMessage(**kind))

    def events(self, event: str) -> list[dict[str, Any]]:
        lines = self.log.getvalue().splitlines()
        return [r for r in map(json.loads, lines) if r["event"] == event]

    def wait_event(self, event: str, **fields: Any) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for r in self.events(event):
                if all(r.get(k) == v for k, v in fields.items()):
                    return r
            time.sleep(0.005)
        raise AssertionError(f"no {event} {fields}:\n{self.log.getvalue()}")

    def submit(self, task_id: str) -> Any:
        request = swarm_pb2.SubmitRequest(task_id=task_id, kind="square", input=b"2")
        return self.stub.Submit.future(request, timeout=TIMEOUT)

    def close(self) -> None:
        self.out.put(None)
        self.stream.cancel()
        self.channel.close()
        self.coordinator.close()
        self.server.stop(grace=None).wait()
        self._executor.shutdown(wait=True)


@pytest.fixture
def raw() -> Iterator[Raw]:
    r = Raw()
    yield r
    r.close()


def hello(worker_id: str, *kinds: str) -> Any:
    return swarm_pb2.Hello(worker_id=worker_id, kinds=kinds, language="test")


def output(task_id: str) -> Any:
    return swarm_pb2.Result(task_id=task_id, output=b"4")


def test_no_more_tasks_than_credits_and_duplicates_by_id(raw: Raw) -> None:
    """c's "submit" is logged in the same critical section as the dispatch that would hand
    it out; the results for a and b are handled in later ones. So once their "result"
    events are logged, an over-credit assign of c would be logged too."""
    raw.send(hello=hello("raw", "square"))
    raw.send(credit=swarm_pb2.Credit(tasks=2))
    raw.wait_event("credit", worker="raw")
    first = [raw.submit("a"), raw.submit("b")]
    got = {next(raw.stream).task.task_id for _ in range(2)}
    assert got == {"a", "b"}
    third = raw.submit("c")
    raw.wait_event("submit", task="c")
    raw.send(result=output("a"))
    raw.send(result=output("b"))
    assert [f.result().output for f in first] == [b"4", b"4"]
    raw.wait_event("result", task="b")
    assert not [a for a in raw.events("assign") if a["task"] == "c"], (
        "c was handed out with no credit left"
    )
    raw.send(credit=swarm_pb2.Credit(tasks=1))
    assert next(raw.stream).task.task_id == "c"
    assign = raw.wait_event("assign", task="c")
    assert (assign["credits"], assign["held"]) == (0, 1)
    raw.send(result=output("c"))
    raw.send(result=output("c"))  # a second result for c: a duplicate
    assert third.result().worker_id == "raw"
    raw.wait_event("duplicate", task="c", duplicates=1)
    assert raw.coordinator.duplicates == 1


@pytest.mark.parametrize(
    ("messages", "words"),
    [
        ([{"credit": swarm_pb2.Credit(tasks=1)}], "first message must be a Hello"),
        ([{"hello": hello("")}], "worker_id is empty"),
        (
            [{"hello": hello("w", "square")}, {"credit": swarm_pb2.Credit(tasks=0)}],
            "credit.tasks must be > 0",
        ),
        (
            [{"hello": hello("w", "square")}, {"credit": swarm_pb2.Credit(tasks=-3)}],
            "credit.tasks must be > 0",
        ),
        ([{"hello": hello("w", "square")}, {"hello": hello("w")}], "second Hello"),
        ([{"hello": hello("w", "square")}, {}], "empty WorkerMessage"),
    ],
    ids=[
        "credit-before-hello",
        "empty-id",
        "zero-credit",
        "negative-credit",
        "second-hello",
        "empty",
    ],
)
def test_malformed_sessions_end_with_invalid_argument(
    raw: Raw, messages: list[dict[str, Any]], words: str
) -> None:
    for m in messages:
        raw.send(**m)
    with pytest.raises(grpc.RpcError) as caught:
        next(raw.stream)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert words in caught.value.details()  # type: ignore[attr-defined]


def test_the_oldest_finished_tasks_are_forgotten() -> None:
    """With room for 2 finished tasks, the first of 3 is forgotten (its id runs again, as a
    new task) while the last is still recognised by its id."""
    raw = Raw(max_finished=2)
    try:
        raw.send(hello=hello("raw", "square"))
        raw.send(credit=swarm_pb2.Credit(tasks=10))
        raw.wait_event("credit", worker="raw")

        def run(task_id: str) -> Any:
            answer = raw.submit(task_id)
            task = next(raw.stream).task
            raw.send(result=output(task.task_id))
            answer.result()
            return task

        assert [run(i).task_id for i in "abc"] == ["a", "b", "c"]
        raw.submit("c").result()
        raw.wait_event("same_task", task="c")
        again = run("a")
        assert (again.task_id, again.attempt) == ("a", 1)
        assert len(raw.events("submit")) == 4  # a, b, c, and a again
    finally:
        raw.close()


def test_a_second_caller_giving_up_leaves_the_task(raw: Raw) -> None:
    """A second Submit of the same id that is cancelled stops waiting, but the task is the
    first caller's: it is not cancelled, and the first caller gets its result."""
    raw.send(hello=hello("raw", "square"))
    raw.send(credit=swarm_pb2.Credit(tasks=1))
    raw.wait_event("credit", worker="raw")
    first = raw.submit("s")
    task = next(raw.stream).task
    second = raw.submit("s")
    raw.wait_event("same_task", task="s")
    second.cancel()
    raw.send(result=output(task.task_id))
    assert first.result().output == b"4"
    assert raw.events("cancel") == []
