"""A metrics snapshot: what the breaker's window holds at one moment.

The Go twin is ``Metrics`` in ``go/breaker/metrics.go``. The names are the
vector files' ``metrics`` keys. A snapshot is a value, taken under the lock in
one go, so ``calls``, ``failed`` and the rates always agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from .state import State

__all__ = ["Metrics", "rate"]


# docs:start metrics
@dataclass(frozen=True, slots=True)
class Metrics:
    """The current window, and rejections since the breaker was built or last reset.

    The window is the closed state's sliding window, the trial calls of a
    half-open state, or empty (open, forced open, disabled). The rates are
    percents of ``calls``, or ``-1.0`` while the window holds fewer calls than
    its effective minimum: a rate over two calls is noise, not a signal.
    """

    state: State
    calls: int
    failed: int
    slow: int
    failure_rate: float
    slow_call_rate: float
    not_permitted: int
    """Calls rejected since the breaker was built or last reset."""


# docs:end metrics


def rate(part: int, calls: int, minimum: int) -> float:
    """``part * 100 / calls`` as the spec writes it, or ``-1.0`` below ``minimum`` calls.

    Computed as the spec writes it, not as ``part >= threshold * calls``: the
    two round differently, and the Go twin computes it this way too.
    """
    if calls < minimum or calls == 0:
        return -1.0
    return part * 100 / calls
