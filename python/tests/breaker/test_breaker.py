"""The breaker's API: decorator, context managers, call, two steps; errors, events, metrics.

The state machine's rules are pinned by the conformance vectors (``test_vectors.py``)
and the model test (``test_model.py``); here each way of calling through the
breaker is shown to feed the same machine, with the outcomes classified as the
configuration says.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import threading
from collections.abc import Callable
from typing import Any

import pytest

from twinbook.breaker import (
    Breaker,
    CallEvent,
    OpenError,
    Outcome,
    Rejection,
    State,
    Transition,
    guarded_by,
)
from twinbook.clock import ManualClock, SystemClock

Make = Callable[..., Breaker]


class Boom(Exception):
    pass


def trip(breaker: Breaker) -> None:
    """Four recorded failures: enough to open the fixture's default breaker."""
    for _ in range(4):
        breaker.acquire().complete("failure")
    assert breaker.state is State.OPEN


# ---------------------------------------------------------------- decorator


def test_decorated_function_returns_and_records_success(make: Make) -> None:
    breaker = make()

    @breaker
    def add(a: int, b: int = 0) -> int:
        return a + b

    assert add(2, b=3) == 5
    assert add.__name__ == "add" and guarded_by(add) is breaker
    assert breaker.metrics().calls == 1 and breaker.metrics().failed == 0


def test_an_exception_is_recorded_as_failure_and_reraised_unchanged(make: Make) -> None:
    breaker = make()
    error = Boom("down")

    @breaker
    def fail() -> None:
        raise error

    for _ in range(3):
        with pytest.raises(Boom) as caught:
            fail()
        assert caught.value is error
    assert (breaker.metrics().calls, breaker.metrics().failed) == (3, 3)
    with pytest.raises(Boom):
        fail()
    assert breaker.state is State.OPEN
    with pytest.raises(OpenError):
        fail()


def test_a_rejected_call_is_not_made(make: Make) -> None:
    breaker = make()
    trip(breaker)
    made = []

    @breaker
    def work() -> None:
        made.append(1)

    with pytest.raises(OpenError):
        work()
    assert made == []
    assert breaker.metrics().not_permitted == 1


def test_failure_by_result(make: Make) -> None:
    breaker = make(record_result=lambda status: status >= 500)

    @breaker
    def get(status: int) -> int:
        return status

    assert [get(200), get(503), get(404)] == [200, 503, 404]
    m = breaker.metrics()
    assert (m.calls, m.failed, m.failure_rate) == (3, 1, -1)
    assert get(500) == 500  # returned to the caller, and 2 of 4 failed: 50 % trips
    assert breaker.state is State.OPEN


def test_record_exceptions_lets_other_exceptions_count_as_success(make: Make) -> None:
    breaker = make(record_exceptions=(TimeoutError,))

    @breaker
    def lookup(key: str) -> str:
        raise KeyError(key)

    for _ in range(5):
        with pytest.raises(KeyError):
            lookup("x")
    m = breaker.metrics()
    assert (m.calls, m.failed, m.state) == (4, 0, State.CLOSED)


def test_keyboard_interrupt_is_ignored_and_reraised(make: Make) -> None:
    breaker = make()

    @breaker
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert breaker.metrics().calls == 0


def test_slow_calls_are_measured_by_the_breakers_clock(make: Make, clock: ManualClock) -> None:
    breaker = make(slow_call_rate_threshold=50)

    @breaker
    def takes(ms: int) -> None:
        clock.advance(ms / 1000)

    takes(1000)  # not slow: exactly the threshold
    takes(1001)
    takes(5)
    m = breaker.metrics()
    assert (m.calls, m.slow) == (3, 1)
    takes(1500)  # 2 of 4 slow: 50 %
    assert breaker.state is State.OPEN


def test_generators_cannot_be_guarded(make: Make) -> None:
    breaker = make()

    def numbers() -> Any:
        yield 1

    async def anumbers() -> Any:
        yield 1

    with pytest.raises(TypeError, match="generator"):
        breaker(numbers)
    with pytest.raises(TypeError, match="generator"):
        breaker(anumbers)


