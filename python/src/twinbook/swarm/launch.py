"""The coordinator's process supervisor: N worker processes under the chapter's supervisor rules.

The Go twin is ``go/swarm/launch.go``. ``python -m twinbook.swarm.coordinator --workers N``
runs :func:`supervise_workers` beside its server: workers ``w1`` to ``wN``, one_for_one
(a worker's crash restarts that worker only), each a :class:`~twinbook.supervisor.ProcessChild`
of the one process launcher, and every action of the supervisor written to the event log
as a ``supervisor`` event. More restarts than the intensity allows within the period and
the supervisor gives up: it has terminated every worker by then, and
:class:`SupervisorGaveUp` says so.

Each run of a worker gets a fresh id, the child's path and its run number (``w1.1``, then
``w1.2`` after a restart), so that a restarted worker never meets its predecessor's
session under the same name at the coordinator (the coordinator refuses a second session
with a live one's id, and it may not yet have seen the dead one's stream end).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from twinbook.supervisor import (
    Exited,
    ProcessChild,
    Reason,
    Spec,
    Supervisor,
    parse_spec,
)

from .events import EventLog

__all__ = ["GAVE_UP", "LaunchConfig", "SupervisorGaveUp", "supervise_workers", "worker_spec"]

GAVE_UP = "supervisor: gave up: more restarts than its intensity allows within its period"
"""The message of :class:`SupervisorGaveUp`, the same as Go's ``supervisor.ErrGaveUp``."""


class SupervisorGaveUp(RuntimeError):
    """The workers' supervisor exceeded its restart intensity and stopped, its workers terminated."""

    def __init__(self) -> None:
        super().__init__(GAVE_UP)


@dataclass(frozen=True)
class LaunchConfig:
    """The coordinator's supervised workers.

    ``worker`` is the worker program and its arguments; each run gets
    ``--address ADDRESS --id ID`` added. ``grace`` is seconds between SIGTERM
    and SIGKILL when a worker is terminated.
    """

    workers: int
    intensity: int = 3
    period_ms: int = 5000
    restart: str = "permanent"
    worker: Sequence[str] = ()
    address: str = ""
    grace: float = 5.0


def worker_spec(config: LaunchConfig) -> Spec:
    """The workers' supervisor spec; a :class:`~twinbook.supervisor.SpecError` names a bad field."""
    return parse_spec(
        {
            "strategy": "one_for_one",
            "intensity": config.intensity,
            "period_ms": config.period_ms,
            "children": [
                {"id": f"w{i + 1}", "restart": config.restart} for i in range(config.workers)
            ],
        }
    )


class _SupervisorLog(list[str]):
    """The supervisor's action log, each action also written as a ``supervisor`` event."""

    def __init__(self, events: EventLog) -> None:
        super().__init__()
        self._events = events

    def append(self, action: str) -> None:
        super().append(action)
        op, _, path = action.partition(" ")
        self._events.emit("supervisor", op=op, path=path)


class _Worker:
    """One worker's slot: a :class:`ProcessChild` whose runs and ends go to the event log."""

    def __init__(
        self, config: LaunchConfig, path: str, events: EventLog, stderr: IO[Any] | None
    ) -> None:
        self._path = path
        self._events = events
        self._config = config
        self._id = ""  # the current run's worker id
        self._child = ProcessChild(self._argv, grace=config.grace, stderr=stderr)

    def _argv(self, run: int) -> list[str]:
        self._id = f"{self._path}.{run}"
        return [*self._config.worker, "--address", self._config.address, "--id", self._id]

    async def start(self, exited: Exited) -> None:
        def ended(reason: Reason) -> None:
            if reason is not Reason.SHUTDOWN:  # a shutdown is the supervisor's own doing
                self._events.emit("supervisor", op="exit", path=self._path, reason=str(reason))
            exited(reason)

        try:
            await self._child.start(ended)
        except OSError as e:
            self._events.emit("worker_start_failed", path=self._path, worker=self._id, error=str(e))
            raise
        self._events.emit("worker_process", path=self._path, worker=self._id, pid=self._child.pid)

    async def terminate(self) -> None:
        await self._child.terminate()


async def supervise_workers(
    config: LaunchConfig, events: EventLog, stop: asyncio.Event, stderr: IO[Any] | None = None
) -> None:
    """Start the workers and supervise them until ``stop`` is set (then terminate them).

    Raises :class:`SupervisorGaveUp` when the supervisor gives up. Either way no
    worker is left running when it returns. ``stderr`` is the workers' (None: discarded).
    """
    spec = worker_spec(config)
    if not config.worker:
        raise ValueError("swarm: the workers' supervisor: no worker program")
    workers = {child.id: _Worker(config, child.id, events, stderr) for child in spec.children}
    sup = Supervisor(spec, workers, log=_SupervisorLog(events))
    await sup.start()
    ended = asyncio.ensure_future(sup.wait())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({ended, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in (ended, stopped):
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
        await sup.close()  # nothing if it gave up: its workers are terminated already
    if sup.gave_up:
        raise SupervisorGaveUp
