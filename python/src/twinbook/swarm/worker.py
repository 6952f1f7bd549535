"""A swarm worker: Hello with its kinds, credits as it has room, heartbeats, tasks under deadlines.

The Go twin is ``go/swarm/worker.go``. A worker opens one ``Work`` stream to the
coordinator, grants as many credits as it has room for, and runs each task on its
own thread under a :class:`TaskContext` whose deadline is the task's
``budget_ms``; a Cancel from the coordinator cancels that context, which cancels
the task's outgoing call. Every finished task sends its Result, and Credit for the room
it freed (in batches of a quarter of its credits).

A coordinator that cannot be reached ``attempts`` times in a row ends the worker
with :class:`CoordinatorGone`; one that refuses it (a duplicate worker id, a
protocol error) with :class:`CoordinatorRefused`. Neither is retried for ever.

``python -m twinbook.swarm.worker --address HOST:PORT --id NAME [--kinds square,sleep,flaky]
[--credits 2] [--heartbeat-ms 1000] [--flaky HOST:PORT] [--attempts 5] [--backoff-ms 200]``
writes its events as JSON lines on stderr and exits 1 with a message naming the
cause when the coordinator is gone or refuses it.
"""

from __future__ import annotations

import argparse
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc

from twinbook._proto.flaky.v1 import flaky_pb2_grpc
from twinbook._proto.swarm.v1 import swarm_pb2, swarm_pb2_grpc
from twinbook.breaker import Breaker, Config
from twinbook.breaker.grpc_interceptor import BreakerInterceptor

from . import kinds as kinds_module
from .events import EventLog, code_name
from .kinds import Kind
from .taskcontext import TaskContext, TaskFailed

__all__ = [
    "CoordinatorGone",
    "CoordinatorRefused",
    "Worker",
    "WorkerConfig",
    "WorkerConfigError",
    "default_breaker",
]

KINDS = ("square", "sleep", "flaky")


class WorkerConfigError(ValueError):
    """A worker's configuration that cannot work (no id, no credit, an unknown kind)."""


class CoordinatorGone(Exception):
    """The coordinator could not be reached ``attempts`` times in a row."""


class CoordinatorRefused(Exception):
    """The coordinator ended the session with a status that retrying will not change."""


def default_breaker() -> Config:
    """Each worker's own breaker in front of its dependency (as ``DefaultWorkerBreaker`` in Go):
    an outage trips the breakers of the workers that see it, each after a few calls."""
    return Config(
        name="flaky",
        window_size=4,
        minimum_calls=4,
        wait_in_open_ms=5_000,
        half_open_permitted_calls=1,
    )


@dataclass(frozen=True)
class WorkerConfig:
    """A worker's flags (the same as the Go worker's)."""

    address: str
    worker_id: str
    kinds: tuple[str, ...] = ("square", "sleep")
    credits: int = 2
    heartbeat_ms: int = 1000
    flaky: str = ""
    attempts: int = 5
    backoff_ms: int = 200
    breaker: Config | None = None

    def __post_init__(self) -> None:
        if not self.worker_id:
            raise WorkerConfigError("the worker id is empty")
        if self.credits < 1:
            raise WorkerConfigError(f"credits must be >= 1, got {self.credits}")
        if not self.kinds:
            raise WorkerConfigError("no kinds")
        for kind in self.kinds:
            if kind not in KINDS:
                raise WorkerConfigError(f"unknown kind {kind!r} ({', '.join(KINDS)})")
        if "flaky" in self.kinds and not self.flaky:
            raise WorkerConfigError("the flaky kind needs the flaky server's address")
        if self.heartbeat_ms <= 0 or self.attempts <= 0 or self.backoff_ms < 0:
            raise WorkerConfigError("heartbeat_ms and attempts must be > 0, backoff_ms >= 0")


