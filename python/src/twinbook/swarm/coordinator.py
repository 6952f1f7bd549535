"""The ``swarm.v1.Coordinator`` service: a task queue, credits, leases, results by task id.

The Go twin is ``go/swarm/coordinator.go``; both follow the contract in
``proto/swarm/v1/swarm.proto``:

* a worker's session (``Work``) starts with a Hello; its Credit messages are the
  only thing that lets the coordinator send it tasks, one credit per task, so a
  worker that granted 2 never holds more than 2;
* each task handed out has a lease that the worker's heartbeats renew; a lease
  that runs out puts the task back at the head of the queue, to go to another
  worker as attempt + 1; a worker silent for a lease gets no new tasks until it
  speaks again;
* the first result for a task id wins; a later one is counted as a duplicate;
* ``Submit`` carries its caller's deadline as the task's ``budget_ms``, and a
  caller that gives up (cancelled, or past its deadline) sends Cancel to the
  worker.

``python -m twinbook.swarm.coordinator [--address 127.0.0.1:0] [--lease-ms 10000]``
serves it with health and reflection, prints its address on stdout's first line
and writes its events as JSON lines on stderr. With ``--workers N [--intensity 3]
[--period-ms 5000] [--restart permanent] [--grace-ms 5000] [-- WORKER-PROGRAM ARGS...]``
it is also its workers' process supervisor (:mod:`.launch`; the worker program is
``python -m twinbook.swarm.worker`` unless given). Its exit status, as the Go
program's: 0 when stopped, 1 when it cannot serve, 2 for bad flags (an invalid
supervisor spec names its field; a worker program that cannot be found is named),
3 when the supervisor gave up.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import queue
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import grpc

from twinbook._proto.swarm.v1 import swarm_pb2, swarm_pb2_grpc
from twinbook.supervisor import SpecError

from .events import EventLog, code_name
from .launch import LaunchConfig, SupervisorGaveUp, supervise_workers, worker_spec
from .server import new_server

__all__ = ["MAX_FINISHED_TASKS", "MAX_TASK_ID_LEN", "Coordinator", "CoordinatorConfig"]

MAX_FINISHED_TASKS = 100_000
"""Finished tasks remembered for duplicate ids and late results; older ones are forgotten,
first finished first, so that a long-running coordinator does not grow without bound."""

MAX_TASK_ID_LEN = 128
"""A SubmitRequest's task_id is a name, not a payload."""

NO_DEADLINE_S = 1e9
"""A sync grpcio server reports ~9.2e15 s left for a call without a deadline."""

CODES = {code.value[0]: code for code in grpc.StatusCode}


@dataclass(frozen=True)
class CoordinatorConfig:
    """``lease_ms``: how long a task is held without a heartbeat naming it, and how
    long a worker may stay silent before it gets no new tasks; ``max_finished``: how
    many finished tasks it remembers."""

    lease_ms: int = 10_000
    max_finished: int = MAX_FINISHED_TASKS


