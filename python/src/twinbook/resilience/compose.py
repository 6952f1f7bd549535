"""Composition: fallback(retry(breaker(bulkhead(timeout(call))))), from the outside in.

The Go twin is ``go/resilience/compose.go``. Each layer is optional; their
order is not, and each position has a reason:

1. **timeout**, innermost: it bounds *one attempt*. Outside the retry it
   would bound all attempts together, and the breaker would never see a
   timeout as the failure it is.
2. **bulkhead**: caps attempts in flight. Inside the breaker, so that an
   open breaker rejects before a slot is taken; a full bulkhead says
   nothing about the dependency's health, so the breaker records it as
   *ignored* (here, whatever the breaker's own configuration says).
3. **breaker**: sees every attempt, the timed-out ones as failures.
4. **retry**: retries attempts the breaker let through and that failed; a
   rejection by the breaker is not retried (see :class:`~.retry.Retry`).
5. **fallback**, outermost: the last word on every failure above.

:func:`compose` decorates a function or a coroutine function. The
asyncio flavour needs an :class:`~.bulkhead.AsyncBulkhead`; the threads
flavour a :class:`~.bulkhead.Bulkhead`, and its timeout stops *waiting*, it
cannot stop the call (see :mod:`.timeout`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from twinbook.breaker import Breaker, Outcome

from .bulkhead import AsyncBulkhead, Bulkhead, BulkheadFullError
from .fallback import Fallback
from .retry import Retry
from .timeout import Timeout

__all__ = ["compose"]

F = TypeVar("F", bound=Callable[..., Any])


# docs:start compose
def compose(
    *,
    fallback: Fallback | None = None,
    retry: Retry | None = None,
    breaker: Breaker | None = None,
    bulkhead: Bulkhead | AsyncBulkhead | None = None,
    timeout: Timeout | None = None,
) -> Callable[[F], F]:
    """A decorator applying the given layers in the one order that makes sense (see above)."""

    def decorate(fn: F) -> F:
        is_async = inspect.iscoroutinefunction(fn)
        _check_flavour(bulkhead, is_async)
        guard = _breaker_async if is_async else _breaker_sync
        inside_out = [
            timeout,
            bulkhead,
            None if breaker is None else _BreakerLayer(functools.partial(guard, breaker)),
            retry,
            fallback,
        ]
        call: Any = fn
        for layer in inside_out:
            if layer is not None:
                call = _around(layer.call_async if is_async else layer.call, call, is_async)
        return functools.wraps(fn)(call)  # type: ignore[no-any-return]

    return decorate


# docs:end compose


class _BreakerLayer:
    """The breaker as a layer: a bulkhead's rejection is recorded as ignored (see above)."""

    def __init__(self, guard: Callable[..., Any]) -> None:
        self.call = self.call_async = guard


def _check_flavour(bulkhead: Bulkhead | AsyncBulkhead | None, is_async: bool) -> None:
    if is_async and isinstance(bulkhead, Bulkhead):
        raise TypeError("a coroutine function needs an AsyncBulkhead")
    if not is_async and isinstance(bulkhead, AsyncBulkhead):
        raise TypeError("a plain function needs a Bulkhead (AsyncBulkhead is for coroutines)")


def _around(
    layer: Callable[..., Any], inner: Callable[..., Any], is_async: bool
) -> Callable[..., Any]:
    """``layer(inner, *args, **kwargs)`` as a function of ``*args, **kwargs``."""
    if is_async:

        async def wrapped_async(*args: Any, **kwargs: Any) -> Any:
            return await layer(inner, *args, **kwargs)

        return wrapped_async

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return layer(inner, *args, **kwargs)

    return wrapped


def _breaker_sync(breaker: Breaker, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    permission = breaker.acquire()
    try:
        result = fn(*args, **kwargs)
    except BulkheadFullError:
        permission.complete(Outcome.IGNORED)  # our own overload, not the dependency's failure
        raise
    except BaseException as exc:
        permission.complete_exception(exc)
        raise
    permission.complete_result(result)
    return result


async def _breaker_async(
    breaker: Breaker, fn: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any
) -> Any:
    permission = breaker.acquire()
    try:
        result = await fn(*args, **kwargs)
    except BulkheadFullError:
        permission.complete(Outcome.IGNORED)
        raise
    except BaseException as exc:
        permission.complete_exception(exc)
        raise
    permission.complete_result(result)
    return result