def test_decorated_coroutine_function(make: Make, arun: Any) -> None:
    breaker = make()

    @breaker
    async def fetch(x: int) -> int:
        await asyncio.sleep(0)
        if x < 0:
            raise Boom(x)
        return x * 2

    assert inspect.iscoroutinefunction(fetch)

    async def main() -> None:
        assert await fetch(21) == 42
        for _ in range(3):
            with pytest.raises(Boom):
                await fetch(-1)
        assert breaker.state is State.OPEN
        with pytest.raises(OpenError):
            await fetch(1)

    arun(main())


def test_a_cancelled_coroutine_is_ignored_and_gives_its_half_open_permit_back(
    make: Make, clock: ManualClock, arun: Any
) -> None:
    breaker = make(half_open_permitted_calls=1)
    trip(breaker)
    clock.advance(5)
    started = asyncio.Event

    @breaker
    async def hang(ready: asyncio.Event) -> None:
        ready.set()
        await asyncio.sleep(3600)

    async def main() -> None:
        ready = started()
        task = asyncio.create_task(hang(ready))
        await ready.wait()
        with pytest.raises(OpenError):  # the one permit is in flight
            await hang(asyncio.Event())
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert breaker.metrics().calls == 0  # ignored: nothing recorded
        permission = breaker.acquire()  # ...and the permit came back
        permission.complete("success")
        assert breaker.state is State.CLOSED

    arun(main())


# ---------------------------------------------------------------- call


def test_call_and_call_async(make: Make, arun: Any) -> None:
    breaker = make(record_result=lambda v: v == "bad")
    assert breaker.call(lambda a, b: a * b, 6, b=7) == 42
    assert breaker.call(lambda: "bad") == "bad"

    async def double(x: int) -> int:
        return 2 * x

    async def main() -> None:
        assert await breaker.call_async(double, 4) == 8
        with pytest.raises(Boom):
            await breaker.call_async(_raise_async, Boom())

    calls: list[CallEvent] = []
    breaker.on_call(calls.append)
    arun(main())
    assert [e.outcome for e in calls] == [Outcome.SUCCESS, Outcome.FAILURE]
    assert breaker.state is State.OPEN  # 2 of 4 failed


async def _raise_async(exc: BaseException) -> None:
    raise exc


# ---------------------------------------------------------------- context managers


def test_with_block_records_the_block(make: Make) -> None:
    breaker = make()
    with breaker as permission:
        assert permission.state is State.CLOSED
    with pytest.raises(Boom):
        with breaker:
            raise Boom
    m = breaker.metrics()
    assert (m.calls, m.failed) == (2, 1)


def test_with_blocks_nest_and_unwind_in_order(make: Make) -> None:
    outer, inner = make(), make()
    with outer, inner:
        with outer:
            pass
    with pytest.raises(Boom):
        with outer:
            with inner:
                raise Boom
    assert (outer.metrics().calls, outer.metrics().failed) == (3, 1)
    assert (inner.metrics().calls, inner.metrics().failed) == (2, 1)


def test_with_block_is_rejected_when_open(make: Make) -> None:
    breaker = make()
    trip(breaker)
    ran = False
    with pytest.raises(OpenError):
        with breaker:
            ran = True
    assert not ran


def test_async_with_keeps_each_tasks_permission_apart(make: Make, arun: Any) -> None:
    breaker = make(window_size=10, minimum_calls=10)

    async def one(fail: bool, gate: asyncio.Event) -> None:
        async with breaker:
            await gate.wait()  # every task is inside its block at once
            if fail:
                raise Boom

    async def main() -> None:
        gate = asyncio.Event()
        tasks = [asyncio.create_task(one(i % 2 == 0, gate)) for i in range(6)]
        await asyncio.sleep(0)
        gate.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert sum(isinstance(r, Boom) for r in results) == 3

    arun(main())
    m = breaker.metrics()
    assert (m.calls, m.failed) == (6, 3)


def test_with_blocks_in_threads_keep_their_permissions_apart(make: Make) -> None:
    breaker = make(window_size=20, minimum_calls=20)
    barrier = threading.Barrier(8, timeout=10)

    def one(i: int) -> None:
        try:
            with breaker:
                barrier.wait()  # all eight blocks are open together
                if i % 4 == 0:
                    raise Boom
        except Boom:
            pass

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    m = breaker.metrics()
    assert (m.calls, m.failed) == (8, 2)


# ---------------------------------------------------------------- two steps