class ProtocolError(Exception):
    """A worker broke the protocol: its session ends with this status."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(eq=False)
class _Task:
    id: str
    kind: str
    input: bytes
    deadline: float | None  # monotonic seconds
    attempt: int = 0
    holder: _Session | None = None
    lease_end: float = 0.0
    finished: bool = False
    by_worker: bool = False  # finished by a worker's result, not by its caller giving up
    done: threading.Event = field(default_factory=threading.Event)
    response: Any = None
    error: tuple[grpc.StatusCode, str] | None = None


@dataclass(eq=False)
class _Session:
    id: str
    language: str
    kinds: frozenset[str]
    credits: int = 0
    held: dict[str, _Task] = field(default_factory=dict)
    last_seen: float = field(default_factory=time.monotonic)
    silent: bool = False
    gone: bool = False
    # what to send; None ends the stream
    out: queue.SimpleQueue[Any] = field(default_factory=queue.SimpleQueue)
    error: ProtocolError | None = None


class Coordinator(swarm_pb2_grpc.CoordinatorServicer):
    """The coordinator's state and its two RPCs; :meth:`close` stops the lease checker."""

    def __init__(
        self, config: CoordinatorConfig | None = None, events: EventLog | None = None
    ) -> None:
        self.config = config or CoordinatorConfig()
        self.lease = self.config.lease_ms / 1000
        self.events = events or EventLog(None)
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._tasks: dict[str, _Task] = {}
        self._queue: list[_Task] = []
        self._held: dict[str, _Task] = {}
        self._finished: collections.deque[_Task] = collections.deque()
        self._ids = itertools.count(1)
        self._duplicates = 0
        self._stop = threading.Event()
        self._checker = threading.Thread(
            target=self._check_leases, name="swarm-leases", daemon=True
        )
        self._checker.start()

    @property
    def duplicates(self) -> int:
        """How many results arrived for tasks a worker had already finished."""
        with self._lock:
            return self._duplicates

    def close(self) -> None:
        """Stop the lease checker and end every session's stream."""
        self._stop.set()
        self._checker.join()
        with self._lock:
            for s in self._sessions.values():
                s.out.put(None)

    # -- Work: one worker's session ---------------------------------------------------

    def Work(self, request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        first = next(request_iterator, None)
        if first is None or first.WhichOneof("kind") != "hello":
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "swarm: a worker's first message must be a Hello"
            )
        hello = first.hello
        if not hello.worker_id:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "swarm: hello.worker_id is empty")
        s = _Session(hello.worker_id, hello.language, frozenset(hello.kinds))
        with self._lock:
            old = self._sessions.get(s.id)
            if old is not None and not old.gone:
                context.abort(
                    grpc.StatusCode.ALREADY_EXISTS, f"swarm: worker {s.id!r} is already connected"
                )
            self._sessions[s.id] = s
        self.events.emit("hello", worker=s.id, kinds=sorted(s.kinds), language=s.language)
        context.add_callback(lambda: s.out.put(None))  # the stream ended: stop sending
        reader = threading.Thread(
            target=self._receive, args=(s, request_iterator), name=f"swarm-recv-{s.id}", daemon=True
        )
        reader.start()
        try:
            while (message := s.out.get()) is not None:
                yield message
        finally:
            with self._lock:
                s.gone = True
                s.credits = 0
                held = len(s.held)
            reader.join(timeout=1)
            self.events.emit("worker_gone", worker=s.id, held=held, error=str(s.error or ""))
        if s.error is not None:
            context.abort(s.error.code, str(s.error))

    def _receive(self, s: _Session, request_iterator: Iterator[Any]) -> None:
        """Read a session's messages until its stream ends, then end the sending side."""
        try:
            for message in request_iterator:
                self._handle(s, message)
        except ProtocolError as exc:
            s.error = exc
        except grpc.RpcError:
            pass  # the worker went away: its leases run out
        finally:
            s.out.put(None)

    def _handle(self, s: _Session, message: Any) -> None:
        kind = message.WhichOneof("kind")
        with self._lock:
            s.last_seen = time.monotonic()
            if s.silent:
                s.silent = False
                self.events.emit("worker_back", worker=s.id)
            if kind == "credit":
                n = message.credit.tasks
                if n <= 0:
                    raise ProtocolError(
                        grpc.StatusCode.INVALID_ARGUMENT,
                        f"swarm: credit.tasks must be > 0, got {n}",
                    )
                s.credits += n
                self.events.emit("credit", worker=s.id, tasks=n, credits=s.credits)
                self._dispatch()
            elif kind == "heartbeat":
                end = time.monotonic() + self.lease
                for task_id in message.heartbeat.running:
                    if (t := s.held.get(task_id)) is not None:
                        t.lease_end = end
            elif kind == "result":
                self._result(s, message.result)
            elif kind == "hello":
                raise ProtocolError(
                    grpc.StatusCode.INVALID_ARGUMENT, "swarm: a second Hello on the same session"
                )
            else:
                raise ProtocolError(
                    grpc.StatusCode.INVALID_ARGUMENT, "swarm: an empty WorkerMessage"
                )

    # docs:start first-result
    def _result(self, s: _Session, r: Any) -> None:
        """The first result for a task wins; later ones are duplicates. Lock held."""
        t = self._tasks.get(r.task_id)
        if t is None:
            self.events.emit("unknown_result", worker=s.id, task=r.task_id)
            return
        s.held.pop(t.id, None)
        if t.finished and not t.by_worker:
            # Its caller gave up (or its deadline passed) and the worker answered
            # anyway.
            self.events.emit("late_result", worker=s.id, task=t.id)
            return
        if t.finished:
            self._duplicates += 1
            self.events.emit(
                "duplicate",
                worker=s.id,
                task=t.id,
                duplicates=self._duplicates,
            )
            return
        # docs:end first-result
        other = t.holder
        t.by_worker = True
        if r.WhichOneof("outcome") == "error":
            code = CODES.get(r.error.code, grpc.StatusCode.UNKNOWN)
            self._finish(t, error=(code, r.error.message))
            outcome = code_name(code)
        else:
            response = swarm_pb2.SubmitResponse(
                task_id=t.id, output=r.output, worker_id=s.id, attempts=t.attempt
            )
            self._finish(t, response=response)
            outcome = "ok"
        self.events.emit("result", worker=s.id, task=t.id, attempt=t.attempt, outcome=outcome)
        if other is not None and other is not s:
            self._send_cancel(other, t.id)  # its lease ran out and another worker has it

    def _finish(
        self, t: _Task, response: Any = None, error: tuple[grpc.StatusCode, str] | None = None
    ) -> None:
        if t.finished:
            return
        t.finished, t.response, t.error = True, response, error
        self._remember(t)
        if t.holder is not None:
            t.holder.held.pop(t.id, None)
            t.holder = None
        self._held.pop(t.id, None)
        if t in self._queue:
            self._queue.remove(t)
        t.done.set()

    def _remember(self, t: _Task) -> None:
        """Keep a finished task, forgetting the oldest beyond ``max_finished``. Lock held."""
        self._finished.append(t)
        if len(self._finished) > self.config.max_finished:
            old = self._finished.popleft()
            if self._tasks.get(old.id) is old:
                del self._tasks[old.id]

    def _send_cancel(self, s: _Session, task_id: str) -> None:
        s.held.pop(task_id, None)
        s.out.put(swarm_pb2.CoordinatorMessage(cancel=swarm_pb2.Cancel(task_id=task_id)))
        self.events.emit("cancel", worker=s.id, task=task_id)

    # docs:start dispatch
    def _dispatch(self) -> None:
        """Hand queued tasks, oldest first, to the worker with the most credit.
        Lock held."""
        now = time.monotonic()
        kept: list[_Task] = []
        for t in self._queue:
            if t.deadline is not None and now >= t.deadline:
                t.finished = True
                t.error = (
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    "swarm: the task's deadline passed in the queue",
                )
                self._remember(t)
                t.done.set()
                continue
            able = [
                s
                for s in self._sessions.values()
                if not s.gone and not s.silent and s.credits > 0 and t.kind in s.kinds
            ]
            if not able:
                kept.append(t)
                continue
            self._assign(max(able, key=lambda s: s.credits), t, now)
        self._queue = kept

    # docs:end dispatch

    def _assign(self, s: _Session, t: _Task, now: float) -> None:
        s.credits -= 1
        t.attempt += 1
        t.holder = s
        t.lease_end = now + self.lease
        s.held[t.id] = t
        self._held[t.id] = t
        budget = max(1, int((t.deadline - now) * 1000)) if t.deadline is not None else 0
        task = swarm_pb2.Task(
            task_id=t.id,
            kind=t.kind,
            input=t.input,
            budget_ms=budget,
            lease_ms=self.config.lease_ms,
            attempt=t.attempt,
        )
        s.out.put(swarm_pb2.CoordinatorMessage(task=task))
        self.events.emit(
            "assign",
            worker=s.id,
            task=t.id,
            attempt=t.attempt,
            held=len(s.held),
            credits=s.credits,
            budget_ms=budget,
        )

    def _check_leases(self) -> None:
        interval = max(self.lease / 5, 0.005)
        while not self._stop.wait(interval):
            self._expire(time.monotonic())

    # docs:start expire
    def _expire(self, now: float) -> None:
        """Report silent workers; put tasks whose lease ran out back at the head of
        the queue."""
        with self._lock:
            for s in self._sessions.values():
                if not s.gone and not s.silent and now - s.last_seen > self.lease:
                    s.silent = True
                    self.events.emit("worker_silent", worker=s.id, held=len(s.held))
            again = sorted(
                (t for t in self._held.values() if now > t.lease_end),
                key=lambda t: t.lease_end,
            )
            for t in again:
                assert t.holder is not None
                self.events.emit(
                    "lease_expired",
                    worker=t.holder.id,
                    task=t.id,
                    attempt=t.attempt,
                )
                t.holder.held.pop(t.id, None)
                self._held.pop(t.id, None)
                t.holder = None
            if again or self._queue:
                self._queue = again + self._queue
                self._dispatch()

    # docs:end expire

    # -- Submit: run one task and wait for its result ---------------------------------

    def Submit(self, request: Any, context: grpc.ServicerContext) -> Any:
        if not request.kind:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "swarm: submit: kind is empty")
        if len(request.task_id) > MAX_TASK_ID_LEN:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"swarm: submit: task_id is longer than {MAX_TASK_ID_LEN} bytes",
            )
        left = context.time_remaining()
        deadline = time.monotonic() + left if left is not None and left < NO_DEADLINE_S else None
        try:
            t, created = self._enqueue(request, deadline)
        except ProtocolError as exc:
            context.abort(exc.code, str(exc))
        if created:  # another caller's task (the same id) keeps its own deadline and cancel
            # Fires when the call ends for any reason; only a caller who gave up finds it unfinished.
            context.add_callback(lambda: self._caller_gone(t))
        while not t.done.wait(0.5):
            if not context.is_active():
                if not created:
                    context.abort(grpc.StatusCode.CANCELLED, "swarm: the caller gave up")
                self._caller_gone(t)
        if t.error is not None:
            context.abort(*t.error)
        return t.response

    def _enqueue(self, request: Any, deadline: float | None) -> tuple[_Task, bool]:
        """The task of the request's id, or a new one queued (and then True)."""
        with self._lock:
            if request.task_id and (t := self._tasks.get(request.task_id)) is not None:
                self.events.emit("same_task", task=t.id)
                return t, False
            if not any(not s.gone and request.kind in s.kinds for s in self._sessions.values()):
                raise ProtocolError(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"swarm: no worker runs tasks of kind {request.kind!r}",
                )
            task_id = request.task_id
            while not task_id or task_id in self._tasks:
                task_id = f"t{next(self._ids)}"
            t = _Task(task_id, request.kind, request.input, deadline)
            self._tasks[task_id] = t
            self._queue.append(t)
            self.events.emit("submit", task=task_id, kind=t.kind)
            self._dispatch()
            return t, True

    def _caller_gone(self, t: _Task) -> None:
        """The Submit call ended; if the task had not, cancel it and tell its worker."""
        with self._lock:
            if t.finished:
                return
            holder = t.holder
            expired = t.deadline is not None and time.monotonic() >= t.deadline
            code = grpc.StatusCode.DEADLINE_EXCEEDED if expired else grpc.StatusCode.CANCELLED
            self._finish(t, error=(code, "swarm: the caller gave up"))
            self.events.emit("submit_ended", task=t.id, cause=code_name(code))
            if holder is not None:
                self._send_cancel(holder, t.id)


