"""The registry's compatibility levels: :class:`Level`, :func:`parse_level`, :func:`compatible`."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from .model import Schema
from .resolve import can_read


class LevelError(ValueError):
    """An unknown compatibility level: a registry answers it 422 (error code 42203)."""


class Level(StrEnum):
    """Against which of a subject's schemas, and in which direction, a new one is checked.

    The values are spelt as Confluent's Schema Registry spells them.
    """

    BACKWARD = "BACKWARD"
    """The new schema reads data written with the latest (consumers upgrade first); the
    default of a new registry."""
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    """The new schema reads data of every earlier one."""
    FORWARD = "FORWARD"
    """The latest schema reads data written with the new one (producers upgrade first)."""
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    """Every earlier schema reads the new one's data."""
    FULL = "FULL"
    """BACKWARD and FORWARD against the latest."""
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    """BACKWARD and FORWARD against every earlier schema."""
    NONE = "NONE"
    """No check at all."""


def parse_level(s: str) -> Level:
    """A level by its name, in any letter case (Confluent's registry accepts ``backward``)."""
    for level in Level:
        if isinstance(s, str) and s.upper() == level.value:
            return level
    raise LevelError(f"invalid compatibility level: {s!r} is not one of {[str(v) for v in Level]}")


_TRANSITIVE = {Level.BACKWARD_TRANSITIVE, Level.FORWARD_TRANSITIVE, Level.FULL_TRANSITIVE}
_BACKWARD = {Level.BACKWARD, Level.BACKWARD_TRANSITIVE, Level.FULL, Level.FULL_TRANSITIVE}
_FORWARD = {Level.FORWARD, Level.FORWARD_TRANSITIVE, Level.FULL, Level.FULL_TRANSITIVE}


# docs:start compatible
def compatible(level: Level, candidate: Schema, existing: Sequence[Schema]) -> bool:
    """Whether ``candidate`` may join a subject whose schemas are ``existing``.

    ``existing`` is oldest first. The non-transitive levels check the latest only, the
    transitive ones every schema; BACKWARD means the candidate reads the old schema's
    data, FORWARD the reverse, FULL both. A subject with no schema accepts any, and NONE
    accepts anything.
    """
    level = Level(level)
    if level is Level.NONE:
        return True
    against = list(existing) if level in _TRANSITIVE else list(existing)[-1:]
    return all(
        (level not in _BACKWARD or can_read(candidate, old))
        and (level not in _FORWARD or can_read(old, candidate))
        for old in against
    )


# docs:end compatible
