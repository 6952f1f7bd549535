"""Stack: fallback(retry(breaker(bulkhead(timeout(call))))), and why each layer sits where it does.

Each test pins one consequence of the order, so that swapping two layers
breaks a test: per-attempt timeouts, the breaker seeing every attempt and
its timeouts, rejections not retried, a full bulkhead not counted against
the dependency, an open breaker not taking a bulkhead slot, and the fallback
having the last word.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from timeouts import TIMEOUT

from twinbook.breaker import Breaker, Config, OpenError, State
from twinbook.clock import ManualClock
from twinbook.resilience import (
    Bulkhead,
    BulkheadFullError,
    Fallback,
    Retry,
    Stack,
    Timeout,
    aio,
)

from .conftest import Sleeps


def small_breaker(**overrides: Any) -> Breaker:
    values: dict[str, Any] = dict(
        window_size=3, minimum_calls=3, failure_rate_threshold=50, wait_in_open_ms=60_000
    )
    values.update(overrides)
    return Breaker(Config(**values), clock=ManualClock())


def test_no_layers_is_the_call_itself() -> None:
    @Stack()
    def add(a: int, b: int) -> int:
        return a + b

    assert add(1, 2) == 3 and add.__name__ == "add"


def test_the_timeout_bounds_each_attempt_not_all_of_them(arun: Any, sleeps: Sleeps) -> None:
    attempts = 0

    @Stack(retry=Retry(max_attempts=3, sleep_async=sleeps.aio), timeout=Timeout(0.05))
    async def first_attempt_hangs() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            await asyncio.sleep(3600)
        return f"attempt {attempts}"

    assert arun(first_attempt_hangs()) == "attempt 2"


def test_the_breaker_sees_every_attempt_and_counts_timeouts(arun: Any, sleeps: Sleeps) -> None:
    breaker = small_breaker()

    @Stack(
        retry=Retry(max_attempts=3, sleep_async=sleeps.aio), breaker=breaker, timeout=Timeout(0.01)
    )
    async def hangs() -> None:
        await asyncio.sleep(3600)

    with pytest.raises(TimeoutError):
        arun(hangs())
    assert breaker.state is State.OPEN  # three timed-out attempts, three failures
    assert len(sleeps.delays) == 2


def test_a_rejection_is_not_retried_and_the_fallback_has_the_last_word(sleeps: Sleeps) -> None:
    breaker = small_breaker()
    calls = 0
    answers: list[BaseException] = []

    def remember(exc: BaseException) -> str:
        answers.append(exc)
        return "fallback"

    @Stack(fallback=Fallback(remember), retry=Retry(max_attempts=3, sleep=sleeps), breaker=breaker)
    def down() -> str:
        nonlocal calls
        calls += 1
        raise ConnectionError(f"call {calls}")

    assert down() == "fallback"  # three attempts, all failed: the breaker opens
    assert calls == 3 and breaker.state is State.OPEN
    assert (
        isinstance(answers[0], ConnectionError)
        and "retry: gave up after 3 attempts" in answers[0].__notes__
    )
    assert down() == "fallback"  # rejected at once, and not retried
    assert calls == 3 and isinstance(answers[1], OpenError)
    assert len(sleeps.delays) == 2


def test_a_full_bulkhead_is_not_a_failure_of_the_dependency() -> None:
    breaker = small_breaker()
    bulkhead = Bulkhead(1)
    inside, release = threading.Event(), threading.Event()

    @Stack(breaker=breaker, bulkhead=bulkhead)
    def call(block: bool) -> str:
        if block:
            inside.set()
            release.wait(TIMEOUT)
        return "ok"

    holder = threading.Thread(target=call, args=(True,))
    holder.start()
    assert inside.wait(TIMEOUT)
    for _ in range(5):
        with pytest.raises(BulkheadFullError):
            call(False)
    assert breaker.metrics().calls == 0 and breaker.state is State.CLOSED
    release.set()
    holder.join()
    assert breaker.metrics().calls == 1


def test_an_open_breaker_rejects_before_taking_a_bulkhead_slot(arun: Any) -> None:
    breaker = small_breaker()
    breaker.force_open()
    bulkhead = aio.Bulkhead(1)
    taken = []
    original = bulkhead.__aenter__

    async def spy() -> aio.Bulkhead:
        taken.append(1)
        return await original()

    bulkhead.__aenter__ = spy  # type: ignore[method-assign]

    @Stack(breaker=breaker, bulkhead=bulkhead)
    async def call() -> str:
        return "ok"

    with pytest.raises(OpenError):
        arun(call())
    assert taken == []


def test_the_whole_stack_sync(sleeps: Sleeps) -> None:
    breaker = small_breaker()
    attempts = 0

    @Stack(
        fallback=Fallback(lambda exc: "stale"),
        retry=Retry(max_attempts=2, sleep=sleeps),
        breaker=breaker,
        bulkhead=Bulkhead(4),
        timeout=Timeout(5),
    )
    def flaky(x: int) -> str:
        nonlocal attempts
        attempts += 1
        if attempts % 2:
            raise ConnectionError
        return f"fresh {x}"

    assert flaky(1) == "fresh 1"  # failed once, retried
    assert breaker.metrics().failed == 1 and breaker.metrics().calls == 2


def test_the_whole_stack_async(arun: Any, sleeps: Sleeps) -> None:
    breaker = small_breaker()

    @Stack(
        fallback=Fallback(lambda exc: type(exc).__name__),
        retry=Retry(max_attempts=2, sleep_async=sleeps.aio),
        breaker=breaker,
        bulkhead=aio.Bulkhead(4),
        timeout=Timeout(0.01),
    )
    async def slow() -> str:
        await asyncio.sleep(3600)
        return "never"

    assert asyncio.iscoroutinefunction(slow)
    assert arun(slow()) == "TimeoutError"
    assert breaker.metrics().failed == 2


def test_the_bulkhead_must_match_the_flavour() -> None:
    with pytest.raises(TypeError, match="aio.Bulkhead"):
        Stack(bulkhead=Bulkhead(1))(_coroutine)
    with pytest.raises(TypeError, match="Bulkhead"):
        Stack(bulkhead=aio.Bulkhead(1))(lambda: None)


async def _coroutine() -> None:
    return None
