"""Timeout: give up waiting after a while; asyncio first, threads documented.

The Go twin is ``go/resilience/timeout.go``, where a ``context`` deadline
reaches into the call and stops it. Python has that only for coroutines:

* **asyncio** (:meth:`Timeout.call_async`): the call is *cancelled* when the
  time is up (``asyncio.timeout``), its ``finally`` blocks run, and the
  caller gets :class:`TimeoutError`. This is the real thing.
* **threads** (:meth:`Timeout.call`): a thread cannot be interrupted, so the
  call runs in a worker thread and the caller stops *waiting* for it: it gets
  :class:`TimeoutError` on time, but the call runs on to its end in the
  background and its result is thrown away. It still holds whatever it
  holds (a connection, a bulkhead slot if the bulkhead is inside the
  timeout). Prefer the dependency's own timeout (a socket or HTTP client
  timeout) in threaded code, and use this only around calls that have none.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, cast

__all__ = ["Timeout"]

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Timeout:
    """Raise :class:`TimeoutError` when a call takes longer than ``seconds``."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(f"seconds: must be > 0, got {self.seconds!r}")

    # docs:start timeout
    async def call_async(
        self, fn: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Await ``fn``; cancel it and raise :class:`TimeoutError` after ``seconds``."""
        try:
            async with asyncio.timeout(self.seconds):
                return await fn(*args, **kwargs)
        except TimeoutError as exc:
            exc.add_note(f"timeout: {_name(fn)} took longer than {self.seconds}s")
            raise

    # docs:end timeout

    # docs:start timeout-threads
    def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``fn`` in a worker thread; stop waiting after ``seconds`` (see the module
        doc)."""
        done = threading.Event()
        outcome: list[Any] = []

        def work() -> None:
            try:
                outcome.append((True, fn(*args, **kwargs)))
            except BaseException as exc:  # handed to the caller, who re-raises it
                outcome.append((False, exc))
            finally:
                done.set()

        threading.Thread(target=work, name=f"timeout-{_name(fn)}", daemon=True).start()
        if not done.wait(self.seconds):
            took = f"timeout: {_name(fn)} took longer than {self.seconds}s"
            raise TimeoutError(f"{took} (it runs on in its thread)")
        ok, value = outcome[0]
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    # docs:end timeout-threads

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        """Decorate a function or a coroutine function."""
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def bounded_async(*args: P.args, **kwargs: P.kwargs) -> R:
                return await self.call_async(fn, *args, **kwargs)

            # The same signature, returning a coroutine: R is that coroutine's result.
            return cast(Callable[P, R], bounded_async)

        @functools.wraps(fn)
        def bounded(*args: P.args, **kwargs: P.kwargs) -> R:
            return self.call(fn, *args, **kwargs)

        return bounded


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)
