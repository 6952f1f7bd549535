"""What a saga is made of, and the checks that refuse a bad one before anything runs."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

_NAME = re.compile(r"[^\s:]+")


class InvalidSaga(ValueError):
    """A :class:`Definition` is refused; the message names the step and what is wrong."""


class Kind(StrEnum):
    """Whether an attempt is a step's action or its compensation."""

    ACTION = "action"
    COMPENSATION = "compensation"


def key(saga_id: str, step: str, kind: Kind) -> str:
    """The idempotency key of ``saga_id``'s ``step``'s attempts of ``kind``: the same on
    every attempt, repetitions after a crash included, so a participant can deduplicate."""
    return f"{saga_id}:{step}:{kind}"


@dataclass(frozen=True)
class Call:
    """What a participant is called with."""

    saga_id: str
    step: str
    kind: Kind
    key: str


#: An action or a compensation. Raising an :class:`Exception` is a failed attempt; a
#: :class:`BaseException` that is not one (``KeyboardInterrupt``, ``SystemExit``) is not
#: caught: it is the process going away, and :meth:`Orchestrator.resume` in the next one
#: repeats the attempt.
Participant = Callable[[Call], None]


@dataclass(frozen=True)
class Step:
    """One step: ``name`` (not empty, no ``:`` nor whitespace, unique in its saga),
    ``retries`` (how many more times a failing action is attempted; compensations are
    retried until they succeed), the ``action`` and its ``compensation`` (only the last
    step may have none: no later step can fail after it)."""

    name: str
    action: Participant
    compensation: Participant | None = None
    retries: int = 0


@dataclass(frozen=True)
class Definition:
    """A saga's steps under a name; the name is stored with every saga run from it, so
    that :meth:`Orchestrator.resume` finishes only its own."""

    id: str
    steps: Sequence[Step]

    def validate(self) -> None:
        """Raise :class:`InvalidSaga` naming the first fault, if any."""
        if not self.id:
            raise InvalidSaga("empty definition id")
        if not self.steps:
            raise InvalidSaga(f"{self.id}: no steps")
        seen: set[str] = set()
        last = len(self.steps) - 1
        for i, step in enumerate(self.steps):
            where = f"{self.id}: step {i}"
            if not step.name:
                raise InvalidSaga(f"{where}: empty step name")
            if not _NAME.fullmatch(step.name):
                raise InvalidSaga(f"{where}: step name {step.name!r} has ':' or whitespace")
            if step.name in seen:
                raise InvalidSaga(f"{where}: duplicate step name {step.name!r}")
            if type(step.retries) is not int or step.retries < 0:
                raise InvalidSaga(f"{where}: retries {step.retries!r} is not a whole number >= 0")
            if not callable(step.action):
                raise InvalidSaga(f"{where}: no action for {step.name!r}")
            if step.compensation is None and i < last:
                raise InvalidSaga(
                    f"{where}: no compensation for {step.name!r} (only the last step may have none)"
                )
            seen.add(step.name)
