"""Avro's schema resolution: :func:`can_read`."""

from __future__ import annotations

from collections.abc import Callable

from .model import Field, Schema, short_name
from .names import PRIMITIVES

# For each writer primitive, the reader primitives that read it besides itself.
PROMOTIONS: dict[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}


def can_read(reader: Schema, writer: Schema) -> bool:
    """Whether every datum written with ``writer`` can be decoded with ``reader``.

    Primitives match themselves or a promotion (int to long, float, double; long to float,
    double; float to double; string and bytes both ways); named types match on their
    unqualified names (or one of the reader's aliases); a record reads when each reader
    field is found in the writer (by name or alias) with a type it reads, or has a default;
    an enum when every writer symbol is a reader symbol or the reader has a default; a fixed
    when the sizes are equal; arrays and maps by their items and values; a writer union when
    every branch is readable, a reader union when one branch reads the writer. Logical
    types do not matter. A pair of named types met again while it is being compared is taken
    as compatible, so recursive types terminate.
    """
    return _Resolver().can_read(reader, writer)


class _Resolver:
    def __init__(self) -> None:
        # The (reader, writer) named-type pairs on the current path. Finished pairs are not
        # remembered: a result found under an assumption about an enclosing pair need not
        # hold elsewhere.
        self.in_progress: set[tuple[int, int]] = set()

    # docs:start can-read
    def can_read(self, reader: Schema, writer: Schema) -> bool:  # noqa: PLR0911
        if writer.type == "union":
            return all(self.can_read(reader, b) for b in writer.branches)
        if reader.type == "union":
            return any(self.can_read(b, writer) for b in reader.branches)
        if writer.type in PRIMITIVES:
            promoted = PROMOTIONS.get(writer.type, frozenset())
            return reader.type == writer.type or reader.type in promoted
        if writer.is_record and reader.is_record:
            return self.named(reader, writer, self.records)
        if writer.type == reader.type == "enum":
            return self.named(reader, writer, _enums)
        if writer.type == reader.type == "fixed":
            return self.named(reader, writer, lambda r, w: r.size == w.size)
        if writer.type == reader.type and writer.type in ("array", "map"):
            assert reader.items is not None and writer.items is not None
            return self.can_read(reader.items, writer.items)
        return False

    # docs:end can-read

    def named(self, reader: Schema, writer: Schema, same: Callable[[Schema, Schema], bool]) -> bool:
        """Names first, then the kind's own rule, with the pair marked as being compared."""
        if not _names_match(reader, writer):
            return False
        pair = (id(reader), id(writer))
        if pair in self.in_progress:
            return True
        self.in_progress.add(pair)
        try:
            return same(reader, writer)
        finally:
            self.in_progress.discard(pair)

    # docs:start records
    def records(self, reader: Schema, writer: Schema) -> bool:
        for rf in reader.fields:
            wf = _writer_field(writer, rf)
            if wf is None:
                if not rf.has_default:
                    return False
            elif not self.can_read(rf.type, wf.type):
                return False
        return True

    # docs:end records


def _names_match(reader: Schema, writer: Schema) -> bool:
    """The unqualified names are equal, or one of the reader's aliases has the writer's."""
    want = short_name(writer.name)
    return short_name(reader.name) == want or any(short_name(a) == want for a in reader.aliases)


def _writer_field(writer: Schema, rf: Field) -> Field | None:
    """The writer's field for a reader field: by its name, else by one of its aliases."""
    by_name = {wf.name: wf for wf in writer.fields}
    for name in (rf.name, *rf.aliases):
        if name in by_name:
            return by_name[name]
    return None


def _enums(reader: Schema, writer: Schema) -> bool:
    return reader.enum_default is not None or all(s in reader.symbols for s in writer.symbols)
