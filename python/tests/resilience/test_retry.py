"""Retry: backoff ceilings, full jitter, attempts, what is retried, the budget; sync and async."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from twinbook.breaker import OpenError, State
from twinbook.resilience import Retry, RetryBudget

from .conftest import Sleeps


class Flaky:
    """Fails ``failures`` times with ``error``, then returns ``"ok"``; counts its calls."""

    def __init__(self, failures: int, error: type[BaseException] = ConnectionError) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self, *args: Any) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error(f"attempt {self.calls}")
        return "ok"

    async def aio(self) -> str:
        await asyncio.sleep(0)
        return self()


def test_backoff_doubles_up_to_the_cap() -> None:
    r = Retry(base_delay=0.1, multiplier=2, max_delay=1.0)
    assert [r.backoff(n) for n in range(1, 7)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])


def test_full_jitter_spreads_delays_over_zero_to_the_backoff() -> None:
    r = Retry(base_delay=1.0, multiplier=2, max_delay=8.0, rng=random.Random(3))
    delays = [r.delay(3) for _ in range(4000)]  # backoff 4 s
    assert all(0.0 <= d <= 4.0 for d in delays)
    assert min(delays) < 0.1 and max(delays) > 3.9  # the whole range, not a band around 4
    assert sum(delays) / len(delays) == pytest.approx(2.0, abs=0.15)


def test_retries_until_success_sleeping_a_jittered_delay_each_time(sleeps: Sleeps) -> None:
    seen: list[tuple[int, str, float]] = []
    r = Retry(
        max_attempts=4,
        base_delay=0.5,
        sleep=sleeps,
        rng=random.Random(1),
        on_retry=lambda n, e, d: seen.append((n, str(e), d)),
    )
    flaky = Flaky(2)
    assert r.call(flaky) == "ok"
    assert flaky.calls == 3
    assert len(sleeps.delays) == 2
    assert 0 <= sleeps.delays[0] <= 0.5 and 0 <= sleeps.delays[1] <= 1.0
    assert [(n, e) for n, e, _ in seen] == [(1, "attempt 1"), (2, "attempt 2")]
    assert [d for _, _, d in seen] == sleeps.delays


def test_gives_up_after_max_attempts_with_the_last_error(sleeps: Sleeps) -> None:
    flaky = Flaky(10)
    with pytest.raises(ConnectionError, match="attempt 3") as caught:
        Retry(max_attempts=3, sleep=sleeps).call(flaky)
    assert flaky.calls == 3 and len(sleeps.delays) == 2
    assert "retry: gave up after 3 attempts" in caught.value.__notes__


def test_a_breaker_rejection_is_not_retried(sleeps: Sleeps) -> None:
    calls = 0

    def rejected() -> None:
        nonlocal calls
        calls += 1
        raise OpenError(State.OPEN, 30.0)

    with pytest.raises(OpenError):
        Retry(max_attempts=5, sleep=sleeps).call(rejected)
    assert calls == 1 and sleeps.delays == []


def test_retry_on_chooses_what_is_worth_another_attempt(sleeps: Sleeps) -> None:
    r = Retry(max_attempts=5, sleep=sleeps, retry_on=lambda e: isinstance(e, TimeoutError))
    flaky = Flaky(2, ValueError)
    with pytest.raises(ValueError):
        r.call(flaky)
    assert flaky.calls == 1
    assert r.call(Flaky(2, TimeoutError)) == "ok"


@pytest.mark.parametrize("error", [KeyboardInterrupt, asyncio.CancelledError])
def test_cancellation_is_never_retried(sleeps: Sleeps, error: type[BaseException]) -> None:
    flaky = Flaky(1, error)
    with pytest.raises(error):
        Retry(max_attempts=5, sleep=sleeps).call(flaky)
    assert flaky.calls == 1


def test_budget_caps_retries_across_calls() -> None:
    budget = RetryBudget(ratio=0.5, max_tokens=2)
    # Full at first: two retries, then none until calls deposit a whole token again.
    assert [budget.try_spend() for _ in range(3)] == [True, True, False]
    budget.record_call()
    assert budget.tokens == 0.5 and budget.try_spend() is False
    budget.record_call()
    assert budget.try_spend() is True and budget.tokens == 0


def test_retry_budget_spends_as_gos_does_across_calls(sleeps: Sleeps) -> None:
    # The same story as Go's TestRetryBudget: every call fails for good; each retry spends a
    # token, each call adds half of one.
    budget = RetryBudget(ratio=0.5, max_tokens=2)
    r = Retry(max_attempts=4, sleep=sleeps, budget=budget)
    attempts, left = [], []
    for _ in range(5):
        always = Flaky(100)
        with pytest.raises(ConnectionError):
            r.call(always)
        attempts.append(always.calls)
        left.append(budget.tokens)
    assert attempts == [3, 1, 2, 1, 2]
    assert left == [0, 0.5, 0, 0.5, 0]


def test_retry_stops_when_the_budget_is_spent(sleeps: Sleeps) -> None:
    budget = RetryBudget(ratio=0.0, max_tokens=2)
    r = Retry(max_attempts=10, sleep=sleeps, budget=budget)
    first, second = Flaky(100), Flaky(100)
    with pytest.raises(ConnectionError) as caught:
        r.call(first)
    assert first.calls == 3  # two retries: the whole budget
    assert "retry: budget exhausted after 3 attempt(s)" in caught.value.__notes__
    with pytest.raises(ConnectionError):
        r.call(second)
    assert second.calls == 1  # nothing left for anyone


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"base_delay": -1}, "base_delay"),
        ({"multiplier": 0.5}, "multiplier"),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Retry(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ratio": -0.1, "max_tokens": 5}, "ratio"),
        ({"ratio": 1.5, "max_tokens": 5}, "ratio"),
        ({"ratio": 0.1, "max_tokens": 0.5}, "max_tokens"),
    ],
)
def test_bad_budget_settings_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: "):
        RetryBudget(**kwargs)


def test_decorator_sync(sleeps: Sleeps) -> None:
    flaky = Flaky(1)

    @Retry(sleep=sleeps)
    def get() -> str:
        return flaky()

    assert get() == "ok" and flaky.calls == 2 and get.__name__ == "get"


def test_async_retries_and_sleeps_between_attempts(arun: Any, sleeps: Sleeps) -> None:
    flaky = Flaky(2)
    r = Retry(max_attempts=3, sleep_async=sleeps.aio, rng=random.Random(2))

    @r
    async def get() -> str:
        return await flaky.aio()

    assert asyncio.iscoroutinefunction(get)
    assert arun(get()) == "ok"
    assert flaky.calls == 3 and len(sleeps.delays) == 2


def test_async_cancellation_while_backing_off_stops_retrying(arun: Any) -> None:
    flaky = Flaky(100)
    r = Retry(max_attempts=100, base_delay=60.0, max_delay=60.0, rng=random.Random(0))

    async def main() -> None:
        task = asyncio.create_task(r.call_async(flaky.aio))
        while flaky.calls == 0:
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)  # the task is now sleeping off attempt 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    arun(main())
    assert flaky.calls == 1