def test_two_steps(make: Make) -> None:
    breaker = make()
    p = breaker.acquire()
    p.complete(Outcome.SUCCESS)
    with pytest.raises(RuntimeError, match="already completed"):
        p.complete("success")
    with pytest.raises(ValueError):
        breaker.acquire().complete("maybe")
    breaker.acquire().complete_exception(Boom())
    breaker.acquire().complete_result(None)
    breaker.acquire().complete_exception(asyncio.CancelledError())
    m = breaker.metrics()
    assert (m.calls, m.failed) == (3, 1)


def test_try_acquire(make: Make) -> None:
    breaker = make()
    assert breaker.try_acquire() is not None
    breaker.force_open()
    assert breaker.try_acquire() is None


# ---------------------------------------------------------------- rejection


def test_retry_after_is_what_is_left_of_the_open_wait(make: Make, clock: ManualClock) -> None:
    breaker = make(half_open_permitted_calls=1)
    trip(breaker)
    clock.advance(1.25)
    with pytest.raises(OpenError) as caught:
        breaker.acquire()
    error = caught.value
    assert error.state is State.OPEN
    assert error.retry_after == pytest.approx(3.75)
    assert "open" in str(error) and "3.750s" in str(error)
    clock.advance(3.75)
    held = breaker.acquire()  # half_open now, and its one permit is taken
    with pytest.raises(OpenError) as caught:
        breaker.acquire()
    assert (caught.value.state, caught.value.retry_after) == (State.HALF_OPEN, 0.0)
    held.complete("ignored")
    breaker.force_open()
    with pytest.raises(OpenError) as caught:
        breaker.acquire()
    assert caught.value.state is State.FORCED_OPEN and math.isinf(caught.value.retry_after)


def test_the_error_names_the_breaker(make: Make) -> None:
    breaker = make(name="payments")
    breaker.force_open()
    with pytest.raises(OpenError, match="breaker 'payments' is forced_open"):
        breaker.acquire()
    assert breaker.name == "payments" and "payments" in repr(breaker)


# ---------------------------------------------------------------- manual and metrics


def test_not_permitted_counts_until_reset(make: Make) -> None:
    breaker = make()
    breaker.force_open()
    for _ in range(3):
        breaker.try_acquire()
    assert breaker.metrics().not_permitted == 3
    breaker.close()
    assert breaker.metrics().not_permitted == 3  # close keeps it
    breaker.reset()
    assert breaker.metrics().not_permitted == 0


def test_disabled_permits_everything_and_records_nothing(make: Make) -> None:
    breaker = make()
    breaker.disable()

    @breaker
    def fail() -> None:
        raise Boom

    for _ in range(10):
        with pytest.raises(Boom):
            fail()
    assert breaker.metrics().calls == 0 and breaker.state is State.DISABLED


def test_a_late_result_through_the_decorator_is_discarded(make: Make) -> None:
    breaker = make()

    @breaker
    def slow_success(during: Callable[[], None]) -> str:
        during()  # the breaker trips while this call is in flight
        return "ok"

    assert slow_success(lambda: trip(breaker)) == "ok"
    assert breaker.state is State.OPEN and breaker.metrics().calls == 0


def test_time_window_through_the_decorator(make: Make, clock: ManualClock) -> None:
    breaker = make(sliding_window="time", window_size=2, minimum_calls=2)

    @breaker
    def fail() -> None:
        raise Boom

    with pytest.raises(Boom):
        fail()
    clock.advance(2.5)  # the first failure leaves the window
    with pytest.raises(Boom):
        fail()
    assert breaker.metrics().calls == 1 and breaker.state is State.CLOSED
    with pytest.raises(Boom):
        fail()
    assert breaker.state is State.OPEN


@pytest.mark.parametrize("via", ["decorator", "call"])
def test_the_hot_path_and_the_slow_path_agree(make: Make, clock: ManualClock, via: str) -> None:
    """The decorator and call() inline the common case; they must feed the window like acquire/complete."""
    fast, slow = make(window_size=5, minimum_calls=3), make(window_size=5, minimum_calls=3)

    def work(failed: bool, ms: int) -> None:
        clock.advance(ms / 1000)
        if failed:
            raise Boom

    guarded = fast(work)

    def run(failed: bool, ms: int) -> None:
        if via == "decorator":
            guarded(failed, ms)
        else:
            fast.call(work, failed, ms)

    pattern = [(False, 1), (False, 1), (True, 1), (False, 1200), (False, 1), (False, 1)] * 3
    for failed, ms in pattern:
        p = slow.acquire() if slow.state is not State.OPEN else None
        try:
            run(failed, ms)
        except (Boom, OpenError):
            pass
        if p is not None:
            p.complete("failure" if failed else "success")
        assert fast.metrics() == slow.metrics()


