"""Composition: fallback(retry(breaker(bulkhead(timeout(call))))), from the outside in.

The Go twin is ``Stack`` in ``go/resilience/stack.go``. Each layer is
optional; their order is not, and each position has a reason:

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

A :class:`Stack` wraps a function or a coroutine function (:meth:`Stack.wrap`,
or the stack itself as a decorator). A coroutine function needs the asyncio
bulkhead, :class:`twinbook.resilience.aio.Bulkhead`; a plain function the
threads one, :class:`~.bulkhead.Bulkhead`, and its timeout stops *waiting*,
it cannot stop the call (see :mod:`.timeout`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from twinbook.breaker import Breaker, Outcome

from . import aio
from .bulkhead import Bulkhead, BulkheadFullError
from .fallback import Fallback
from .retry import Retry
from .timeout import Timeout

__all__ = ["Stack"]

F = TypeVar("F", bound=Callable[..., Any])
Layer = Callable[..., Any]


# docs:start compose
@dataclass(frozen=True)
class Stack:
    """The layers chapter 2 recommends, every one optional, applied in the one order
    that works."""

    fallback: Fallback | None = None
    retry: Retry | None = None
    breaker: Breaker | None = None
    bulkhead: Bulkhead | aio.Bulkhead | None = None
    timeout: Timeout | None = None

    def wrap(self, fn: F) -> F:
        """Return ``fn`` wrapped in the layers, from the inside out (see the module
        doc)."""
        is_async = inspect.iscoroutinefunction(fn)
        _check_flavour(self.bulkhead, is_async)
        call: Callable[..., Any] = fn
        for layer in self._inside_out(is_async):
            call = _around(layer, call, is_async)
        wrapped: F = functools.wraps(fn)(call)  # type: ignore[assignment]
        return wrapped

    __call__ = wrap  # a Stack is also a decorator: @Stack(retry=..., breaker=...)

    # docs:end compose

    def _inside_out(self, is_async: bool) -> list[Layer]:
        layers: list[Layer] = []
        if self.timeout is not None:
            layers.append(self.timeout.call_async if is_async else self.timeout.call)
        if self.bulkhead is not None:
            layers.append(self.bulkhead.call)  # each flavour's own call (a coroutine in aio)
        if self.breaker is not None:
            guard = _breaker_async if is_async else _breaker_sync
            layers.append(functools.partial(guard, self.breaker))
        if self.retry is not None:
            layers.append(self.retry.call_async if is_async else self.retry.call)
        if self.fallback is not None:
            layers.append(self.fallback.call_async if is_async else self.fallback.call)
        return layers


def _check_flavour(bulkhead: Bulkhead | aio.Bulkhead | None, is_async: bool) -> None:
    if is_async and isinstance(bulkhead, Bulkhead):
        raise TypeError(
            "a coroutine function needs an asyncio bulkhead (twinbook.resilience.aio.Bulkhead)"
        )
    if not is_async and isinstance(bulkhead, aio.Bulkhead):
        raise TypeError(
            "a plain function needs a threads bulkhead (twinbook.resilience.Bulkhead); "
            "twinbook.resilience.aio.Bulkhead is for coroutine functions"
        )


def _around(layer: Layer, inner: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    """``layer(inner, *args, **kwargs)`` as a function of ``*args, **kwargs``."""
    if is_async:

        async def wrapped_async(*args: Any, **kwargs: Any) -> Any:
            return await layer(inner, *args, **kwargs)

        return wrapped_async

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return layer(inner, *args, **kwargs)

    return wrapped


def _breaker_sync(breaker: Breaker, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """The breaker as a layer: a bulkhead's rejection is recorded as ignored (see above)."""
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
