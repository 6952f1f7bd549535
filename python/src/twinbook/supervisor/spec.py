"""A supervision tree's specification: parsed from JSON-shaped data and validated.

The Go twin is ``go/supervisor/spec.go``. The rules are the book's supervisor
spec (appendix): a spec that breaks one is rejected when the supervisor is
built, never half-run, with a :class:`SpecError` that names the offending
field (``strategy``, ``restart``, ``kind``, ``id``, ``intensity``,
``period_ms``, ``children``) as a whole word. Where in the tree the fault is
comes after, written with child ids and positions only, so that the message
names no other field: a reader (or a vector runner) can tell which field is
wrong from the message alone.

JSON integers only: ``json.loads`` turns ``3.0`` and ``1e3`` into floats and
``true`` into a bool (an ``int`` subclass in Python), and none of them is an
intensity or a period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from twinbook.actor.reason import Reason

__all__ = [
    "FIELDS",
    "ChildSpec",
    "Kind",
    "Reason",
    "Restart",
    "Spec",
    "SpecError",
    "Strategy",
    "parse_spec",
]

FIELDS = ("strategy", "restart", "kind", "id", "intensity", "period_ms", "children")
"""The fields a specification error can name."""


class Strategy(StrEnum):
    """Which children a supervisor restarts when one must be restarted."""

    ONE_FOR_ONE = "one_for_one"
    """Only the child that ended: the children are independent."""
    ONE_FOR_ALL = "one_for_all"
    """All of them: the children only work together."""
    REST_FOR_ONE = "rest_for_one"
    """The one that ended and those started after it: later ones depend on earlier ones."""


class Restart(StrEnum):
    """When a child that ended is started again."""

    PERMANENT = "permanent"
    """Always, whatever the reason: it must always run."""
    TRANSIENT = "transient"
    """Only after a crash: a normal or shutdown end means it finished its job."""
    TEMPORARY = "temporary"
    """Never; once ended it is removed from its supervisor's children."""


class Kind(StrEnum):
    """A child is a worker, or a nested supervisor with children of its own."""

    WORKER = "worker"
    SUPERVISOR = "supervisor"


class SpecError(ValueError):
    """An invalid specification. :attr:`field` is the offending field's name."""

    def __init__(self, field: str, problem: str, where: str) -> None:
        super().__init__(f"{field}: {problem} ({where})")
        self.field = field


@dataclass(frozen=True)
class ChildSpec:
    """One child: its id among its siblings, its restart type, and what it is.

    ``supervisor`` is the nested supervisor's own spec when ``kind`` is
    :attr:`Kind.SUPERVISOR`, else ``None``.
    """

    id: str
    restart: Restart
    kind: Kind = Kind.WORKER
    supervisor: Spec | None = None


@dataclass(frozen=True)
class Spec:
    """A supervisor: its strategy, its restart intensity per period, its children in start order."""

    strategy: Strategy
    intensity: int
    period_ms: int
    children: tuple[ChildSpec, ...] = ()


E = TypeVar("E", bound=StrEnum)

_SUPERVISOR_KEYS = {"strategy", "intensity", "period_ms", "children"}
_CHILD_KEYS = {"id", "restart", "kind"}


def parse_spec(data: object) -> Spec:
    """Build a :class:`Spec` from JSON-shaped data (``json.loads`` output), or raise :class:`SpecError`.

    Keys the format does not define are rejected too (a misspelt ``restarts``
    would otherwise be a silently permanent child), each named in the error.
    """
    if not isinstance(data, Mapping):
        raise SpecError("tree", f"must be a JSON object, got {_show(data)}", "the top supervisor")
    return _supervisor(data, "the top supervisor", "")


def _supervisor(data: Mapping[str, Any], where: str, path: str) -> Spec:
    _no_unknown(data, _SUPERVISOR_KEYS | ({"id", "restart", "kind"} if path else set()), where)
    strategy = _enum(Strategy, data, "strategy", where)
    intensity = _integer(data, "intensity", where, minimum=0)
    period_ms = _integer(data, "period_ms", where, minimum=1)
    if "children" not in data:
        raise SpecError("children", "is missing", where)
    raw = data["children"]
    if not isinstance(raw, list):
        raise SpecError("children", f"must be a list, got {_show(raw)}", where)
    children: list[ChildSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        at = f"child {index + 1} of {path or '/'}"
        if not isinstance(item, Mapping):
            raise SpecError("children", f"must hold JSON objects, got {_show(item)}", at)
        child = _child(item, at, path)
        if child.id in seen:
            raise SpecError("id", f"{_show(child.id)} is used twice among siblings", at)
        seen.add(child.id)
        children.append(child)
    return Spec(strategy, intensity, period_ms, tuple(children))


def _child(data: Mapping[str, Any], where: str, parent: str) -> ChildSpec:
    if "id" not in data:
        raise SpecError("id", "is missing", where)
    ident = data["id"]
    if not isinstance(ident, str) or not ident or "/" in ident:
        raise SpecError("id", f"must be a non-empty string without '/', got {_show(ident)}", where)
    where = f"{where}, {_show(ident)}"
    restart = _enum(Restart, data, "restart", where)
    kind = _enum(Kind, data, "kind", where, default=Kind.WORKER)
    if kind is Kind.WORKER:
        _no_unknown(data, _CHILD_KEYS, where)
        return ChildSpec(ident, restart, kind)
    nested = _supervisor(data, where, f"{parent}/{ident}" if parent else ident)
    return ChildSpec(ident, restart, kind, nested)


def _no_unknown(data: Mapping[str, Any], known: set[str], where: str) -> None:
    for key in data:
        if key not in known:
            # a known field out of place (a worker's strategy) names itself; anything else
            # is reported under its own name
            raise SpecError(str(key), "is not a field here", where)


def _enum(
    kind: type[E], data: Mapping[str, Any], field: str, where: str, default: E | None = None
) -> E:
    if field not in data:
        if default is not None:
            return default
        raise SpecError(field, "is missing", where)
    value = data[field]
    try:
        return kind(value) if isinstance(value, str) else kind("\0")
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise SpecError(field, f"must be one of {allowed}; got {_show(value)}", where) from None


def _integer(data: Mapping[str, Any], field: str, where: str, minimum: int) -> int:
    if field not in data:
        raise SpecError(field, "is missing", where)
    value = data[field]
    # bool is an int subclass; floats (3.0, 1e3 after json.loads) are not JSON integers
    if type(value) is not int or value < minimum:
        raise SpecError(field, f"must be a JSON integer >= {minimum}, got {_show(value)}", where)
    return value


def _show(value: object) -> str:
    """A value as the file spelt it, unless that would name a field the error is not about.

    Objects and lists are described, not printed, and so is a string that
    contains a field's name: the error must name its own field and no other.
    """
    if value is True or value is False:
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str) and any(_names(f, value) for f in FIELDS):
        return "a string naming a field"
    return repr(value)


def _names(field: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){field}(?![A-Za-z0-9_])", text) is not None
