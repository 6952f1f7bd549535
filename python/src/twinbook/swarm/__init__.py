"""Chapter 3's swarm: a coordinator and worker processes over gRPC (``proto/swarm/v1``).

The Go twin is ``go/swarm``, with the same names, flags and event log, so that a Go
coordinator drives Python workers and the other way round. One concern per module:

==============  ======================================================================
module          what it holds
==============  ======================================================================
coordinator     :class:`Coordinator` (queue, credits, leases, Submit) and its program
worker          :class:`Worker` (Hello, credits, heartbeats, tasks under deadlines)
taskcontext     :class:`TaskContext`: a task's deadline and cancellation, passed on
kinds           the task kinds: ``square``, ``sleep``, ``flaky``
flaky           a ``flaky.v1`` server that records how each call ended, and its program
server          a gRPC server with health and reflection, as every server has
events          :class:`EventLog`: JSON lines that tests and people read
launch          the coordinator's process supervisor: N worker processes, supervised
==============  ======================================================================

grpcio does not carry a deadline or a cancellation from an incoming call to the
calls it makes, as gRPC-Go's ``context`` does: :class:`TaskContext` is how the
Python side does it by hand (the remaining time as each call's ``timeout``, and a
callback that cancels the call when the task is cancelled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .events import EventLog
from .launch import LaunchConfig, SupervisorGaveUp, supervise_workers, worker_spec
from .taskcontext import TaskContext, TaskFailed

if TYPE_CHECKING:
    from .coordinator import Coordinator, CoordinatorConfig
    from .worker import CoordinatorGone, CoordinatorRefused, Worker, WorkerConfig, WorkerConfigError

# The coordinator and the worker are programs too (python -m twinbook.swarm.worker): importing
# them here, eagerly, would load them twice under runpy. They load on first use instead.
_LAZY = {
    "Coordinator": "coordinator",
    "CoordinatorConfig": "coordinator",
    "CoordinatorGone": "worker",
    "CoordinatorRefused": "worker",
    "Worker": "worker",
    "WorkerConfig": "worker",
    "WorkerConfigError": "worker",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Coordinator",
    "CoordinatorConfig",
    "CoordinatorGone",
    "CoordinatorRefused",
    "EventLog",
    "LaunchConfig",
    "SupervisorGaveUp",
    "TaskContext",
    "TaskFailed",
    "Worker",
    "WorkerConfig",
    "WorkerConfigError",
    "supervise_workers",
    "worker_spec",
]
