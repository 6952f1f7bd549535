"""Chapter 2 in practice: the breaker among its companions, retry, timeout, bulkhead, fallback.

The Go twin is ``twinbook/resilience``. Each policy works on its own, as a
decorator or through ``.call`` / ``.call_async``, for plain functions and
coroutine functions alike; a :class:`Stack` stacks them in the order the
chapter explains, from the outside in::

    fallback( retry( breaker( bulkhead( timeout( call ) ) ) ) )

==============  ==========================================================
module          what it holds
==============  ==========================================================
retry           :class:`Retry` (backoff, full jitter, attempts), :class:`RetryBudget`
timeout         :class:`Timeout` (asyncio cancels; threads stop waiting)
bulkhead        :class:`Bulkhead` (threads; ``aio.Bulkhead`` for tasks), the error
fallback        :class:`Fallback`
stack           :class:`Stack`
==============  ==========================================================
"""

from __future__ import annotations

from .bulkhead import Bulkhead, BulkheadFullError
from .fallback import Fallback
from .retry import Retry, RetryBudget
from .stack import Stack
from .timeout import Timeout

__all__ = [
    "Bulkhead",
    "BulkheadFullError",
    "Fallback",
    "Retry",
    "RetryBudget",
    "Stack",
    "Timeout",
]
