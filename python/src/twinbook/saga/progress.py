"""What the orchestrator persists, and the protocol of the logs that persist it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from .definition import Kind


class UnknownSaga(LookupError):
    """A log was asked about a saga it has no record of."""


class OtherDefinition(ValueError):
    """A saga id already belongs to a saga of another definition: one id, one saga."""


class State(StrEnum):
    """Where a saga is."""

    RUNNING = "running"
    COMPENSATING = "compensating"
    COMPLETED = "completed"
    COMPENSATED = "compensated"

    @property
    def finished(self) -> bool:
        return self in (State.COMPLETED, State.COMPENSATED)


class Result(StrEnum):
    """What a log entry says of an attempt: ``started`` before the participant is called,
    ``ok`` or ``fail`` after. A ``started`` with nothing after it is a crashed attempt."""

    STARTED = "started"
    OK = "ok"
    FAIL = "fail"


@dataclass(frozen=True)
class Progress:
    """Everything needed to go on after a crash. ``step`` is the step to attempt next (its
    action while running, its compensation while compensating, counting down); ``failures``
    counts the current attempt's recorded failures: a crashed attempt never got recorded,
    so it is not one."""

    saga_id: str
    definition: str
    state: State = State.RUNNING
    step: int = 0
    failures: int = 0


@dataclass(frozen=True)
class Entry:
    """One line of a saga's log."""

    step: str
    kind: Kind
    result: Result


class Log(Protocol):
    """Persists sagas' progress. Each method is one durable transition, written atomically
    (:class:`~twinbook.saga.store_log.StoreLog`: one transaction each)."""

    def begin(self, progress: Progress) -> Progress:
        """Record ``progress`` as a new saga unless its id is recorded; return what is."""
        ...

    def start(self, saga_id: str, step: str, kind: Kind) -> None:
        """Append a ``started`` entry for an attempt about to be made."""
        ...

    def finish(self, saga_id: str, step: str, kind: Kind, result: Result, nxt: Progress) -> None:
        """Append the attempt's result and store ``nxt``, together."""
        ...

    def load(self, saga_id: str) -> Progress:
        """A saga's progress; :class:`UnknownSaga` if there is none."""
        ...

    def unfinished(self, definition: str) -> list[str]:
        """The ids of ``definition``'s sagas not yet completed or compensated, oldest first."""
        ...

    def entries(self, saga_id: str) -> list[Entry]:
        """A saga's log, in order."""
        ...
