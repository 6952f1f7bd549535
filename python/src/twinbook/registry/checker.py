"""What the registry needs of an Avro implementation (the Go twin is
``go/registry/checker.go``): parse a schema with the schemas its references name, judge a
candidate against a subject's history at a level, read a level's name. The registry's
rules do not depend on how schemas are judged, so its tests may run on any Checker;
:class:`AvroChecker` is the project's, on :mod:`twinbook.schema`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from twinbook import schema


class Parsed(Protocol):
    """A parsed schema; ``canonical`` is the normalized text deduplication uses."""

    @property
    def canonical(self) -> str: ...


class Checker(Protocol):
    """Parse, judge, read levels."""

    def parse(self, text: str, references: Sequence[Parsed]) -> Parsed:
        """Parse ``text``; ValueError saying what is invalid."""

    def compatible(self, level: str, candidate: Parsed, existing: Sequence[Parsed]) -> bool:
        """Whether ``candidate`` may follow ``existing`` (oldest first) at ``level``."""

    def parse_level(self, s: str) -> str:
        """The level named by ``s`` as Confluent spells it; ValueError otherwise."""


@runtime_checkable
class Explainer(Protocol):
    """A Checker that can also say why a candidate is refused: the registry then names the
    failed rule in its 409 on register and in its verbose compatibility answers, as
    Confluent's does. A Checker without it gets a message that names only the level."""

    def explain(
        self, level: str, candidate: Parsed, existing: Sequence[Parsed]
    ) -> tuple[int, str] | None:
        """None when ``candidate`` may follow ``existing`` at ``level``; else the index in
        ``existing`` of the first schema it fails against, and why."""


class AvroChecker:
    """Avro's schema resolution and Confluent's seven levels (:mod:`twinbook.schema`)."""

    def parse(self, text: str, references: Sequence[Parsed]) -> Parsed:
        refs = [r for r in references if isinstance(r, schema.Schema)]
        if len(refs) != len(references):
            raise ValueError("a reference was not parsed by AvroChecker")
        return schema.parse(text, refs)

    def compatible(self, level: str, candidate: Parsed, existing: Sequence[Parsed]) -> bool:
        olds = [e for e in existing if isinstance(e, schema.Schema)]
        if not isinstance(candidate, schema.Schema) or len(olds) != len(existing):
            return False
        return schema.compatible(schema.parse_level(level), candidate, olds)

    def parse_level(self, s: str) -> str:
        return str(schema.parse_level(s))

    def explain(
        self, level: str, candidate: Parsed, existing: Sequence[Parsed]
    ) -> tuple[int, str] | None:
        """The schemas the level compares, in the order :func:`schema.compatible` compares
        them, and :func:`schema.explain`'s path and rule for the first pair that fails,
        with the direction it failed in."""
        if not isinstance(candidate, schema.Schema):
            return (0, "the candidate was not parsed by AvroChecker") if existing else None
        lvl = schema.parse_level(level)
        if lvl is schema.Level.NONE:
            return None
        first = 0
        if lvl in (schema.Level.BACKWARD, schema.Level.FORWARD, schema.Level.FULL):
            first = max(len(existing) - 1, 0)
        backward = lvl not in (schema.Level.FORWARD, schema.Level.FORWARD_TRANSITIVE)
        forward = lvl not in (schema.Level.BACKWARD, schema.Level.BACKWARD_TRANSITIVE)
        for i in range(first, len(existing)):
            old = existing[i]
            if not isinstance(old, schema.Schema):
                return i, "a schema was not parsed by AvroChecker"
            if backward and (found := schema.explain(candidate, old)) is not None:
                return i, f"the new schema cannot read data written with it: {found}"
            if forward and (found := schema.explain(old, candidate)) is not None:
                return i, f"it cannot read data written with the new schema: {found}"
        return None
