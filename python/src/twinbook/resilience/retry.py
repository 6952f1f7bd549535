"""Retry: exponential backoff with full jitter, a cap on attempts, and a retry budget.

The Go twin is ``go/resilience/retry.go``. Three ideas, each against a known
way retries make an outage worse:

* **Exponential backoff** spaces attempts out (``base_delay``, times
  ``multiplier`` per attempt, capped at ``max_delay``), so a struggling
  service gets room to recover.
* **Full jitter** draws each delay uniformly from ``[0, backoff]``: clients
  that failed together would otherwise retry together, in synchronized waves
  (AWS's "Exponential Backoff And Jitter" measures this).
* **A retry budget** caps retries *across* calls: a token bucket fed by
  calls, as in Finagle's ``RetryBudget`` and gRPC's retry throttling. Each
  call deposits ``ratio`` tokens, each retry withdraws one, the bucket holds
  at most ``max_tokens``. Per-call attempt caps alone let a fleet triple its
  load exactly when the dependency is down.

A rejection by a breaker (:class:`~twinbook.breaker.OpenError`) is not
retried by default: the breaker has just said the dependency is down, and
backing off for a few milliseconds will not change its mind.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import math
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar, cast

from twinbook.breaker import OpenError

__all__ = ["Retry", "RetryBudget"]

P = ParamSpec("P")
R = TypeVar("R")


class RetryBudget:
    """A token bucket of retries fed by calls; share one among the callers of a dependency.

    Every call (a first attempt) deposits ``ratio`` tokens, every retry
    withdraws one, and the bucket holds at most ``max_tokens``; it starts
    full. With ``ratio=0.1`` retries add at most 10 % to the load in the long
    run; ``max_tokens`` allows a burst. ``ratio`` must be in [0, 1] and
    ``max_tokens`` in [1, 1e9], else :class:`ValueError`. Both are counted in
    thousandths of a token, in an integer: ten calls at 0.1 earn exactly one
    retry (float would earn 0.9999999999999999). The Go twin is
    ``RetryBudget`` in ``go/resilience/retry.go``; both pass the vectors in
    ``tests/vectors/retry_budget``. Safe to share between threads and tasks.
    """

    def __init__(self, ratio: float, max_tokens: float) -> None:
        if not 0 <= ratio <= 1:
            raise ValueError(f"ratio: must be in [0, 1], got {ratio!r}")
        if not 1 <= max_tokens <= _MAX_BUDGET_TOKENS:
            raise ValueError(f"max_tokens: must be in [1, 1e9], got {max_tokens!r}")
        self.ratio, self.max_tokens = ratio, max_tokens
        self._lock = threading.Lock()
        self._ratio = _thousandths(ratio)
        self._max = _thousandths(max_tokens)
        self._tokens = self._max  # thousandths

    # docs:start budget
    def record_call(self) -> None:
        """Count a call (a first attempt): ``ratio`` more tokens, up to
        ``max_tokens``."""
        with self._lock:
            self._tokens = min(self._max, self._tokens + self._ratio)

    def try_spend(self) -> bool:
        """Spend a token for a retry and return ``True``; ``False`` if less than one is
        left."""
        with self._lock:
            if self._tokens < _TOKEN_SCALE:
                return False
            self._tokens -= _TOKEN_SCALE
            return True

    # docs:end budget

    @property
    def tokens(self) -> float:
        """How many tokens are left."""
        with self._lock:
            return self._tokens / _TOKEN_SCALE


_TOKEN_SCALE = 1000  # the budget counts thousandths of a token
_MAX_BUDGET_TOKENS = 1e9  # the thousandths must fit Go's int64; this large limits nothing


def _thousandths(x: float) -> int:
    """``x`` in thousandths, rounded to the nearest, halves up: as Go's twin, not ``round()``."""
    return math.floor(x * _TOKEN_SCALE + 0.5)


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, Exception) and not isinstance(exc, OpenError)


@dataclass(frozen=True)
class Retry:
    """Call again after a failure, up to ``max_attempts`` attempts in all.

    ``retry_on(exc)`` decides which exceptions are worth another attempt
    (default: every :class:`Exception` except a breaker's rejection; never a
    cancellation). When the attempts or the budget run out, the last
    exception is raised, with a note saying why retrying stopped.
    ``sleep``, ``sleep_async`` and ``rng`` are injectable for tests.
    """

    max_attempts: int = 3
    base_delay: float = 0.1
    max_delay: float = 5.0
    multiplier: float = 2.0
    retry_on: Callable[[BaseException], bool] = _retryable
    budget: RetryBudget | None = None
    on_retry: Callable[[int, BaseException, float], None] | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    sleep_async: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts: must be >= 1, got {self.max_attempts!r}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError(
                f"base_delay, max_delay: must be >= 0, got {self.base_delay!r}, {self.max_delay!r}"
            )
        if self.multiplier < 1:
            raise ValueError(f"multiplier: must be >= 1, got {self.multiplier!r}")

    # docs:start backoff
    def backoff(self, attempt: int) -> float:
        """The ceiling of the delay after failed attempt ``attempt`` (1, 2, ...)."""
        return min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))

    def delay(self, attempt: int) -> float:
        """Full jitter: anywhere in ``[0, backoff(attempt)]``, uniformly."""
        return self.rng.uniform(0.0, self.backoff(attempt))

    def _next_delay(self, attempt: int, exc: BaseException) -> float | None:
        """The delay before attempt ``attempt + 1``, or ``None`` to give up (with a note
        why)."""
        if not self.retry_on(exc):
            return None
        if attempt >= self.max_attempts:
            exc.add_note(f"retry: gave up after {attempt} attempts")
            return None
        if self.budget is not None and not self.budget.try_spend():
            exc.add_note(f"retry: budget exhausted after {attempt} attempt(s)")
            return None
        delay = self.delay(attempt)
        if self.on_retry is not None:
            self.on_retry(attempt, exc, delay)
        return delay

    # docs:end backoff

    # docs:start retry
    def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Call ``fn`` until it returns, or raise its last exception."""
        if self.budget is not None:
            self.budget.record_call()
        attempt = 1
        while True:
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                delay = self._next_delay(attempt, exc)
                if delay is None:
                    raise
            self.sleep(delay)
            attempt += 1

    # docs:end retry

    async def call_async(
        self, fn: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Await ``fn`` until it returns, or raise its last exception; cancelling stops it."""
        if self.budget is not None:
            self.budget.record_call()
        attempt = 1
        while True:
            try:
                return await fn(*args, **kwargs)
            except BaseException as exc:
                delay = self._next_delay(attempt, exc)
                if delay is None:
                    raise
            await self.sleep_async(delay)
            attempt += 1

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        """Decorate a function or a coroutine function."""
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def retried_async(*args: P.args, **kwargs: P.kwargs) -> R:
                return await self.call_async(fn, *args, **kwargs)

            # The same signature, returning a coroutine: R is that coroutine's result.
            return cast(Callable[P, R], retried_async)

        @functools.wraps(fn)
        def retried(*args: P.args, **kwargs: P.kwargs) -> R:
            return self.call(fn, *args, **kwargs)

        return retried
