"""Operating-system processes: the project's one launcher, and a process as a supervised child.

The Go twin is ``go/supervisor/process.go``. Two layers, one concern each:

* :class:`Process` (:func:`start_process`) starts a program in a process group of
  its own, so that a signal reaches whatever it started too; a watcher thread
  learns how it ended, as an :class:`Exit` in the supervisor's terms, and
  :meth:`Process.terminate` stops it as its owner. It is synchronous, so that
  threaded code (the swarm's tests, its benchmarks) starts programs with it;
* :class:`ProcessChild` is the :class:`~.child.Child` protocol over it, so the
  same supervisor restarts a worker process (chapter 3's swarm) under the same
  rules as an actor.

A process ends in one of three ways, mapped onto the three reasons:

* exit status 0: ``normal`` (it finished its work);
* a non-zero status or a signal: ``crash`` (``kill -9`` included);
* ended by its owner's terminate: ``shutdown``.

Terminating is Unix's polite-then-firm: ``SIGCONT`` (a stopped process cannot
act on what comes next), ``SIGTERM``, a grace period for the process to clean
up, then ``SIGKILL``, which cannot be ignored; it returns once the process has
been reaped, so no zombie and no watcher thread remain.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .child import Exited
from .spec import Reason

__all__ = ["Exit", "Process", "ProcessChild", "ProcessSpec", "start_process"]


@dataclass(frozen=True)
class Exit:
    """How a process ended: its reason, its exit code (-1 for a signal), the signal's name."""

    reason: Reason
    code: int
    signal: str = ""

    def __str__(self) -> str:
        how = f"signal {self.signal}" if self.signal else f"exit {self.code}"
        return f"{self.reason} ({how})"


@dataclass(frozen=True)
class ProcessSpec:
    """What to start: argv, and where its output goes (``None``: discarded; ``-1``: a pipe).

    ``on_exit`` callbacks are called with the :class:`Exit`, on the watcher
    thread, once the process has been reaped.
    """

    argv: Sequence[str]
    env: Mapping[str, str] | None = None
    cwd: str | None = None
    stdout: IO[Any] | int | None = None
    stderr: IO[Any] | int | None = None
    on_exit: Sequence[Callable[[Exit], None]] = field(default_factory=tuple)


class Process:
    """One started process in its own group; a watcher thread learns how it ended."""

    def __init__(self, spec: ProcessSpec) -> None:
        if not spec.argv:
            raise ValueError("argv must name a program")
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
                exit = Exit(Reason.CRASH, -1, signal.Signals(-status).name)
            else:
                exit = Exit(Reason.NORMAL if status == 0 else Reason.CRASH, status)
            if self._terminating:
                exit = Exit(Reason.SHUTDOWN, exit.code, exit.signal)
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

    def ask_to_stop(self) -> None:
        """Begin terminating it without waiting: its end is now a ``shutdown``; SIGCONT, SIGTERM."""
        with self._lock:
            self._terminating = True
        self.signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        self.signal(signal.SIGTERM)

    # docs:start process-terminate
    def terminate(self, grace: float = 5.0) -> Exit:
        """Stop it as its owner: SIGTERM to its group, SIGKILL after ``grace`` s."""
        self.ask_to_stop()
        exit = self.wait(grace)
        if exit is None:
            self.signal(signal.SIGKILL)
            exit = self.wait()
        assert exit is not None
        if self._popen.stdout is not None:
            self._popen.stdout.close()
        return exit

    # docs:end process-terminate


def start_process(spec: ProcessSpec) -> Process:
    """Start ``spec``'s program in its own process group."""
    return Process(spec)


Argv = Sequence[str] | Callable[[int], Sequence[str]]
"""A program and its arguments, or a function from the run number (1, 2, ...) to them."""


class ProcessChild:
    """Supervise runs of ``argv`` (one new process per run) with ``env`` (``None``: inherit).

    ``argv`` may be a function of the run number, for a program that must know
    which run it is (the swarm's workers take a fresh id per run). ``grace``
    is the seconds between ``SIGTERM`` and ``SIGKILL`` when terminating. The
    process's standard input is empty; its output goes to ``stdout`` and
    ``stderr`` (``None``: discarded).
    """

    def __init__(
        self,
        argv: Argv,
        *,
        grace: float = 5.0,
        env: Mapping[str, str] | None = None,
        stdout: IO[Any] | int | None = None,
        stderr: IO[Any] | int | None = None,
    ) -> None:
        if not callable(argv) and not argv:
            raise ValueError("argv must name a program")
        self._argv = argv
        self._grace = grace
        self._env = None if env is None else dict(env)
        self._stdout, self._stderr = stdout, stderr
        self._runs = 0
        self._process: Process | None = None
        self._ended: asyncio.Event | None = None
        self.exits: list[Exit] = []
        """How every run so far ended, in order."""

    @property
    def pid(self) -> int | None:
        """The current run's process id; ``None`` before the first run."""
        return None if self._process is None else self._process.pid

    @property
    def process(self) -> Process | None:
        """The current (or last) run's process."""
        return self._process

    @property
    def returncodes(self) -> list[int]:
        """The exit status of every run so far, in order (negative: killed by that signal)."""
        return [e.code if not e.signal else -signal.Signals[e.signal] for e in self.exits]

    async def start(self, exited: Exited) -> None:
        loop = asyncio.get_running_loop()
        ended = asyncio.Event()
        self._runs += 1
        argv = self._argv(self._runs) if callable(self._argv) else self._argv

        def on_exit(exit: Exit) -> None:  # on the watcher thread
            exited(exit.reason)  # first: whoever sees the end in ``exits`` has been told of it
            self.exits.append(exit)
            try:
                loop.call_soon_threadsafe(ended.set)
            except RuntimeError:  # the loop has closed: nobody waits any more
                pass

        self._process = start_process(
            ProcessSpec(
                argv=argv,
                env=self._env,
                stdout=self._stdout,
                stderr=self._stderr,
                on_exit=(on_exit,),
            )
        )
        self._ended = ended

    async def terminate(self) -> None:
        process, ended = self._process, self._ended
        if process is None or ended is None:
            return
        if ended.is_set():
            process.wait()  # ended on its own: its watcher thread is done, or all but
            return
        process.ask_to_stop()
        try:
            async with asyncio.timeout(self._grace):
                await ended.wait()
        except TimeoutError:
            process.signal(signal.SIGKILL)
            await ended.wait()
        process.wait()  # the watcher thread is returning from on_exit: join it
