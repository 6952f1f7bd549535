"""The parsed model: :class:`Schema` and :class:`Field`.

A named type used twice (or recursively) is one :class:`Schema` object, so resolution can
tell that a pair of types is already being compared; identity, not value, is what counts,
hence ``eq=False``. Schemas are built by :func:`twinbook.schema.parse` and not changed after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NAMED = frozenset({"record", "error", "enum", "fixed"})


class SchemaError(ValueError):
    """An invalid schema; the message names the place at fault and what is wrong.

    A registry answers such a schema 422 (error code 42201), never "compatible".
    """


@dataclass(eq=False)
class Field:
    """One field of a record. ``default`` is meaningful only when ``has_default``."""

    name: str
    type: Schema
    aliases: tuple[str, ...] = ()
    default: Any = None
    has_default: bool = False
    order: str = "ascending"


@dataclass(eq=False)
class Schema:
    """One Avro schema: a primitive, a named type, an array, a map or a union.

    ``type`` is a primitive's name or ``record``, ``error``, ``enum``, ``fixed``, ``array``,
    ``map``, ``union``; ``name`` is a named type's full name (``""`` for the others);
    ``items`` is an array's items or a map's values.
    """

    type: str
    name: str = ""
    aliases: tuple[str, ...] = ()
    fields: list[Field] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)
    enum_default: str | None = None
    size: int = 0
    items: Schema | None = None
    branches: list[Schema] = field(default_factory=list)
    logical: list[tuple[str, Any]] = field(default_factory=list)
    local: frozenset[int] | None = field(default=None, repr=False)

    @property
    def is_named(self) -> bool:
        """A record, error, enum or fixed: a type with a name others may refer to."""
        return self.type in NAMED

    @property
    def is_record(self) -> bool:
        """A record (``error`` is a record too, as Avro reads it)."""
        return self.type in ("record", "error")

    @property
    def full_name(self) -> str:
        """A named type's full name (a record-name subject strategy names subjects by it)."""
        return self.name

    @property
    def canonical(self) -> str:
        """The normalized text a registry deduplicates on (see :mod:`.canonical`)."""
        from .canonical import canonical_of

        return canonical_of(self, self.local)

    def __str__(self) -> str:
        return self.canonical


def short_name(full: str) -> str:
    """The name without its namespace: resolution matches named types on it."""
    return full.rpartition(".")[2]
