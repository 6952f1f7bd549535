"""Half-open never admits more than its permits: many threads, many tasks, at once.

Two kinds of test. The first is exact: N callers arrive together at a
half-open breaker, the permitted ones hold on until every other one has been
turned away, and exactly ``half_open_permitted_calls`` got through. The
second is a stress: callers hammer a breaker that cycles through its states
(``wait_in_open_ms=0``) with random outcomes, and every half-open era is
checked never to have more permits out, or more trial calls recorded, than allowed.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from typing import Any

import pytest
from timeouts import TIMEOUT

from twinbook.breaker import Breaker, Config, OpenError, State
from twinbook.clock import ManualClock, SystemClock

PERMITS = 3


def half_open_breaker(clock: ManualClock) -> Breaker:
    breaker = Breaker(
        Config(
            window_size=2, minimum_calls=2, wait_in_open_ms=1000, half_open_permitted_calls=PERMITS
        ),
        clock=clock,
    )
    for _ in range(2):
        breaker.acquire().complete("failure")
    clock.advance(1)
    assert breaker.state is State.HALF_OPEN
    return breaker


@pytest.mark.parametrize("callers", [8, 64])
def test_many_threads_at_once_get_exactly_the_permits(clock: ManualClock, callers: int) -> None:
    breaker = half_open_breaker(clock)
    start = threading.Barrier(callers, timeout=TIMEOUT)
    release = threading.Event()
    lock = threading.Lock()
    tally: Counter[str] = Counter()
    inside = peak = 0

    @breaker
    def probe() -> None:
        nonlocal inside, peak
        with lock:
            inside += 1
            peak = max(peak, inside)
        assert release.wait(TIMEOUT)
        with lock:
            inside -= 1

    def caller() -> None:
        start.wait()
        try:
            probe()
            outcome = "admitted"
        except OpenError:
            outcome = "rejected"
        with lock:
            tally[outcome] += 1

    threads = [threading.Thread(target=caller) for _ in range(callers)]
    for t in threads:
        t.start()
    # Hold the permitted probes until every other caller has been turned away.
    deadline = threading.Event()
    for _ in range(int(TIMEOUT / 0.001)):
        with lock:
            if tally["rejected"] == callers - PERMITS:
                break
        deadline.wait(0.001)
    release.set()
    for t in threads:
        t.join()
    assert tally == {"admitted": PERMITS, "rejected": callers - PERMITS}
    assert peak == PERMITS
    assert breaker.state is State.CLOSED  # all three probes succeeded
    assert breaker.metrics().not_permitted == callers - PERMITS


@pytest.mark.parametrize("callers", [8, 500])
def test_many_tasks_at_once_get_exactly_the_permits(
    clock: ManualClock, arun: Any, callers: int
) -> None:
    breaker = half_open_breaker(clock)
    inside = peak = 0

    @breaker
    async def probe(release: asyncio.Event) -> None:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        await release.wait()
        inside -= 1

    async def caller(release: asyncio.Event) -> str:
        try:
            await probe(release)
            return "admitted"
        except OpenError:
            return "rejected"

    async def main() -> Counter[str]:
        release = asyncio.Event()
        tasks = [asyncio.create_task(caller(release)) for _ in range(callers)]
        while sum(t.done() for t in tasks) < callers - PERMITS:
            await asyncio.sleep(0)
        release.set()
        return Counter(await asyncio.gather(*tasks))

    assert arun(main()) == {"admitted": PERMITS, "rejected": callers - PERMITS}
    assert peak == PERMITS
    assert breaker.state is State.CLOSED


class EraLedger:
    """Per half-open era: permits out now, the most ever out, and trial results recorded."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.out: Counter[object] = Counter()
        self.peak: Counter[object] = Counter()
        self.recorded: Counter[object] = Counter()

    def take(self, era: object) -> None:
        with self.lock:
            self.out[era] += 1
            self.peak[era] = max(self.peak[era], self.out[era])

    def give(self, era: object, outcome: str) -> None:
        with self.lock:
            self.out[era] -= 1
            if outcome != "ignored":
                self.recorded[era] += 1

    def check(self) -> None:
        assert self.peak, "the stress never reached half_open"
        assert max(self.peak.values()) <= PERMITS
        assert max(self.recorded.values()) <= PERMITS


def cycling_breaker() -> Breaker:
    # wait 0: open turns half_open at once, so the breaker cycles as fast as the calls come.
    return Breaker(
        Config(
            window_size=4,
            minimum_calls=4,
            failure_rate_threshold=50,
            wait_in_open_ms=0,
            half_open_permitted_calls=PERMITS,
        ),
        clock=SystemClock(),
    )


def test_stress_threads_never_exceed_the_permits() -> None:
    breaker, ledger = cycling_breaker(), EraLedger()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(400):
            p = breaker.try_acquire()
            if p is None:
                continue
            outcome = rng.choice(["success", "failure", "failure", "ignored"])
            era = p._era  # the object, not its id: ids of dead eras get reused
            if p.state is State.HALF_OPEN:
                ledger.take(era)
                if rng.random() < 0.5:
                    threading.Event().wait(0.0001)  # let other threads in meanwhile
                ledger.give(era, outcome)
            p.complete(outcome)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ledger.check()


def test_stress_tasks_never_exceed_the_permits(arun: Any) -> None:
    breaker, ledger = cycling_breaker(), EraLedger()

    async def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(300):
            p = breaker.try_acquire()
            if p is None:
                await asyncio.sleep(0)
                continue
            outcome = rng.choice(["success", "failure", "failure", "ignored"])
            era = p._era  # the object, not its id: ids of dead eras get reused
            if p.state is State.HALF_OPEN:
                ledger.take(era)
                await asyncio.sleep(0)  # other tasks run while this permit is out
                ledger.give(era, outcome)
            p.complete(outcome)

    async def main() -> None:
        await asyncio.gather(*(worker(seed) for seed in range(32)))

    arun(main())
    ledger.check()
