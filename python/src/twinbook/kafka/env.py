"""The real broker, when the environment names one: ``TWINBOOK_KAFKA``."""

from __future__ import annotations

import os

ENV_VAR = "TWINBOOK_KAFKA"
"""A bootstrap server, ``host:port`` (several may be given, comma-separated). Set, it
points every helper of the chapter at that broker instead of an embedded one."""


def from_env() -> str | None:
    """The bootstrap server ``TWINBOOK_KAFKA`` names, or None when it is unset or blank
    (a blank variable is what ``TWINBOOK_KAFKA= make test`` leaves: it names nothing)."""
    value = os.environ.get(ENV_VAR, "").strip()
    return value or None
