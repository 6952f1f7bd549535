"""The recorded benchmark figures a page plots (``book/_data/bench-*.json``), read and checked.

A recording is the figures of one ``make bench-record`` run on one machine, committed so
that the book shows measured numbers without measuring at build time::

    {
      "recorded": "2026-12-07",
      "machine": {"cpu": "...", "cores": 2, "os": "Linux 6.1", "go": "go1.25.0",
                  "python": "3.11.2"},
      "figures": [
        {"id": "go-actor-tell", "group": "in process", "language": "go",
         "label": "actor: a message (Tell)", "ns": 95.2},
        ...
      ]
    }

Every figure is a time per operation in nanoseconds (a rate is its inverse), so that one
axis holds a message through an actor and a round trip between processes. Other keys
(``command``, ``runs``, a figure's ``source``) are kept for the reader of the file and
ignored here. A file that does not have this shape is a :class:`BenchDataError` naming
the field, so that the build stops at the page that plots it instead of drawing a wrong
plot.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The languages a figure can be in: its bar's colour and the legend's entries.
LANGUAGES = ("go", "python", "go+python")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+Z?)?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class BenchDataError(ValueError):
    """A recording that cannot be plotted: ``field`` is the path of the offending value."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"field {field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Figure:
    """One bar: a time per operation, in nanoseconds."""

    id: str
    group: str
    language: str
    label: str
    ns: float


@dataclass(frozen=True)
class Recording:
    """What a plot needs from a recording: the figures in order, and where they come from."""

    recorded: str
    machine: dict[str, str]
    figures: tuple[Figure, ...]

    def select(self, ids: list[str]) -> Recording:
        """The figures named by ``ids``, in that order (all of them when ``ids`` is empty)."""
        if not ids:
            return self
        by_id = {f.id: f for f in self.figures}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise BenchDataError(
                "figures",
                f"no figure with id {', '.join(map(repr, unknown))} (its ids: {', '.join(by_id)})",
            )
        return Recording(self.recorded, self.machine, tuple(by_id[i] for i in ids))

    def machine_text(self) -> str:
        """The machine facts in one line, for the plot's caption."""
        m = self.machine
        parts = [m["cpu"]]
        if "cores" in m:
            parts.append(f"{m['cores']} cores")
        parts += [m[k] for k in ("os",) if k in m]
        parts += [
            f"{name} {m[k].removeprefix('go')}"
            for k, name in (("go", "Go"), ("python", "Python"))
            if k in m
        ]
        return ", ".join(parts)


def _need(obj: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in obj:
        raise BenchDataError(f"{where}{key}", "missing")
    value = obj[key]
    # bool is an int in Python; a figure of `true` is a mistake, never a number
    if isinstance(value, bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise BenchDataError(f"{where}{key}", f"must be a {names} (got {value!r})")
    return value


def _text(obj: dict[str, Any], key: str, where: str) -> str:
    value = _need(obj, key, where, str)
    if not value.strip():
        raise BenchDataError(f"{where}{key}", "is empty")
    return str(value)


def parse(data: Any) -> Recording:
    """Check a decoded recording and return it; :class:`BenchDataError` names what is wrong."""
    if not isinstance(data, dict):
        raise BenchDataError("(top level)", f"must be an object (got {type(data).__name__})")
    recorded = _text(data, "recorded", "")
    if not _DATE.match(recorded):
        raise BenchDataError("recorded", f"must be a date, YYYY-MM-DD (got {recorded!r})")
    machine_in = _need(data, "machine", "", dict)
    _text(machine_in, "cpu", "machine.")
    machine: dict[str, str] = {}
    for key, value in machine_in.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise BenchDataError(f"machine.{key}", f"must be a str or int (got {value!r})")
        machine[key] = str(value)
    figures_in = _need(data, "figures", "", list)
    if not figures_in:
        raise BenchDataError("figures", "is empty: nothing to plot")
    figures: list[Figure] = []
    seen: set[str] = set()
    for n, item in enumerate(figures_in):
        where = f"figures[{n}]."
        if not isinstance(item, dict):
            raise BenchDataError(f"figures[{n}]", f"must be an object (got {item!r})")
        fid = _text(item, "id", where)
        if not _ID.match(fid):
            raise BenchDataError(f"{where}id", f"must be lower-case words and dashes (got {fid!r})")
        if fid in seen:
            raise BenchDataError(f"{where}id", f"{fid!r} is used twice")
        seen.add(fid)
        language = _text(item, "language", where)
        if language not in LANGUAGES:
            raise BenchDataError(
                f"{where}language", f"must be one of {', '.join(LANGUAGES)} (got {language!r})"
            )
        ns = float(_need(item, "ns", where, (int, float)))
        if not math.isfinite(ns) or ns <= 0:
            raise BenchDataError(f"{where}ns", f"must be a positive number of ns (got {ns!r})")
        figures.append(
            Figure(fid, _text(item, "group", where), language, _text(item, "label", where), ns)
        )
    return Recording(recorded, machine, tuple(figures))


def load(path: Path) -> Recording:
    """Read and check the recording at ``path`` (errors name the field; the caller the file)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise BenchDataError(
            "(whole file)", f"not JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    return parse(data)
