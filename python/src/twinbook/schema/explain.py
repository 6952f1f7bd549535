"""Why a reader cannot read a writer: :func:`explain`.

A registry that only says "incompatible" leaves the schema's author to guess which field
to fix; :func:`explain` names the first rule of schema resolution that fails and where. It
walks the schemas as :func:`~.resolve.can_read` does, in a walk of its own, so that
``can_read`` stays as small as the rules; the tests check on every vector that the two
agree. The Go twin is ``go/schema/explain.go``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import Schema, short_name
from .names import PRIMITIVES
from .resolve import PROMOTIONS, _names_match, _writer_field

__all__ = ["Incompatibility", "explain"]


@dataclass(frozen=True)
class Incompatibility:
    """The first rule that failed (``reason``) and where in the reader (``path``): the
    root's name (or type), then ``.field`` per record field, ``[]`` for array items,
    ``{}`` for map values, ``<i>`` for the i-th branch of a writer union."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def explain(reader: Schema, writer: Schema) -> Incompatibility | None:
    """``None`` when :func:`~.resolve.can_read` is true, else the first incompatibility."""
    return _Explainer().explain(_label(reader), reader, writer)


def _label(s: Schema) -> str:
    return short_name(s.name) if s.is_named else s.type


def _name_of(s: Schema) -> str:
    return f"{s.type} '{short_name(s.name)}'" if s.is_named else f"'{s.type}'"


def _cannot(path: str, reader: Schema, writer: Schema) -> Incompatibility:
    return Incompatibility(
        path, f"the writer's {_name_of(writer)} cannot be read as {_name_of(reader)}"
    )


_Rule = Callable[[str, Schema, Schema], "Incompatibility | None"]


class _Explainer:
    def __init__(self) -> None:
        self.in_progress: set[tuple[int, int]] = set()

    def explain(  # noqa: PLR0911
        self, path: str, reader: Schema, writer: Schema
    ) -> Incompatibility | None:
        if writer.type == "union":
            for i, branch in enumerate(writer.branches):
                if (found := self.explain(f"{path}<{i}>", reader, branch)) is not None:
                    return found
            return None
        if reader.type == "union":
            if any(self.explain(path, b, writer) is None for b in reader.branches):
                return None
            return Incompatibility(
                path, f"no branch of the reader's union reads the writer's {_name_of(writer)}"
            )
        if writer.type in PRIMITIVES:
            if reader.type == writer.type or reader.type in PROMOTIONS.get(writer.type, ()):
                return None
            return _cannot(path, reader, writer)
        if writer.is_record and reader.is_record:
            return self.named(path, reader, writer, self.records)
        if writer.type == reader.type == "enum":
            return self.named(path, reader, writer, _enums)
        if writer.type == reader.type == "fixed":
            return self.named(path, reader, writer, _fixed)
        if writer.type == reader.type and writer.type in ("array", "map"):
            assert reader.items is not None and writer.items is not None
            step = "[]" if writer.type == "array" else "{}"
            return self.explain(path + step, reader.items, writer.items)
        return _cannot(path, reader, writer)

    def named(
        self, path: str, reader: Schema, writer: Schema, same: _Rule
    ) -> Incompatibility | None:
        if not _names_match(reader, writer):
            return Incompatibility(
                path,
                f"the writer's {_name_of(writer)} does not match the reader's "
                f"{_name_of(reader)} by name or alias",
            )
        pair = (id(reader), id(writer))
        if pair in self.in_progress:
            return None
        self.in_progress.add(pair)
        try:
            return same(path, reader, writer)
        finally:
            self.in_progress.discard(pair)

    def records(self, path: str, reader: Schema, writer: Schema) -> Incompatibility | None:
        for rf in reader.fields:
            wf = _writer_field(writer, rf)
            if wf is None:
                if not rf.has_default:
                    return Incompatibility(
                        f"{path}.{rf.name}",
                        f"reader field '{rf.name}' has no default and the writer has no such field",
                    )
            elif (found := self.explain(f"{path}.{rf.name}", rf.type, wf.type)) is not None:
                return found
        return None


def _enums(path: str, reader: Schema, writer: Schema) -> Incompatibility | None:
    if reader.enum_default is not None:
        return None
    for symbol in writer.symbols:
        if symbol not in reader.symbols:
            return Incompatibility(
                path,
                f"writer symbol '{symbol}' is not in the reader's enum "
                f"({', '.join(reader.symbols)}), which has no default",
            )
    return None


def _fixed(path: str, reader: Schema, writer: Schema) -> Incompatibility | None:
    if reader.size == writer.size:
        return None
    return Incompatibility(
        path, f"the writer's fixed size {writer.size} differs from the reader's {reader.size}"
    )
