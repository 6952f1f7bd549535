"""Argument checks shared by both flavours, so that every bad limit reads the same."""

from __future__ import annotations


def at_least_one(name: str, value: int) -> int:
    """Return ``value`` if it is at least 1, else raise ``ValueError`` naming it.

    A limit of 0 would block forever and a negative one means nothing; failing
    at the call, with the value in the message, beats a silent hang later.
    """
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}")
    return value
