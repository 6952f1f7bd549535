"""grpcurl, a real client that knows nothing of our .proto, against both coordinators.

grpcurl learns the services by reflection: gRPC-Go serves reflection v1 and v1alpha,
grpcio only v1alpha; grpcurl asks v1 first and falls back to v1alpha, so listing,
health and Submit work against both. (One difference shows: a Python server's
descriptors carry no json_name, so grpcurl prints ``task_id`` where it prints
``taskId`` for the Go server; both parse as the same JSON field.)
"""

from __future__ import annotations

import base64
import json
import subprocess

import pytest
from timeouts import TIMEOUT

from .harness import ROOT, Swarm

GRPCURL = ROOT / ".venv" / "bin" / "grpcurl"


def grpcurl(address: str, *args: str, data: object = None) -> subprocess.CompletedProcess[str]:
    """``grpcurl -plaintext [-d DATA] ADDRESS ARGS...`` (bounded: never a hang)."""
    assert GRPCURL.exists(), "grpcurl is missing: make setup installs it from go/tools"
    flags = ["-d", json.dumps(data)] if data is not None else []
    return subprocess.run(
        [str(GRPCURL), "-plaintext", "-max-time", str(TIMEOUT), *flags, address, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
    )


@pytest.mark.parametrize("lang", ["go", "python"])
def test_grpcurl_lists_checks_and_submits(swarm: Swarm, lang: str) -> None:
    coord = swarm.coordinator(lang)
    worker_lang = "python" if lang == "go" else "go"
    swarm.worker(worker_lang, coord.address, "w", heartbeat_ms=200)
    coord.wait_event("credit", worker="w")

    listed = grpcurl(coord.address, "list")
    assert listed.returncode == 0, listed.stderr
    services = set(listed.stdout.split())
    assert {
        "swarm.v1.Coordinator",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= services

    described = grpcurl(coord.address, "describe", "swarm.v1.Coordinator")
    assert described.returncode == 0, described.stderr
    assert (
        "rpc Work ( stream .swarm.v1.WorkerMessage ) returns ( stream .swarm.v1.CoordinatorMessage )"
        in (described.stdout)
    )

    for service in ("", "swarm.v1.Coordinator"):
        health = grpcurl(coord.address, "grpc.health.v1.Health/Check", data={"service": service})
        assert health.returncode == 0, health.stderr
        assert json.loads(health.stdout) == {"status": "SERVING"}

    request = {"kind": "square", "input": base64.b64encode(b"12").decode()}
    reply = grpcurl(coord.address, "swarm.v1.Coordinator/Submit", data=request)
    assert reply.returncode == 0, reply.stderr
    answer = json.loads(reply.stdout)
    assert base64.b64decode(answer["output"]) == b"144"
    assert answer.get("workerId", answer.get("worker_id")) == "w"

    unknown = grpcurl(coord.address, "swarm.v1.Coordinator/Submit", data={"kind": "nope"})
    assert unknown.returncode != 0
    assert "FailedPrecondition" in unknown.stderr and "nope" in unknown.stderr
