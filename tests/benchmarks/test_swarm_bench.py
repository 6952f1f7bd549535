"""The swarm across processes, from Python (``pytest tests/benchmarks/test_swarm_bench.py``).

Not part of ``make test`` (pytest.ini ignores tests/benchmarks): timings are measured,
never asserted. The Go side is ``go/swarm/bench_test.go`` (``go test -bench . ./swarm``).

* ``unary``: one ``flaky.v1.Flaky.Call`` after another from Python to a Go server
  process and to a Python one, on loopback (Python->Go, Python->Python; the median is
  the p50 round trip).
* ``throughput``: 400 square tasks submitted from 32 threads to a coordinator process
  (Go or Python) that streams them to two Go worker processes granting 64 credits
  each, against 400 unary calls one after another to a Go server process. Both report
  the time for the 400 tasks; tasks/s is 400 over it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import pytest

from twinbook._proto.flaky.v1 import flaky_pb2, flaky_pb2_grpc
from twinbook._proto.swarm.v1 import swarm_pb2, swarm_pb2_grpc
from twinbook.supervisor import Process, ProcessSpec, start_process

ROOT = Path(__file__).resolve().parents[2]
TASKS = 400

sys.path.insert(0, str(ROOT / "python" / "tests"))  # the swarm tests' harness (and its timeouts)
from swarm.harness import build_go_programs  # noqa: E402


@pytest.fixture(scope="module")
def go_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The swarm's Go programs, built by the swarm tests' one builder."""
    return build_go_programs(tmp_path_factory.mktemp("go-bin"))


def serve(argv: list[str]) -> tuple[Process, str]:
    process = start_process(ProcessSpec(argv=argv, stdout=-1))
    assert process.stdout is not None
    return process, process.stdout.readline().decode().strip()


@pytest.fixture(scope="module", params=["go", "python"])
def flaky_stub(request: pytest.FixtureRequest, go_bin: Path) -> Iterator[Any]:
    argv = (
        [str(go_bin / "swarm-flaky")]
        if request.param == "go"
        else [sys.executable, "-m", "twinbook.swarm.flaky"]
    )
    process, address = serve(argv)
    channel = grpc.insecure_channel(address)
    stub = flaky_pb2_grpc.FlakyStub(channel)  # type: ignore[no-untyped-call]
    for _ in range(200):  # warm the connection and both runtimes
        stub.Call(flaky_pb2.CallRequest(payload="warm"))
    yield stub
    channel.close()
    process.terminate(grace=2.0)


@pytest.mark.benchmark(group="unary")
def test_unary_round_trip(benchmark: Any, flaky_stub: Any) -> None:
    request = flaky_pb2.CallRequest(payload="ping")
    reply = benchmark(flaky_stub.Call, request)
    assert reply.payload == "ping"


@pytest.fixture(scope="module", params=["go", "python"])
def swarm_stub(request: pytest.FixtureRequest, go_bin: Path) -> Iterator[Any]:
    argv = (
        [str(go_bin / "swarm-coordinator")]
        if request.param == "go"
        else [sys.executable, "-m", "twinbook.swarm.coordinator"]
    )
    coordinator, address = serve([*argv, "--lease-ms", "60000"])
    workers = [
        start_process(
            ProcessSpec(
                argv=[
                    str(go_bin / "swarm-worker"),
                    "--address",
                    address,
                    "--id",
                    f"w{i}",
                    "--credits",
                    "64",
                ]
            )
        )
        for i in range(2)
    ]
    channel = grpc.insecure_channel(address)
    stub = swarm_pb2_grpc.CoordinatorStub(channel)  # type: ignore[no-untyped-call]
    ready = threading.Event()
    while not ready.wait(0.05):  # until a worker has said hello
        try:
            stub.Submit(swarm_pb2.SubmitRequest(kind="square", input=b"3"), timeout=5)
            ready.set()
        except grpc.RpcError:
            pass
    yield stub
    channel.close()
    for w in workers:
        w.terminate(grace=2.0)
    coordinator.terminate(grace=2.0)


@pytest.mark.benchmark(group="throughput")
def test_throughput_stream_with_credits(benchmark: Any, swarm_stub: Any) -> None:
    def run() -> int:
        with ThreadPoolExecutor(32) as pool:
            replies = list(
                pool.map(
                    lambda i: swarm_stub.Submit(
                        swarm_pb2.SubmitRequest(kind="square", input=str(i).encode())
                    ),
                    range(TASKS),
                )
            )
        return len(replies)

    assert benchmark.pedantic(run, rounds=3, iterations=1) == TASKS


@pytest.mark.benchmark(group="throughput")
def test_throughput_unary_per_task(benchmark: Any, go_bin: Path) -> None:
    process, address = serve([str(go_bin / "swarm-flaky")])
    channel = grpc.insecure_channel(address)
    stub = flaky_pb2_grpc.FlakyStub(channel)  # type: ignore[no-untyped-call]

    def run() -> int:
        return sum(
            1 for i in range(TASKS) if stub.Call(flaky_pb2.CallRequest(payload=str(i))).payload
        )

    try:
        assert benchmark.pedantic(run, rounds=3, iterations=1) == TASKS
    finally:
        channel.close()
        process.terminate(grace=2.0)
