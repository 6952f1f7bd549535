"""Fallback: an answer instead of an exception; never instead of a cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from twinbook.resilience import Fallback


def test_the_handler_answers_with_the_exception_in_hand() -> None:
    @Fallback(lambda exc: f"cached ({type(exc).__name__})")
    def price() -> str:
        raise ConnectionError

    assert price() == "cached (ConnectionError)"


def test_results_pass_through_untouched() -> None:
    assert Fallback(lambda exc: "fallback").call(lambda x: x + 1, 1) == 2


def test_on_narrows_what_is_caught() -> None:
    fallback = Fallback(lambda exc: "default", on=(KeyError,))
    assert fallback.call(lambda: {}["missing"]) == "default"
    with pytest.raises(ZeroDivisionError):
        fallback.call(lambda: 1 / 0)


def test_cancellation_is_not_caught(arun: Any) -> None:
    with pytest.raises(KeyboardInterrupt):
        Fallback(lambda exc: "no").call(_raise, KeyboardInterrupt())

    async def main() -> None:
        @Fallback(lambda exc: "no")
        async def hang() -> str:
            await asyncio.sleep(3600)
            return "never"

        task = asyncio.create_task(hang())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    arun(main())


def test_async_handler_may_be_a_coroutine_function(arun: Any) -> None:
    async def from_cache(exc: BaseException) -> str:
        await asyncio.sleep(0)
        return "cached"

    @Fallback(from_cache)
    async def price() -> str:
        raise ConnectionError

    @Fallback(lambda exc: "plain")
    async def other() -> str:
        raise ConnectionError

    assert arun(price()) == "cached"
    assert arun(other()) == "plain"


def _raise(exc: BaseException) -> None:
    raise exc
