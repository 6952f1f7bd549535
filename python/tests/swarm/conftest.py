"""Fixtures for the swarm's tests: the Go programs built once, a swarm of real processes, a
flaky dependency served in this process (so a test can see how each call to it ended).

Every process a test starts is stopped when it ends (``Swarm.close``: SIGTERM to the
process group, SIGKILL after a grace period), and the shared ``no_thread_left_behind``
fixture checks that no thread is left either.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from twinbook._proto.flaky.v1 import flaky_pb2_grpc
from twinbook.swarm.flaky import FlakyServicer
from twinbook.swarm.server import new_server

from .harness import Swarm, build_go_programs

PAIRS = [("go", "python"), ("python", "go")]
"""(coordinator, workers): both directions, from the same .proto."""


@pytest.fixture(scope="session")
def go_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """swarm-coordinator, swarm-worker and swarm-flaky, built from go/cmd."""
    return build_go_programs(tmp_path_factory.mktemp("go-bin"))


@pytest.fixture
def swarm(tmp_path: Path, go_bin: Path) -> Iterator[Swarm]:
    s = Swarm(tmp_path, go_bin)
    yield s
    s.close()


class FlakyDependency:
    """A flaky.v1 server on 127.0.0.1, in this process."""

    def __init__(self) -> None:
        self.servicer = FlakyServicer()
        self.server, self._executor = new_server(
            lambda s: flaky_pb2_grpc.add_FlakyServicer_to_server(self.servicer, s),  # type: ignore[no-untyped-call]
            "flaky.v1.Flaky",
            max_workers=8,
        )
        self.address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"
        self.server.start()

    def close(self) -> None:
        self.server.stop(grace=None).wait()
        self._executor.shutdown(wait=True)


@pytest.fixture
def flaky() -> Iterator[FlakyDependency]:
    dep = FlakyDependency()
    yield dep
    dep.close()
