"""Chapter 4: Avro schemas and the compatibility rules of a schema registry.

The Go twin is package ``twinbook/schema``. One concern per module (the Go files of the
same names):

==========  ==========================================================================
module      what it holds
==========  ==========================================================================
model       :class:`Schema` and :class:`Field`, the parsed model; :class:`SchemaError`
names       Avro names, namespaces and full names
parse       :func:`parse`: a schema's JSON text to a :class:`Schema`, or an error naming
            the place at fault
defaults    whether a field's default matches the field's type
canonical   the normalized text a registry deduplicates on (:attr:`Schema.canonical`)
resolve     :func:`can_read`: Avro's schema resolution, reader against writer
explain     :func:`explain`: why a reader cannot read a writer (the rule and the path)
level       :class:`Level`, :func:`parse_level`, :func:`compatible`: the registry's seven
            compatibility levels over a subject's history
==========  ==========================================================================

The contract is the book's appendix, ``book/appendix/spec-avro.md``.
"""

from __future__ import annotations

from .explain import Incompatibility, explain
from .level import Level, LevelError, compatible, parse_level
from .model import Field, Schema, SchemaError
from .parse import parse
from .resolve import can_read

__all__ = [
    "Field",
    "Incompatibility",
    "Level",
    "LevelError",
    "Schema",
    "SchemaError",
    "can_read",
    "compatible",
    "explain",
    "parse",
    "parse_level",
]
