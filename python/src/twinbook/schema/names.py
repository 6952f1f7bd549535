"""Avro names, namespaces and full names."""

from __future__ import annotations

import re
from typing import Any, TypeGuard

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def valid_name(s: object) -> TypeGuard[str]:
    """An Avro name: a letter or ``_``, then letters, digits and ``_`` (ASCII only)."""
    return isinstance(s, str) and _NAME.fullmatch(s) is not None and s.isascii()


def valid_full_name(s: object) -> TypeGuard[str]:
    """Dot-separated names, none empty."""
    return isinstance(s, str) and all(valid_name(part) for part in s.split("."))


def qualify(name: str, namespace: str) -> str:
    """The full name of ``name`` written inside ``namespace``: a dotted name is already full."""
    return name if "." in name or not namespace else f"{namespace}.{name}"


def namespace_of(full: str) -> str:
    """The namespace part of a full name (``""`` for none)."""
    return full.rpartition(".")[0]


def full_name_of(obj: dict[str, Any], enclosing: str) -> str:
    """A named type's full name from its name and namespace attributes: a dotted name is
    full, else the explicit namespace (``""`` is the null namespace) or the enclosing one.
    Raises ``ValueError`` saying what is wrong."""
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"a {obj.get('type')} needs a name (a non-empty string)")
    namespace = enclosing
    if obj.get("namespace") is not None:
        ns = obj["namespace"]
        if not isinstance(ns, str):
            raise ValueError(f"namespace of {name!r} is not a string")
        if ns and not valid_full_name(ns):
            raise ValueError(f"invalid namespace {ns!r}")
        namespace = ns
    full = qualify(name, namespace)
    if not valid_full_name(full):
        raise ValueError(f"invalid name {full!r}")
    if full in PRIMITIVES:
        raise ValueError(f"the primitive type name {full!r} cannot name a {obj.get('type')}")
    return full