# ---------------------------------------------------------------- events


def test_transition_events_in_order_stamped_when_due(make: Make, clock: ManualClock) -> None:
    breaker = make(max_wait_in_half_open_ms=1000)
    seen: list[Transition] = []
    breaker.on_transition(seen.append)
    trip(breaker)
    clock.advance(10)  # open 0-5 s, half_open 5-6 s, open 6-11 s
    assert breaker.state is State.OPEN
    assert [str(t) for t in seen] == ["closed->open", "open->half_open", "half_open->open"]
    assert [t.at for t in seen] == [0.0, 5.0, 6.0]
    clock.advance(1)
    assert breaker.state is State.HALF_OPEN and seen[-1].at == 11.0


def test_call_and_rejection_events(make: Make) -> None:
    breaker = make()
    calls: list[CallEvent] = []
    rejections: list[Rejection] = []
    breaker.on_call(calls.append)
    breaker.on_rejected(rejections.append)
    p = breaker.acquire()
    breaker.acquire().complete("failure")
    breaker.acquire().complete("ignored")
    breaker.force_open()
    breaker.try_acquire()
    p.complete("success")  # late: granted before force_open
    assert [(e.outcome, e.recorded, e.state) for e in calls] == [
        (Outcome.FAILURE, True, State.CLOSED),
        (Outcome.IGNORED, False, State.CLOSED),
        (Outcome.SUCCESS, False, State.CLOSED),
    ]
    assert [(r.state, r.retry_after) for r in rejections] == [(State.FORCED_OPEN, math.inf)]


def test_unsubscribe(make: Make) -> None:
    breaker = make()
    seen: list[Transition] = []
    unsubscribe = breaker.on_transition(seen.append)
    breaker.force_open()
    unsubscribe()
    unsubscribe()  # twice is harmless
    breaker.close()
    assert [str(t) for t in seen] == ["closed->forced_open"]


def test_a_failing_subscriber_is_logged_and_the_call_goes_on(
    make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    breaker = make()
    seen: list[str] = []

    def broken(event: object) -> None:
        raise RuntimeError("dashboard down")

    breaker.on_transition(broken)
    breaker.on_transition(lambda t: seen.append(str(t)))
    with caplog.at_level(logging.ERROR, logger="twinbook.breaker.events"):
        breaker.force_open()
    assert seen == ["closed->forced_open"]
    assert "dashboard down" in caplog.text


def test_a_subscriber_may_call_the_breaker(make: Make) -> None:
    """Events are delivered outside the lock: re-entering the breaker must not deadlock."""
    breaker = make()
    states: list[tuple[str, State]] = []
    breaker.on_transition(lambda t: states.append((str(t), breaker.state)))
    breaker.on_transition(lambda t: breaker.close() if t.to_state is State.OPEN else None)
    trip_calls = [breaker.acquire() for _ in range(4)]
    for p in trip_calls:
        p.complete("failure")
    assert [s for s, _ in states] == ["closed->open", "open->closed"]
    assert breaker.state is State.CLOSED


def test_no_lock_is_held_across_the_call(make: Make) -> None:
    """Four calls meet at a barrier inside the breaker: only possible if they overlap."""
    breaker = make(window_size=10)
    barrier = threading.Barrier(4, timeout=10)

    @breaker
    def meet() -> int:
        breaker.metrics()  # the breaker is usable from inside a call
        return barrier.wait()

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(meet())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1, 2, 3]


def test_no_lock_is_held_across_an_await(arun: Any) -> None:
    breaker = Breaker(clock=SystemClock())

    @breaker
    async def meet(barrier: asyncio.Barrier) -> int:
        return await barrier.wait()

    async def main() -> list[int]:
        barrier = asyncio.Barrier(4)
        return sorted(await asyncio.gather(*(meet(barrier) for _ in range(4))))

    assert arun(main()) == [0, 1, 2, 3]
