"""Start a registry process (the Python one, ``python -m twinbook.registry``, or the Go one,
``go/cmd/twinbook-registry``) from tests and notebooks, and stop it: :func:`start` returns a
:class:`RegistryProcess`, :func:`serve` is a context manager yielding its URL."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

Implementation = Literal["python", "go"]

_PREFIX = "registry: "


class RegistryStartError(RuntimeError):
    """The registry process did not print its address in time, or exited first."""


@dataclass
class RegistryProcess:
    """A running registry: its base ``url`` and its ``process``."""

    url: str
    process: subprocess.Popen[str]

    def stop(self, grace: float = 5.0) -> int:
        """SIGTERM, then SIGKILL after ``grace`` seconds; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(grace)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing is flushed or closed."""
        self.process.kill()
        self.process.wait()


def go_program(name: str = "twinbook-registry") -> str:
    """A Go program of the registry's (``go/cmd/NAME``: the registry, or ``twinbook-avro``,
    the interop tests' Go producer and consumer), built once into the user's cache
    (twinbook.runner's cache)."""
    from twinbook._goprograms import cached_program

    go = _go_dir()
    sources = [go / "cmd" / name / "main.go", go / "go.mod", go / "go.sum"]
    if name == "twinbook-registry":
        for package in ("registry", "schema"):
            sources += sorted((go / package).glob("*.go"))
    return cached_program(name, [s for s in sources if s.is_file()])


def _go_dir() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "go" / "go.mod").is_file():
            return parent / "go"
    raise RegistryStartError("the Go registry needs the project's go/ folder, not found")


def command(
    implementation: Implementation, bootstrap: str, topic: str, timeout: float
) -> list[str]:
    """The argv that starts a registry."""
    if implementation == "go":
        return [go_program(), "--kafka", bootstrap, "--topic", topic, "--timeout", f"{timeout}s"]
    return [
        sys.executable,
        "-m",
        "twinbook.registry",
        "--kafka",
        bootstrap,
        "--topic",
        topic,
        "--timeout",
        str(timeout),
    ]


def _first_line(stream: IO[str], timeout: float) -> str | None:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def start(
    bootstrap: str,
    *,
    topic: str = "_schemas",
    implementation: Implementation = "python",
    timeout: float = 10.0,
    start_timeout: float = 30.0,
) -> RegistryProcess:
    """Start a registry on ``bootstrap`` and wait (``start_timeout`` seconds at most) for
    its address. ``timeout`` is the registry's own wait for the broker."""
    argv = command(implementation, bootstrap, topic, timeout)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    line = _first_line(proc.stdout, start_timeout)
    if line is None or not line.startswith(_PREFIX):
        if proc.poll() is None:
            proc.kill()
        try:
            _, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            err = ""
        what = (
            f"exited with status {proc.returncode}"
            if line is not None
            else f"did not start within {start_timeout:g}s"
        )
        raise RegistryStartError(
            f"{implementation} registry on {bootstrap} {what}: {(line or '') + (err or '')}".strip()
        )
    return RegistryProcess(line[len(_PREFIX) :].strip(), proc)


@contextmanager
def serve(
    bootstrap: str,
    *,
    topic: str = "_schemas",
    implementation: Implementation = "python",
    timeout: float = 10.0,
) -> Iterator[str]:
    """A registry process for the with-block: yields its URL, stops it on exit (even when
    the block raises)."""
    running = start(bootstrap, topic=topic, implementation=implementation, timeout=timeout)
    try:
        yield running.url
    finally:
        running.stop()
