"""Points as text, the same in every report (a module of its own so that the grades'
dataclasses and the reports share it without importing each other)."""

from __future__ import annotations


def fmt(points: float) -> str:
    """Points as text: ``2``, ``1.5``, ``-1``; the same value always gives the same text."""
    value = round(float(points), 2)
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0")
