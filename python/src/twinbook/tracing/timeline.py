"""Finished spans as rows (start, end, name...) that a notebook plots as a timeline."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from opentelemetry.sdk.trace import ReadableSpan

_KINDS = {0: "internal", 1: "server", 2: "client", 3: "producer", 4: "consumer"}


@dataclass(frozen=True)
class Row:
    """One finished span: a bar from ``start_ns`` to ``end_ns`` (Unix nanoseconds)."""

    start_ns: int
    end_ns: int
    name: str
    kind: str
    """"server", "producer", "consumer"... (Go's names for span kinds)."""
    trace_id: str
    span_id: str
    parent_id: str
    """"" for a root span."""

    @property
    def start(self) -> datetime:
        """``start_ns`` as an aware UTC datetime (microseconds: what matplotlib plots)."""
        return datetime.fromtimestamp(self.start_ns / 1e9, UTC)

    @property
    def end(self) -> datetime:
        """``end_ns`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.end_ns / 1e9, UTC)


def timeline(spans: Sequence[ReadableSpan]) -> list[Row]:
    """Rows of ``spans`` (an in-memory exporter's ``get_finished_spans()``), ordered by
    start, then by end."""
    rows = []
    for s in spans:
        ctx = s.get_span_context()
        assert ctx is not None, "a finished SDK span has a context"
        rows.append(
            Row(
                start_ns=s.start_time or 0,
                end_ns=s.end_time or 0,
                name=s.name,
                kind=_KINDS.get(s.kind.value, "internal"),
                trace_id=f"{ctx.trace_id:032x}",
                span_id=f"{ctx.span_id:016x}",
                parent_id=f"{s.parent.span_id:016x}" if s.parent is not None else "",
            )
        )
    rows.sort(key=lambda r: (r.start_ns, r.end_ns))
    return rows


def _iso(ns: int) -> str:
    seconds, frac = divmod(ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{frac:09d}".rstrip("0").rstrip(".") + "Z"


def write_csv(rows: Sequence[Row], out: TextIO) -> None:
    """Write ``rows`` with a header line, the Go twin's format: start and end as RFC
    3339 UTC with nanoseconds, then name, kind, trace_id, span_id, parent_id."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["start", "end", "name", "kind", "trace_id", "span_id", "parent_id"])
    for r in rows:
        w.writerow(
            [_iso(r.start_ns), _iso(r.end_ns), r.name, r.kind, r.trace_id, r.span_id, r.parent_id]
        )
