"""Real swarm processes for the tests: coordinators and workers in Go and in Python.

A :class:`Swarm` starts programs through :mod:`twinbook.supervisor.process` (each in its
own process group), sends their stderr (the JSON event lines) to a file per
process, and stops every one of them when the test ends, so nothing is left
running. Waits are bounded by :data:`timeouts.TIMEOUT`: a hang fails the test.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import grpc
from timeouts import TIMEOUT

from twinbook._proto.swarm.v1 import swarm_pb2, swarm_pb2_grpc
from twinbook.supervisor import Process, ProcessSpec, start_process

Event = dict[str, Any]


@dataclass
class Proc:
    """One started program: its process, its event file, its address if it serves."""

    name: str
    process: Process
    log: Path
    address: str = ""

    def events(self, event: str | None = None) -> list[Event]:
        """Its JSON event lines so far (only ``event`` ones when given)."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if event is None or record.get("event") == event:
                    found.append(record)
        return found

    def wait_event(self, event: str, timeout: float = TIMEOUT, **fields: Any) -> Event:
        """The first ``event`` whose fields match, waiting for it (failing after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            for record in self.events(event):
                if all(record.get(k) == v for k, v in fields.items()):
                    return record
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name}: no {event} {fields} in {timeout}s:\n{self.log.read_text()}"
                )
            time.sleep(0.02)

    def text(self) -> str:
        return self.log.read_text(errors="replace")


GO_PROGRAMS = ("swarm-coordinator", "swarm-worker", "swarm-flaky")
"""The swarm's Go programs (go/cmd), built together by :func:`build_go_programs`."""

ROOT = Path(__file__).resolve().parents[3]


def build_go_programs(out: Path) -> Path:
    """Build the swarm's Go programs into ``out`` and return it: the one ``go_bin`` builder.

    The swarm's tests (``conftest.py``) and its benchmarks
    (``tests/benchmarks/test_swarm_bench.py``) both take their programs from here.
    """
    subprocess.run(
        ["go", "build", "-o", str(out), *(f"./cmd/{name}" for name in GO_PROGRAMS)],
        cwd=ROOT / "go",
        check=True,
        timeout=300,
    )
    return out


class Swarm:
    """Starts coordinators and workers of either language; :meth:`close` stops them all."""

    def __init__(self, tmp: Path, go_bin: Path) -> None:
        self.tmp = tmp
        self.go_bin = go_bin
        self.procs: list[Proc] = []
        self.channels: list[grpc.Channel] = []

    def _start(self, name: str, argv: list[str], *, serves: bool) -> Proc:
        log = self.tmp / f"{name}.log"
        err: IO[Any] = log.open("w")
        process = start_process(
            ProcessSpec(argv=argv, stdout=-1 if serves else None, stderr=err)  # -1: subprocess.PIPE
        )
        err.close()
        proc = Proc(name, process, log)
        self.procs.append(proc)
        if serves:
            proc.address = _first_line(process, log)
        return proc

    def coordinator(self, lang: str, lease_ms: int = 10_000) -> Proc:
        argv = [*self.coordinator_argv(lang), "--lease-ms", str(lease_ms)]
        return self._start(f"coordinator-{lang}", argv, serves=True)

    def coordinator_argv(self, lang: str) -> list[str]:
        """How to run a coordinator program in ``lang``."""
        if lang == "go":
            return [str(self.go_bin / "swarm-coordinator")]
        return [sys.executable, "-m", "twinbook.swarm.coordinator"]

    def worker_argv(self, lang: str) -> list[str]:
        """How to run a worker program in ``lang`` (without its --address and --id)."""
        if lang == "go":
            return [str(self.go_bin / "swarm-worker")]
        return [sys.executable, "-m", "twinbook.swarm.worker"]

    def launcher(
        self, lang: str, worker_lang: str, *, lease_ms: int, worker_flags: list[str], **flags: Any
    ) -> Proc:
        """A coordinator in ``lang`` supervising worker processes in ``worker_lang``.

        ``flags`` are the coordinator's (``workers=2``, ``intensity=3``); the workers'
        stderr is the coordinator's, so one log holds both.
        """
        argv = [*self.coordinator_argv(lang), "--lease-ms", str(lease_ms)]
        for key, value in flags.items():
            argv += [f"--{key.replace('_', '-')}", str(value)]
        argv += ["--", *self.worker_argv(worker_lang), *worker_flags]
        return self._start(f"launcher-{lang}", argv, serves=True)

    def worker(self, lang: str, address: str, worker_id: str, **flags: Any) -> Proc:
        argv = [*self.worker_argv(lang), "--address", address, "--id", worker_id]
        for key, value in flags.items():
            argv += [f"--{key.replace('_', '-')}", str(value)]
        return self._start(f"worker-{worker_id}", argv, serves=False)

    def stub(self, coordinator: Proc) -> swarm_pb2_grpc.CoordinatorStub:
        channel = grpc.insecure_channel(coordinator.address)
        self.channels.append(channel)
        return swarm_pb2_grpc.CoordinatorStub(channel)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        for channel in self.channels:
            channel.close()
        for proc in reversed(self.procs):
            proc.process.terminate(grace=2.0)


def _first_line(process: Process, log: Path) -> str:
    """The address a server prints on stdout's first line."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    data = b""
    deadline = time.monotonic() + TIMEOUT * 2  # a Python program imports grpc first
    while b"\n" not in data:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 256) if ready else b""
        if not chunk:
            raise AssertionError(f"no address on stdout; stderr:\n{log.read_text()}")
        data += chunk
    return data.split(b"\n", 1)[0].decode()


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Wait until ``predicate()``; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        time.sleep(0.02)


def submit(
    stub: swarm_pb2_grpc.CoordinatorStub, kind: str, data: bytes = b"", task_id: str = "", **kw: Any
) -> Any:
    """One Submit call (bounded by TIMEOUT unless ``timeout`` is given)."""
    kw.setdefault("timeout", TIMEOUT)
    return stub.Submit(swarm_pb2.SubmitRequest(task_id=task_id, kind=kind, input=data), **kw)
