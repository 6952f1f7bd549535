"""Chapter 2: the circuit breaker, to the breaker spec (``book/appendix/spec-breaker.md``).

The Go twin is ``twinbook/breaker`` (``breaker.New`` / ``Breaker``); the files
match one to one:

============  =====================================================================
module        what it holds
============  =====================================================================
config        :class:`Config` (the spec's keys, validated), :class:`SlidingWindow`
window        :class:`CountWindow`, :class:`TimeWindow`: running totals, O(1) per call
breaker       :class:`Breaker` (the state machine), :class:`Permission` (two steps)
state         :class:`State`: closed, open, half_open, forced_open, disabled
events        :class:`Outcome`, :class:`Transition`, :class:`CallEvent`, :class:`Rejection`
metrics       :class:`Metrics`, a consistent snapshot of the window
errors        :class:`BreakerOpenError` (with ``retry_after``), :class:`ConfigError`
clock         :class:`Clock`, :class:`SystemClock`, :class:`ManualClock`
============  =====================================================================

Middleware lives beside it: :mod:`.httpx_transport` (an httpx transport that
trips on 5xx and connection errors) and :mod:`.grpc_interceptor` (gRPC client
interceptors, blocking and ``grpc.aio``). They are imported on demand, so
``import twinbook.breaker`` does not import httpx or grpc.
"""

from __future__ import annotations

from .breaker import Breaker, Permission, guarded_by
from .clock import Clock, ManualClock, SystemClock
from .config import Config, SlidingWindow
from .errors import BreakerError, BreakerOpenError, ConfigError
from .events import CallEvent, Outcome, Rejection, Transition
from .metrics import Metrics
from .state import State

__all__ = [
    "Breaker",
    "BreakerError",
    "BreakerOpenError",
    "CallEvent",
    "Clock",
    "Config",
    "ConfigError",
    "ManualClock",
    "Metrics",
    "Outcome",
    "Permission",
    "Rejection",
    "SlidingWindow",
    "State",
    "SystemClock",
    "Transition",
    "guarded_by",
]
