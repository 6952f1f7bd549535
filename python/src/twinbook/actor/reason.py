"""Why an actor (or any supervised child) ended: the one word a supervisor decides by.

The Go twin is ``actor.Reason`` in ``go/actor``. The supervisor's spec
(:mod:`twinbook.supervisor.spec`) uses this very enum, so an actor's end
feeds the supervision tree without translation.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reason"]


class Reason(StrEnum):
    """How a child ended. The values are the words the conformance vectors use."""

    NORMAL = "normal"
    """Its loop returned: the work is done. A transient child is not restarted."""

    SHUTDOWN = "shutdown"
    """Its owner stopped it (or, for a supervisor, it gave up)."""

    CRASH = "crash"
    """It failed: an exception escaped its behaviour, or a process died badly."""
