"""The five states of a breaker, named as the spec and the vector files name them.

The Go twin is ``State`` in ``go/breaker/state.go``, whose ``String()`` gives
the same names. ``State`` is a ``str`` enum so that ``State.HALF_OPEN ==
"half_open"`` and a state prints the way a vector file spells it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["State"]


class State(StrEnum):
    """Where a breaker is in its state machine (see the spec's "States and transitions")."""

    CLOSED = "closed"
    """Every call is permitted and recorded; too many failures or slow calls open it."""
    OPEN = "open"
    """No call is permitted until ``wait_in_open_ms`` has passed, then ``HALF_OPEN``."""
    HALF_OPEN = "half_open"
    """A few trial calls decide between ``CLOSED`` and ``OPEN``."""
    FORCED_OPEN = "forced_open"
    """Rejects everything until a manual transition: an operator's kill switch."""
    DISABLED = "disabled"
    """Permits everything and records nothing until a manual transition."""
