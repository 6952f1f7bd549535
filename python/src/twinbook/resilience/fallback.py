"""Fallback: when the call fails, answer something else (a cached value, a default, less).

The Go twin is ``go/resilience/fallback.go``. A fallback is the outermost
layer because it is the last word: it sees every way the layers inside can
fail (the call's own error after the retries, a breaker's rejection, a full
bulkhead, a timeout) and turns it into an answer the caller can use. It never
catches a cancellation: ``on`` defaults to :class:`Exception`, and
:class:`asyncio.CancelledError` and :class:`KeyboardInterrupt` are not ones.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, cast

__all__ = ["Fallback"]

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Fallback:
    """On an exception matching ``on``, return ``handler(exc)`` instead of raising.

    In the asyncio flavour ``handler`` may be a coroutine function.
    """

    handler: Callable[[BaseException], Any]
    on: tuple[type[BaseException], ...] = (Exception,)

    # docs:start fallback
    def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except self.on as exc:
            return self.handler(exc)  # type: ignore[no-any-return]

    async def call_async(
        self, fn: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        try:
            return await fn(*args, **kwargs)
        except self.on as exc:
            answer = self.handler(exc)
            if inspect.isawaitable(answer):
                answer = await answer
            return answer  # type: ignore[no-any-return]

    # docs:end fallback

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        """Decorate a function or a coroutine function."""
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def guarded_async(*args: P.args, **kwargs: P.kwargs) -> R:
                return await self.call_async(fn, *args, **kwargs)

            # The same signature, returning a coroutine: R is that coroutine's result.
            return cast(Callable[P, R], guarded_async)

        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            return self.call(fn, *args, **kwargs)

        return guarded
