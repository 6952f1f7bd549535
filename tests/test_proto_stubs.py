"""The committed gRPC stubs are what `make proto` makes from proto/ today.

`make proto` writes the Go stubs (go/internal/flakypb, go/internal/swarmpb) and the Python stubs
(python/src/twinbook/_proto) in one grpc_tools.protoc call. This test runs the same
target into a temporary directory and compares every file byte for byte, so a
changed .proto (or a changed plugin pin) without regenerated stubs fails here.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

GO_STUBS = ("flakypb", "swarmpb")  # packages under go/internal
PY_STUBS = Path("python/src/twinbook/_proto")


def _files(base: Path) -> set[str]:
    return {
        str(p.relative_to(base))
        for p in base.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name != "__init__.py"
    }


@pytest.fixture(scope="module")
def regenerated(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    make = shutil.which("make")
    assert make, "make is not on PATH"
    out = tmp_path_factory.mktemp("proto")
    proc = subprocess.run(
        [make, "-s", "proto", f"PROTO_GO_OUT={out / 'go'}", f"PROTO_PY_OUT={out / 'py'}"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"make proto failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.mark.parametrize(
    ("committed", "generated"),
    [
        *((Path("go/internal") / pkg, Path("go/internal") / pkg) for pkg in GO_STUBS),
        (PY_STUBS, Path("py")),
    ],
    ids=[*(f"go {pkg}" for pkg in GO_STUBS), "python"],
)
def test_committed_stubs_are_current(
    repo_root: Path, regenerated: Path, committed: Path, generated: Path
):
    have, want = repo_root / committed, regenerated / generated
    assert _files(want), f"make proto wrote nothing under {generated}"
    assert _files(have) == _files(want), (
        "stub files differ from make proto's output: run make proto"
    )
    for name in sorted(_files(want)):
        assert filecmp.cmp(have / name, want / name, shallow=False), (
            f"{committed / name} is stale: run make proto"
        )


def test_python_stubs_import_inside_the_package():
    from twinbook._proto.flaky.v1 import flaky_pb2, flaky_pb2_grpc

    request = flaky_pb2.CallRequest(payload="ping", fail_code=14, delay_ms=5)
    assert flaky_pb2.CallRequest.FromString(request.SerializeToString()) == request
    assert hasattr(flaky_pb2_grpc, "FlakyStub") and hasattr(flaky_pb2_grpc, "FlakyServicer")
    from twinbook._proto.swarm.v1 import swarm_pb2, swarm_pb2_grpc

    task = swarm_pb2.CoordinatorMessage(task=swarm_pb2.Task(task_id="t1", budget_ms=50))
    assert swarm_pb2.CoordinatorMessage.FromString(task.SerializeToString()) == task
    assert task.WhichOneof("kind") == "task"
    assert hasattr(swarm_pb2_grpc, "CoordinatorStub")
