"""The Python breaker against pybreaker 1.4.1, in one pytest-benchmark run (``make bench-python``).

Not part of ``make test`` (pytest.ini ignores tests/benchmarks): timings are
measured here and never asserted; the assertions only check that each
benchmark did what it says (a success returned, a rejection was raised, the
calls ran). ``tests/benchmarks/merge_bench.py`` turns the JSON this writes into
ratios to the peer.

Groups, each with both implementations side by side:

* ``success``: one successful call through a closed breaker, as a decorated
  function and through ``call(fn)``;
* ``rejected``: one call to an open breaker, which raises;
* ``concurrent``: four concurrent calls of 50 ms each, on four threads.
  pybreaker holds one lock across the call, so they queue: about 200 ms.
  twinbook holds no lock across the call, so they overlap: about 50 ms.
  (twinbook's asyncio flavour, four tasks, is measured beside; pybreaker's
  async support needs Tornado, so it has no entry there.)
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pybreaker
import pytest

from twinbook.breaker import Breaker, Config, OpenError

SLEEP = 0.05  # each of the four concurrent calls


def one() -> int:
    return 1


@pytest.fixture
def ours() -> Breaker:
    return Breaker(Config())  # defaults: count window of 100, the system clock


@pytest.fixture
def peer() -> pybreaker.CircuitBreaker:
    return pybreaker.CircuitBreaker()  # defaults: fail_max 5, reset_timeout 60 s


# ------------------------------------------------------------------ success


@pytest.mark.benchmark(group="success")
def test_success_twinbook_decorator(benchmark: Any, ours: Breaker) -> None:
    assert benchmark(ours(one)) == 1
    assert ours.metrics().failed == 0


@pytest.mark.benchmark(group="success")
def test_success_pybreaker_decorator(benchmark: Any, peer: pybreaker.CircuitBreaker) -> None:
    assert benchmark(peer(one)) == 1
    assert peer.fail_counter == 0


@pytest.mark.benchmark(group="success")
def test_success_twinbook_call(benchmark: Any, ours: Breaker) -> None:
    assert benchmark(ours.call, one) == 1


@pytest.mark.benchmark(group="success")
def test_success_pybreaker_call(benchmark: Any, peer: pybreaker.CircuitBreaker) -> None:
    assert benchmark(peer.call, one) == 1


# ------------------------------------------------------------------ rejected


def rejecting(fn: Callable[[], Any], error: type[BaseException]) -> Callable[[], bool]:
    def attempt() -> bool:
        try:
            fn()
        except error:
            return True
        return False

    return attempt


@pytest.mark.benchmark(group="rejected")
def test_rejected_twinbook(benchmark: Any) -> None:
    breaker = Breaker(Config(window_size=1, minimum_calls=1, wait_in_open_ms=3_600_000))
    guarded = breaker(one)
    breaker.acquire().complete("failure")  # open for an hour
    assert benchmark(rejecting(guarded, OpenError)) is True


@pytest.mark.benchmark(group="rejected")
def test_rejected_pybreaker(benchmark: Any) -> None:
    breaker = pybreaker.CircuitBreaker(reset_timeout=3600)
    guarded = breaker(one)
    breaker.open()
    assert benchmark(rejecting(guarded, pybreaker.CircuitBreakerError)) is True


# ------------------------------------------------------------------ concurrent


def four_threads(guarded: Callable[[], Any]) -> Callable[[], list[Any]]:
    def run() -> list[Any]:
        results: list[Any] = []
        threads = [threading.Thread(target=lambda: results.append(guarded())) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    return run


def sleepy() -> str:
    time.sleep(SLEEP)
    return "done"


@pytest.mark.benchmark(group="concurrent")
def test_concurrent_twinbook_threads(benchmark: Any, ours: Breaker) -> None:
    results = benchmark.pedantic(four_threads(ours(sleepy)), rounds=10, warmup_rounds=1)
    assert results == ["done"] * 4


@pytest.mark.benchmark(group="concurrent")
def test_concurrent_pybreaker_threads(benchmark: Any, peer: pybreaker.CircuitBreaker) -> None:
    results = benchmark.pedantic(four_threads(peer(sleepy)), rounds=5, warmup_rounds=1)
    assert results == ["done"] * 4


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.mark.benchmark(group="concurrent")
def test_concurrent_twinbook_tasks(
    benchmark: Any, ours: Breaker, loop: asyncio.AbstractEventLoop
) -> None:
    @ours
    async def asleep() -> str:
        await asyncio.sleep(SLEEP)
        return "done"

    async def four() -> list[str]:
        return list(await asyncio.gather(*(asleep() for _ in range(4))))

    results = benchmark.pedantic(
        lambda: loop.run_until_complete(four()), rounds=10, warmup_rounds=1
    )
    assert results == ["done"] * 4
