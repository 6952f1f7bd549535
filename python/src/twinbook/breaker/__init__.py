"""Chapter 2: the circuit breaker, to the breaker spec (``book/appendix/spec-breaker.md``).

The Go twin is ``twinbook/breaker`` (``breaker.New`` / ``Breaker``); the files
match one to one:

============  =====================================================================
module        what it holds
============  =====================================================================
config        :class:`Config` (the spec's keys, validated), :class:`WindowType`
window        :class:`CountWindow`, :class:`TimeWindow`: running totals, O(1) per call
breaker       :class:`Breaker` (the state machine), :class:`Permission` (two steps)
state         :class:`State`: closed, open, half_open, forced_open, disabled
events        :class:`Outcome`, :class:`Transition`, :class:`CallEvent`, :class:`Rejection`
metrics       :class:`Metrics`, a consistent snapshot of the window
errors        :class:`OpenError` (with ``retry_after``), :class:`ConfigError`
============  =====================================================================

Middleware lives beside it: :mod:`.httpx_transport` (an httpx transport that
trips on 5xx and connection errors) and :mod:`.grpc_interceptor` (a gRPC client
interceptor), with their asyncio twins under the same names in :mod:`.aio`
(``httpx.AsyncClient``, ``grpc.aio``). They are imported on demand, so
``import twinbook.breaker`` does not import httpx or grpc. The breaker reads
the time from a :class:`twinbook.clock.Clock`, the clock every chapter shares.
"""

from __future__ import annotations

from .breaker import Breaker, Permission, guarded_by
from .config import Config, WindowType
from .errors import BreakerError, ConfigError, OpenError
from .events import CallEvent, Outcome, Rejection, Transition
from .metrics import Metrics
from .state import State

__all__ = [
    "Breaker",
    "BreakerError",
    "OpenError",
    "CallEvent",
    "Config",
    "ConfigError",
    "Metrics",
    "Outcome",
    "Permission",
    "Rejection",
    "WindowType",
    "State",
    "Transition",
    "guarded_by",
]
