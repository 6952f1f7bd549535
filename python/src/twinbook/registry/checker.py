"""What the registry needs of an Avro implementation (the Go twin is
``go/registry/checker.go``): parse a schema with the schemas its references name, judge a
candidate against a subject's history at a level, read a level's name. The registry's
rules do not depend on how schemas are judged, so its tests may run on any Checker;
:class:`AvroChecker` is the project's, on :mod:`twinbook.schema`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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