class Worker:
    """Runs tasks for a coordinator until :meth:`stop` (or a fatal error)."""

    def __init__(self, config: WorkerConfig, events: EventLog | None = None) -> None:
        self.config = config
        self.events = events or EventLog(None)
        self._kinds: dict[str, Kind] = {"square": kinds_module.square, "sleep": kinds_module.sleep}
        self._flaky_channel: grpc.Channel | None = None
        if "flaky" in config.kinds:
            breaker = Breaker(config.breaker or default_breaker())
            self._flaky_channel = grpc.intercept_channel(
                grpc.insecure_channel(config.flaky), BreakerInterceptor(breaker)
            )
            self._kinds["flaky"] = kinds_module.flaky(flaky_pb2_grpc.FlakyStub(self._flaky_channel))  # type: ignore[no-untyped-call]  # generated stubs are untyped
        self._kinds = {k: v for k, v in self._kinds.items() if k in config.kinds}
        self._lock = threading.Lock()
        self._running: dict[str, TaskContext] = {}
        self._threads: set[threading.Thread] = set()
        self._outbox: queue.SimpleQueue[Any] | None = None  # the current session's
        self._most_running = 0
        self._freed = 0  # room freed since the last Credit of this session
        self._stopping = threading.Event()
        self._call: Any = None

    @property
    def most_running(self) -> int:
        """The most tasks the worker ever ran at once."""
        with self._lock:
            return self._most_running

    def stop(self) -> None:
        """End the session and the worker's run (its tasks are cancelled)."""
        self._stopping.set()
        with self._lock:
            call = self._call
        if call is not None:
            call.cancel()

    def run(self) -> None:
        """Work until :meth:`stop`; raise :class:`CoordinatorGone` or :class:`CoordinatorRefused`."""
        channel = grpc.insecure_channel(self.config.address)
        try:
            self._sessions(swarm_pb2_grpc.CoordinatorStub(channel), channel)  # type: ignore[no-untyped-call]  # generated stubs are untyped
        finally:
            with self._lock:
                contexts = list(self._running.values())
                threads = list(self._threads)
            for ctx in contexts:
                ctx.cancel()
            for thread in threads:
                thread.join()
            channel.close()
            if self._flaky_channel is not None:
                self._flaky_channel.close()

    def _sessions(self, stub: swarm_pb2_grpc.CoordinatorStub, channel: grpc.Channel) -> None:
        failures = 0
        backoff = self.config.backoff_ms / 1000
        while not self._stopping.is_set():
            try:
                grpc.channel_ready_future(channel).result(timeout=max(backoff, 0.2))
            except grpc.FutureTimeoutError:
                error: str = "not ready"
                established = False
            else:
                established, error = self._session(stub)
            if self._stopping.is_set():
                return
            if established:
                failures = 0
            failures += 1
            if failures >= self.config.attempts:
                raise CoordinatorGone(
                    f"swarm: the coordinator is gone: {self.config.address} did not answer "
                    f"{failures} tries in a row: {error}"
                )
            self.events.emit(
                "reconnect", worker=self.config.worker_id, failures=failures, error=error
            )
            self._stopping.wait(backoff)

    def _session(self, stub: swarm_pb2_grpc.CoordinatorStub) -> tuple[bool, str]:
        """One Work stream: (whether it opened, why it ended)."""
        outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        with self._lock:
            room = self.config.credits - len(self._running)
            self._freed = 0
            self._outbox = outbox
        hello = swarm_pb2.Hello(
            worker_id=self.config.worker_id, kinds=sorted(self._kinds), language="python"
        )
        outbox.put(swarm_pb2.WorkerMessage(hello=hello))
        if room > 0:
            outbox.put(_credit(room))
        call: Any = stub.Work(_drain(outbox))
        with self._lock:
            self._call = call
        if self._stopping.is_set():
            call.cancel()
        beats = threading.Event()
        heart = threading.Thread(
            target=self._heartbeat, args=(outbox, beats), name="swarm-heartbeat"
        )
        heart.start()
        self.events.emit(
            "connected",
            worker=self.config.worker_id,
            kinds=",".join(sorted(self._kinds)),
            credits=room,
        )
        try:
            for message in call:
                if message.WhichOneof("kind") == "task":
                    self._start(message.task)
                elif message.WhichOneof("kind") == "cancel":
                    self._cancel(message.cancel.task_id)
            return True, "the coordinator ended the session"
        except grpc.RpcError as exc:
            code = exc.code()
            if code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
                raise CoordinatorRefused(
                    f"swarm: worker {self.config.worker_id}: the coordinator refused it: "
                    f"{code.name}: {exc.details()}"
                ) from None
            return True, f"{code.name}: {exc.details()}"
        finally:
            beats.set()
            outbox.put(None)
            heart.join()
            with self._lock:
                self._outbox = None
                self._call = None

    def _heartbeat(self, outbox: queue.SimpleQueue[Any], stop: threading.Event) -> None:
        while not stop.wait(self.config.heartbeat_ms / 1000):
            with self._lock:
                running = sorted(self._running)
            outbox.put(swarm_pb2.WorkerMessage(heartbeat=swarm_pb2.Heartbeat(running=running)))

    def _send(self, message: Any) -> None:
        """Send on the current session; between sessions the message is dropped (a result
        lost that way is handed out again when its lease runs out)."""
        with self._lock:
            outbox = self._outbox
        if outbox is not None:
            outbox.put(message)

    def _start(self, task: Any) -> None:
        ctx = TaskContext(task.budget_ms)
        with self._lock:
            if task.task_id in self._running:
                self.events.emit("already_running", worker=self.config.worker_id, task=task.task_id)
                return
            self._running[task.task_id] = ctx
            n = len(self._running)
            self._most_running = max(self._most_running, n)
            thread = threading.Thread(
                target=self._run, args=(task, ctx), name=f"swarm-task-{task.task_id}"
            )
            self._threads.add(thread)
        self.events.emit(
            "task_start",
            worker=self.config.worker_id,
            task=task.task_id,
            kind=task.kind,
            attempt=task.attempt,
            budget_ms=task.budget_ms,
            running=n,
            credits=self.config.credits,
        )
        thread.start()

    def _run(self, task: Any, ctx: TaskContext) -> None:
        began = time.monotonic()
        result = swarm_pb2.Result(task_id=task.task_id)
        kind = self._kinds.get(task.kind)
        try:
            if kind is None:
                raise TaskFailed(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"worker {self.config.worker_id} does not run kind {task.kind!r}",
                )
            result.output = kind(ctx, task.task_id, task.input)
            outcome = "ok"
        except TaskFailed as exc:
            result.error.CopyFrom(swarm_pb2.TaskError(code=exc.code.value[0], message=exc.message))
            outcome = code_name(exc.code)
        except Exception as exc:  # a bug in a kind fails its task, not the worker
            result.error.CopyFrom(
                swarm_pb2.TaskError(code=grpc.StatusCode.UNKNOWN.value[0], message=repr(exc))
            )
            outcome = "Unknown"
        # The call may report the deadline before the task's own clock reads it.
        stopped = (
            ctx.cancelled
            or ctx.time_remaining() == 0.0
            or outcome in ("Canceled", "DeadlineExceeded")
        )
        with self._lock:
            self._running.pop(task.task_id, None)
            n = len(self._running)
            self._threads.discard(threading.current_thread())
        self.events.emit(
            "task_end",
            worker=self.config.worker_id,
            task=task.task_id,
            outcome=outcome,
            stopped=stopped,
            elapsed_ms=int((time.monotonic() - began) * 1000),
            running=n,
        )
        self._send(swarm_pb2.WorkerMessage(result=result))
        # Credit goes in batches of a quarter of the worker's credits: fewer messages at
        # full load, and never a stall (the coordinator still holds credits - running -
        # freed > 0 whenever freed is below the batch).
        with self._lock:
            self._freed += 1
            grant = 0
            if self._freed >= max(1, self.config.credits // 4):
                grant, self._freed = self._freed, 0
        if grant:
            self._send(_credit(grant))

    def _cancel(self, task_id: str) -> None:
        with self._lock:
            ctx = self._running.get(task_id)
        self.events.emit(
            "cancel", worker=self.config.worker_id, task=task_id, running=ctx is not None
        )
        if ctx is not None:
            ctx.cancel()


def _credit(n: int) -> Any:
    return swarm_pb2.WorkerMessage(credit=swarm_pb2.Credit(tasks=n))


def _drain(outbox: queue.SimpleQueue[Any]) -> Iterator[Any]:
    """The request stream: messages from the outbox until None."""
    while (message := outbox.get()) is not None:
        yield message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twinbook.swarm.worker", description=__doc__)
    parser.add_argument("--address", "-address", required=True, help="the coordinator's host:port")
    parser.add_argument(
        "--id", "-id", default="", help="the worker's name, unique among the coordinator's"
    )
    parser.add_argument(
        "--kinds", "-kinds", default="square,sleep", help="task kinds, comma-separated"
    )
    parser.add_argument(
        "--credits", "-credits", type=int, default=2, help="how many tasks to run at once"
    )
    parser.add_argument("--heartbeat-ms", "-heartbeat-ms", type=int, default=1000)
    parser.add_argument("--flaky", "-flaky", default="", help="the flaky.v1 server's host:port")
    parser.add_argument("--attempts", "-attempts", type=int, default=5)
    parser.add_argument("--backoff-ms", "-backoff-ms", type=int, default=200)
    args = parser.parse_args(argv)
    try:
        config = WorkerConfig(
            address=args.address,
            worker_id=args.id,
            kinds=tuple(args.kinds.split(",")),
            credits=args.credits,
            heartbeat_ms=args.heartbeat_ms,
            flaky=args.flaky,
            attempts=args.attempts,
            backoff_ms=args.backoff_ms,
        )
    except WorkerConfigError as exc:
        print(f"swarm-worker: invalid worker config: {exc}", file=sys.stderr)
        return 2
    worker = Worker(config, EventLog(sys.stderr))
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    try:
        worker.run()
    except (CoordinatorGone, CoordinatorRefused) as exc:
        print(f"swarm-worker: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
