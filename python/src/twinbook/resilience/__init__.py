"""Chapter 2 in practice: the breaker among its companions, retry, timeout, bulkhead, fallback.

The Go twin is ``twinbook/resilience``. Each policy works on its own, as a
decorator or through ``.call`` / ``.call_async``, for plain functions and
coroutine functions alike; :func:`compose` stacks them in the order the
chapter explains, from the outside in::

    fallback( retry( breaker( bulkhead( timeout( call ) ) ) ) )

==============  ==========================================================
module          what it holds
==============  ==========================================================
retry           :class:`Retry` (backoff, full jitter, attempts), :class:`RetryBudget`
timeout         :class:`Timeout` (asyncio cancels; threads stop waiting)
bulkhead        :class:`Bulkhead` (threads), :class:`AsyncBulkhead` (tasks), the error
fallback        :class:`Fallback`
compose         :func:`compose`
==============  ==========================================================
"""

from __future__ import annotations

from .bulkhead import AsyncBulkhead, Bulkhead, BulkheadFullError
from .compose import compose
from .fallback import Fallback
from .retry import Retry, RetryBudget
from .timeout import Timeout

__all__ = [
    "AsyncBulkhead",
    "Bulkhead",
    "BulkheadFullError",
    "Fallback",
    "Retry",
    "RetryBudget",
    "Timeout",
    "compose",
]
