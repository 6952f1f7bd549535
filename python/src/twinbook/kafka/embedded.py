"""The embedded broker: franz-go's kfake behind the Go program ``go/cmd/twinbook-kafka``.

Python has no Kafka broker of its own to embed, so the Python side runs the Go one as a
child process: built once per source into the user's cache (as the project's other Go
programs are: :func:`twinbook._goprograms.cached_program`), started on 127.0.0.1 and
a free port, its address read from its first line. Its stdin is a pipe that only this
process holds: when this process ends, even by SIGKILL, the pipe closes and the program
exits, so no broker outlives the notebook or test that started it.
"""

from __future__ import annotations

import functools
import os
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from twinbook import _goprograms

DEFAULT_PARTITIONS = 3
"""Partitions of a topic created without a count (as ``go/kafka.DefaultPartitions``); the
real broker of the tests is configured with the same ``num.partitions``."""

PROGRAM = "twinbook-kafka"
FIRST_LINE = "kafka: "


class StartError(RuntimeError):
    """The embedded broker did not start; the message says what failed (Go missing, the
    build, the program's own error, or no address in time)."""


@dataclass(frozen=True)
class Config:
    """How to run the embedded broker; the defaults suit every notebook and test."""

    port: int = 0
    """Port on 127.0.0.1; 0 picks a free one."""
    partitions: int = DEFAULT_PARTITIONS
    """Partitions of a topic created without a count."""
    auto_create: bool = True
    """Create a topic when a client merely names it, as Kafka does by default."""
    fail_produce: int = 0
    """Test only: fail the first this many produce requests with a retriable error (the
    program's ``-fail-produce``), to show what producer retries do; no real broker can."""
    fail_produce_error: str = "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
    """The error of :attr:`fail_produce`: ``NOT_ENOUGH_REPLICAS_AFTER_APPEND`` (the batch
    is written, the answer says it failed), ``NOT_ENOUGH_REPLICAS`` or
    ``REQUEST_TIMED_OUT``."""
    start_timeout: float = 10.0
    """Seconds to wait for the program's address (the build, if any, comes before)."""
    stop_timeout: float = 5.0
    """Seconds :meth:`Broker.close` waits after each of EOF on stdin and SIGTERM."""
    program: str | None = field(default=None, repr=False)
    """A ``twinbook-kafka`` binary to run instead of building the repository's."""


def go_dir() -> Path:
    """The repository's Go module (``go/``), beside the Python package's source tree."""
    import twinbook

    return Path(twinbook.__file__).resolve().parents[3] / "go"


@functools.cache
def program() -> str:
    """The ``twinbook-kafka`` program, built by ``go build`` once per source and Go
    version into the user's cache. Raises :class:`StartError` naming what is missing."""
    root = go_dir()
    main = root / "cmd" / PROGRAM / "main.go"
    if not main.is_file():
        raise StartError(f"the embedded Kafka broker is built from {main}, which is not there")
    # What the binary is made of: the command, the package it wraps, the module's pins.
    sources = [main, *sorted((root / "kafka").glob("*.go")), root / "go.mod", root / "go.sum"]
    sources = [p for p in sources if not p.name.endswith("_test.go")]
    try:
        return _goprograms.cached_program(PROGRAM, sources)
    except FileNotFoundError as exc:
        raise StartError(
            f"the embedded Kafka broker needs Go to build go/cmd/{PROGRAM} ({exc}); "
            f"install Go, or set TWINBOOK_KAFKA to a broker's host:port"
        ) from exc
    except subprocess.CalledProcessError as exc:
        output = (exc.stderr or b"").decode(errors="replace").strip()
        raise StartError(f"go build ./cmd/{PROGRAM} failed:\n{output}") from exc
    except subprocess.TimeoutExpired as exc:
        raise StartError(f"go build ./cmd/{PROGRAM} took more than {exc.timeout}s") from exc


def _argv(config: Config) -> list[str]:
    argv = [
        config.program or program(),
        "-port",
        str(config.port),
        "-partitions",
        str(config.partitions),
    ]
    if not config.auto_create:
        argv.append("-no-auto-create")
    if config.fail_produce:
        argv += ["-fail-produce", str(config.fail_produce)]
        argv += ["-fail-produce-error", config.fail_produce_error]
    return argv


def _first_line(stream: IO[bytes], deadline: float) -> bytes:
    """Bytes up to the first newline of ``stream``, or what came before EOF or the
    deadline: a read that can never hang on a program that prints nothing."""
    fd = stream.fileno()
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0]


class Broker:
    """A running embedded broker (the child process); :meth:`close` stops it. Use it as a
    context manager, or call :func:`start` and :meth:`close` yourself."""

    def __init__(self, process: subprocess.Popen[bytes], addr: str, config: Config) -> None:
        self._process = process
        self._config = config
        self.addr = addr
        """The bootstrap server, ``127.0.0.1:PORT``."""

    @property
    def pid(self) -> int:
        """The program's process id."""
        return self._process.pid

    def close(self) -> None:
        """Stop the program: end of file on its stdin (its way to stop cleanly), then
        SIGTERM, then SIGKILL, each after :attr:`Config.stop_timeout`. Idempotent."""
        _stop(self._process, self._config.stop_timeout)

    def __enter__(self) -> Broker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def start(config: Config | None = None) -> Broker:
    """Start an embedded broker and return it once it accepts connections.

    Raises :class:`StartError` when it cannot: Go missing, the build failing, the program
    exiting or printing no address within :attr:`Config.start_timeout`.
    """
    config = config or Config()
    argv = _argv(config)
    # stderr goes to a file, not a pipe: nobody reads it while the broker runs, and a full
    # pipe would block the broker; it is read back only to explain a failed start.
    with tempfile.TemporaryFile() as stderr:
        try:
            process = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr
            )
        except OSError as exc:
            raise StartError(f"{argv[0]} could not be run: {exc}") from exc
        try:
            assert process.stdout is not None
            line = _first_line(process.stdout, time.monotonic() + config.start_timeout)
        except BaseException:
            _stop(process, 0)
            raise
        text = line.decode(errors="replace").strip()
        if text.startswith(FIRST_LINE):
            return Broker(process, text.removeprefix(FIRST_LINE), config)
        try:
            # A program that failed has exited or is about to: its code says more.
            exited: int | None = process.wait(0.25)
        except subprocess.TimeoutExpired:
            exited = None
        _stop(process, 0)
        stderr.seek(0)
        said = stderr.read().decode(errors="replace").strip()
    if exited is not None:
        why = f"it exited with code {exited}" + (f" after printing {text!r}" if text else "")
    elif text:
        why = f"its first line was {text!r}, not {FIRST_LINE!r} and an address"
    else:
        why = f"it printed no address within {config.start_timeout}s"
    raise StartError(
        f"the embedded Kafka broker ({' '.join(argv)}) did not start: {why}"
        + (f"; its stderr: {said}" if said else "")
    )
