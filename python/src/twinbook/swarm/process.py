"""Starting a worker process, learning when it ended and how, and stopping it (as ``go/swarm/process.go``).

A :class:`Process` runs in its own process group, so that stopping it reaches any
child it started. How it ended is an :class:`Exit` in the chapter's supervisor
terms: ``normal`` (it exited 0 by itself), ``shutdown`` (its owner terminated it)
or ``crash`` (a non-zero exit, or a signal it did not ask for). That is the
shape a supervisor's child needs: start, be told of its end with a reason, and
terminate (SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any

__all__ = ["Exit", "ExitReason", "Process", "ProcessSpec", "start_process"]


class ExitReason(StrEnum):
    """Why a process ended, named as in the supervisor spec."""

    NORMAL = "normal"
    SHUTDOWN = "shutdown"
    CRASH = "crash"


@dataclass(frozen=True)
class Exit:
    """How a process ended: its reason, its exit code (-1 for a signal), the signal's name."""

    reason: ExitReason
    code: int
    signal: str = ""

    def __str__(self) -> str:
        how = f"signal {self.signal}" if self.signal else f"exit {self.code}"
        return f"{self.reason} ({how})"


@dataclass(frozen=True)
class ProcessSpec:
    """What to start: argv, and where its output goes (None: discarded)."""

    argv: Sequence[str]
    env: Mapping[str, str] | None = None
    cwd: str | None = None
    stdout: IO[Any] | int | None = None
    stderr: IO[Any] | int | None = None
    on_exit: Sequence[Callable[[Exit], None]] = field(default_factory=tuple)


class Process:
    """One started process in its own group; a watcher thread learns how it ended."""

    def __init__(self, spec: ProcessSpec) -> None:
        self.spec = spec
        self._popen = subprocess.Popen(
            list(spec.argv),
            env=None if spec.env is None else dict(spec.env),
            cwd=spec.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL if spec.stdout is None else spec.stdout,
            stderr=subprocess.DEVNULL if spec.stderr is None else spec.stderr,
            start_new_session=True,  # its own process group: a signal reaches its children too
        )
        self._lock = threading.Lock()
        self._terminating = False
        self._exit: Exit | None = None
        self._done = threading.Event()
        self._watcher = threading.Thread(
            target=self._watch, name=f"process-{self.pid}", daemon=True
        )
        self._watcher.start()

    @property
    def pid(self) -> int:
        """The process id, also its process group's id."""
        return self._popen.pid

    @property
    def stdout(self) -> IO[Any] | None:
        """Its stdout, when the spec asked for a pipe."""
        return self._popen.stdout

    def _watch(self) -> None:
        status = self._popen.wait()
        with self._lock:
            if status < 0:
                exit = Exit(ExitReason.CRASH, -1, signal.Signals(-status).name)
            else:
                exit = Exit(ExitReason.NORMAL if status == 0 else ExitReason.CRASH, status)
            if self._terminating:
                exit = Exit(ExitReason.SHUTDOWN, exit.code, exit.signal)
            self._exit = exit
        self._done.set()
        for callback in self.spec.on_exit:
            callback(exit)

    def wait(self, timeout: float | None = None) -> Exit | None:
        """How the process ended, waiting up to ``timeout`` seconds (None if still running)."""
        if not self._done.wait(timeout):
            return None
        self._watcher.join()
        return self._exit

    @property
    def exit(self) -> Exit | None:
        """How it ended, or None while it runs."""
        with self._lock:
            return self._exit

    def signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the process's group (SIGSTOP: hang it; SIGKILL: crash it)."""
        if self._done.is_set():
            return
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass

    def terminate(self, grace: float = 5.0) -> Exit:
        """Stop it as its owner: SIGTERM to its group, SIGKILL after ``grace`` seconds."""
        with self._lock:
            self._terminating = True
        self.signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        self.signal(signal.SIGTERM)
        exit = self.wait(grace)
        if exit is None:
            self.signal(signal.SIGKILL)
            exit = self.wait()
        assert exit is not None
        if self._popen.stdout is not None:
            self._popen.stdout.close()
        return exit


def start_process(spec: ProcessSpec) -> Process:
    """Start ``spec``'s program in its own process group."""
    return Process(spec)
