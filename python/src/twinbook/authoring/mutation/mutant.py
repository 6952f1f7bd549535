"""A mutant as a textual edit of the answer file, its stable id, and the answer region.

Both languages' operators produce :class:`Edit` s; :func:`identify` gives each its stable
id, ``<operator>: <original> -> <replacement> #<n>``, which names no line number (so an
entry of ``equivalent_mutants.toml`` stays valid when unrelated lines move) and counts
identical (operator, original, replacement) triples in file order.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, replace

#: the marker lines around the solution's code in an answer cell (kept in the solutions
#: notebook, stripped for learners)
_BEGIN = re.compile(r"^[ \t]*(#|//) BEGIN SOLUTION[ \t]*$", re.M)
_END = re.compile(r"^[ \t]*(#|//) END SOLUTION[ \t]*$", re.M)
#: the longest quote of code an id shows (whitespace collapsed); longer ones are cut
ID_SNIPPET = 60
#: how an id shows a replacement that is nothing
REMOVED = "(removed)"


@dataclass(frozen=True)
class Edit:
    """Characters [start, end) of the answer file replaced by ``replacement``.

    The id quotes, in this order of preference: the code around the change before and
    after it (``context_start``/``context_end``: the expression or statement an operator
    token belongs to, so ``-`` reads ``now - last -> now + last``); ``label`` and ``shown``
    (a swap quotes the two statements without what lies between; a lock/unlock pair's edit
    spans the code between them, which it keeps); the replaced text and the replacement.
    """

    operator: str
    start: int
    end: int
    replacement: str
    description: str
    label: str = ""
    shown: str = ""
    context_start: int = -1
    context_end: int = -1

    def quoted(self, source: str) -> tuple[str, str]:
        """The original and the mutated code as the id quotes them."""
        if 0 <= self.context_start <= self.start and self.end <= self.context_end:
            before = source[self.context_start : self.context_end]
            after = (
                source[self.context_start : self.start]
                + self.replacement
                + source[self.end : self.context_end]
            )
            return _window(" ".join(before.split()), " ".join(after.split()))
        original = snippet(self.label or source[self.start : self.end])
        if self.shown:
            return original, snippet(self.shown)
        if self.label or not self.replacement.strip():
            return original, REMOVED
        return original, snippet(self.replacement)


@dataclass(frozen=True)
class Mutant:
    """An edit with its stable id."""

    id: str
    edit: Edit

    @property
    def operator(self) -> str:
        return self.edit.operator

    def apply(self, source: str) -> str:
        """The answer file with this mutant's edit."""
        e = self.edit
        return source[: e.start] + e.replacement + source[e.end :]

    def diff(self, source: str, context: int = 1) -> str:
        """A short unified diff from the solution's answer file to this mutant's."""
        lines = difflib.unified_diff(
            source.splitlines(),
            self.apply(source).splitlines(),
            "solution",
            "mutant",
            n=context,
            lineterm="",
        )
        return "\n".join(lines)


def snippet(text: str, limit: int = ID_SNIPPET) -> str:
    """Code as an id quotes it: whitespace collapsed, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _window(before: str, after: str, limit: int = ID_SNIPPET, margin: int = 20) -> tuple[str, str]:
    """Two versions of one line of code, each cut to about ``limit`` characters around
    where they differ (with ``margin`` characters of the common text either side)."""
    if len(before) <= limit and len(after) <= limit:
        return before, after
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(before), len(after)) - prefix and before[-1 - suffix] == after[-1 - suffix]
    ):
        suffix += 1

    def cut(text: str) -> str:
        lo = max(0, prefix - margin)
        hi = min(len(text), len(text) - suffix + margin)
        return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")

    return snippet(cut(before), limit + 2 * margin), snippet(cut(after), limit + 2 * margin)


def identify(source: str, edits: list[Edit]) -> list[Mutant]:
    """Stable ids for ``edits`` (in file order): ``<operator>: <original> -> <replacement>
    #<n>``, n counting from 1 among the edits with the same three parts."""
    seen: Counter[str] = Counter()
    mutants = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end, e.operator, e.replacement)):
        original, shown = edit.quoted(source)
        base = f"{edit.operator}: {original} -> {shown}"
        seen[base] += 1
        mutants.append(Mutant(f"{base} #{seen[base]}", edit))
    return mutants


def answer_regions(source: str) -> list[tuple[int, int]]:
    """The [start, end) character ranges between BEGIN and END SOLUTION marker lines; the
    whole file when it has no markers."""
    begins = [m.end() for m in _BEGIN.finditer(source)]
    ends = [m.start() for m in _END.finditer(source)]
    if not begins:
        return [(0, len(source))]
    regions = []
    for start in begins:
        stop = next((e for e in ends if e > start), len(source))
        regions.append((start, stop))
    return regions


def in_regions(edits: list[Edit], regions: list[tuple[int, int]]) -> list[Edit]:
    """The edits that lie wholly inside one region."""
    return [e for e in edits if any(lo <= e.start and e.end <= hi for lo, hi in regions)]


def byte_offsets_to_chars(source: str, edits: list[Edit]) -> list[Edit]:
    """Edits whose offsets count UTF-8 bytes (Go's) turned into character offsets."""
    data = source.encode("utf-8")

    def char(offset: int) -> int:
        return len(data[:offset].decode("utf-8", errors="ignore"))

    return [
        replace(
            e,
            start=char(e.start),
            end=char(e.end),
            context_start=char(e.context_start) if e.context_start >= 0 else -1,
            context_end=char(e.context_end) if e.context_end >= 0 else -1,
        )
        for e in edits
    ]