EXIT_FAILED, EXIT_USAGE, EXIT_GAVE_UP = 1, 2, 3
"""The program's exit statuses, as ``go/cmd/swarm-coordinator``'s."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m twinbook.swarm.coordinator", description=__doc__
    )
    parser.add_argument(
        "--address", "-address", default="127.0.0.1:0", help="host:port to listen on"
    )
    parser.add_argument(
        "--lease-ms", "-lease-ms", type=int, default=10_000, help="a task's lease, in ms"
    )
    parser.add_argument(
        "--workers", "-workers", type=int, default=0, help="worker processes to supervise"
    )
    parser.add_argument(
        "--intensity", "-intensity", type=int, default=3, help="restarts allowed per period"
    )
    parser.add_argument(
        "--period-ms", "-period-ms", type=int, default=5000, help="the intensity's period"
    )
    parser.add_argument(
        "--restart", "-restart", default="permanent", help="the workers' restart type"
    )
    parser.add_argument(
        "--grace-ms", "-grace-ms", type=int, default=5000, help="SIGTERM to SIGKILL, in ms"
    )
    parser.add_argument("worker", nargs="*", help="the worker program and its arguments")
    args = parser.parse_args(argv)
    if args.lease_ms <= 0:
        parser.error("--lease-ms must be > 0")
    if args.workers < 0:
        parser.error("--workers must be >= 0")
    launch = LaunchConfig(
        workers=args.workers,
        intensity=args.intensity,
        period_ms=args.period_ms,
        restart=args.restart,
        worker=args.worker or [sys.executable, "-m", "twinbook.swarm.worker"],
        grace=args.grace_ms / 1000,
    )
    if launch.workers > 0:
        try:
            worker_spec(launch)  # before anything runs: nothing to clean up
        except SpecError as e:
            print(f"swarm-coordinator: swarm: the workers' supervisor: {e}", file=sys.stderr)
            return EXIT_USAGE
        # A program that cannot start would crash every run until the supervisor gave up.
        if shutil.which(launch.worker[0]) is None:
            print(
                "swarm-coordinator: swarm: the workers' supervisor: worker program: "
                f"{launch.worker[0]!r} not found",
                file=sys.stderr,
            )
            return EXIT_USAGE
    events = EventLog(sys.stderr)
    coordinator = Coordinator(CoordinatorConfig(lease_ms=args.lease_ms), events)
    server, executor = new_server(
        lambda s: swarm_pb2_grpc.add_CoordinatorServicer_to_server(coordinator, s),  # type: ignore[no-untyped-call]  # generated stubs are untyped
        "swarm.v1.Coordinator",
    )
    port = server.add_insecure_port(args.address)
    if port == 0:
        print(f"swarm-coordinator: cannot listen on {args.address}", file=sys.stderr)
        return EXIT_FAILED
    server.start()
    address = f"{args.address.rsplit(':', 1)[0]}:{port}"
    print(address, flush=True)
    status = 0
    try:
        if launch.workers > 0:
            asyncio.run(_supervise(replace(launch, address=address), events))
        else:
            _wait_for_a_signal()
    except SupervisorGaveUp as e:
        print(f"swarm-coordinator: swarm: the workers' supervisor: {e}", file=sys.stderr)
        status = EXIT_GAVE_UP
    finally:
        coordinator.close()
        server.stop(grace=None).wait()
        executor.shutdown(wait=False, cancel_futures=True)
    return status


def _wait_for_a_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.2):  # a short wait: the signal handler runs between waits
        pass


async def _supervise(launch: LaunchConfig, events: EventLog) -> None:
    """Supervise the workers until SIGTERM or SIGINT; they write to our stderr."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await supervise_workers(launch, events, stop, stderr=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
