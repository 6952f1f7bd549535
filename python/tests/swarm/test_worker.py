"""A worker facing a coordinator that breaks the protocol, in this process (``go/swarm/worker_test.go``).

A task of a kind the worker does not run fails with FAILED_PRECONDITION naming the kind,
an empty message is ignored, and neither stops the worker: its next task runs.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import grpc
from timeouts import TIMEOUT

from twinbook._proto.swarm.v1 import swarm_pb2, swarm_pb2_grpc
from twinbook.swarm import Worker, WorkerConfig
from twinbook.swarm.server import new_server


class ScriptedCoordinator(swarm_pb2_grpc.CoordinatorServicer):
    """Once a worker has said hello and granted credit, sends the script and passes results on."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.results: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def Work(self, requests: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:  # noqa: N802  # the RPC's name
        sent = False
        for message in requests:
            if message.WhichOneof("kind") == "credit" and not sent:
                sent = True
                yield from self.script
            if message.WhichOneof("kind") == "result":
                self.results.put(message.result)


def task(task_id: str, kind: str, data: bytes = b"") -> Any:
    return swarm_pb2.CoordinatorMessage(
        task=swarm_pb2.Task(task_id=task_id, kind=kind, input=data, attempt=1)
    )


def test_a_worker_answers_bad_tasks_with_named_errors() -> None:
    coordinator = ScriptedCoordinator(
        [task("t1", "telepathy"), swarm_pb2.CoordinatorMessage(), task("t2", "square", b"4")]
    )
    server, executor = new_server(
        lambda s: swarm_pb2_grpc.add_CoordinatorServicer_to_server(coordinator, s),  # type: ignore[no-untyped-call]  # generated stubs are untyped
        "swarm.v1.Coordinator",
        max_workers=4,
    )
    address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    server.start()
    worker = Worker(
        WorkerConfig(address=address, worker_id="w", kinds=("square",), heartbeat_ms=3_600_000)
    )
    failed: list[BaseException] = []

    def run() -> None:
        try:
            worker.run()
        except BaseException as exc:  # noqa: BLE001  # the test reports it
            failed.append(exc)

    runner = threading.Thread(target=run, name="worker")
    runner.start()
    try:
        got = {}
        for _ in range(2):
            result = coordinator.results.get(timeout=TIMEOUT)
            got[result.task_id] = result
    finally:
        worker.stop()
        runner.join(TIMEOUT)
        server.stop(grace=None).wait()
        executor.shutdown(wait=True)
    assert not runner.is_alive() and failed == []
    error = got["t1"].error
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert "'telepathy'" in error.message
    assert got["t2"].output == b"16"
