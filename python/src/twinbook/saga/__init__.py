"""Chapter 5: sagas, an orchestrator whose progress survives a crash.

A saga is an ordered list of steps, each an action and (except possibly the last) a
compensation. The orchestrator persists its progress before and after every attempt, so a
new process finishes what a crashed one started; every attempt carries the idempotency key
``<saga id>:<step>:action`` or ``...:compensation``, the same each time, because a crash
between a participant's work and the orchestrator's record of it makes the orchestrator
call again. The rules are the saga section of ``book/appendix/spec-idempotency.md``.

The Go twin is package ``twinbook/saga``. One concern per module:

============  ======================================================================
module        what it holds
============  ======================================================================
definition    :class:`Definition`, :class:`Step`, :class:`Call`, :class:`Kind`,
              :func:`key`, :class:`InvalidSaga`
progress      :class:`State`, :class:`Progress`, :class:`Entry`, :class:`Log` (the protocol)
memory        :class:`MemoryLog`: progress in memory, for tests and examples
store_log     :class:`StoreLog`: progress in a :mod:`twinbook.store` (SQLite or PostgreSQL)
orchestrator  :class:`Orchestrator`: ``run`` and ``resume``; :class:`Options`
============  ======================================================================

It is synchronous on purpose: the steps of a saga run one after the other, so a task
buys nothing, and a sync participant may be any function; call it from a thread (or
``asyncio.to_thread``) to use it from async code.
"""

from __future__ import annotations

from .definition import Call, Definition, InvalidSaga, Kind, Participant, Step, key
from .memory import MemoryLog
from .orchestrator import Options, Orchestrator, SagaCancelled, default_backoff, no_backoff
from .progress import Entry, Log, OtherDefinition, Progress, Result, State, UnknownSaga
from .store_log import SCHEMA, StoreLog

__all__ = [
    "Call",
    "Definition",
    "Entry",
    "InvalidSaga",
    "Kind",
    "Log",
    "MemoryLog",
    "Options",
    "Orchestrator",
    "OtherDefinition",
    "Participant",
    "Progress",
    "Result",
    "SCHEMA",
    "SagaCancelled",
    "State",
    "Step",
    "StoreLog",
    "UnknownSaga",
    "default_backoff",
    "key",
    "no_backoff",
]
