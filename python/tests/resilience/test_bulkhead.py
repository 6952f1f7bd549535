"""Bulkhead: a cap on calls in flight; the excess waits up to max_wait, then is turned away."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from timeouts import TIMEOUT

from twinbook.resilience import Bulkhead, BulkheadFullError, aio


def hold(bulkhead: Bulkhead, count: int) -> tuple[threading.Event, list[threading.Thread]]:
    """Start ``count`` threads that take a slot each and keep it until the event is set."""
    inside, release = threading.Barrier(count + 1, timeout=TIMEOUT), threading.Event()

    def occupy() -> None:
        with bulkhead:
            inside.wait()
            release.wait(TIMEOUT)

    threads = [threading.Thread(target=occupy) for _ in range(count)]
    for t in threads:
        t.start()
    inside.wait()
    return release, threads


def test_threads_beyond_the_cap_are_rejected_at_once() -> None:
    bulkhead = Bulkhead(2)
    release, threads = hold(bulkhead, 2)
    assert bulkhead.in_use == 2
    with pytest.raises(BulkheadFullError, match="2 calls in flight") as caught:
        bulkhead.call(lambda: None)
    assert caught.value.max_concurrent == 2
    release.set()
    for t in threads:
        t.join()
    assert bulkhead.in_use == 0
    assert bulkhead.call(lambda: "free again") == "free again"


def test_a_thread_waits_up_to_max_wait_for_a_slot() -> None:
    bulkhead = Bulkhead(1, max_wait=TIMEOUT)
    release, threads = hold(bulkhead, 1)
    got: list[str] = []
    waiter = threading.Thread(target=lambda: got.append(bulkhead.call(lambda: "in")))
    waiter.start()
    release.set()  # the holder leaves; the waiter takes its slot
    waiter.join()
    for t in threads:
        t.join()
    assert got == ["in"]


def test_a_thread_gives_up_after_max_wait() -> None:
    bulkhead = Bulkhead(1, max_wait=0.02)
    release, threads = hold(bulkhead, 1)
    with pytest.raises(BulkheadFullError):
        bulkhead.call(lambda: None)
    release.set()
    for t in threads:
        t.join()


def test_a_failing_call_frees_its_slot() -> None:
    bulkhead = Bulkhead(1)

    @bulkhead
    def fail() -> None:
        raise RuntimeError

    for _ in range(3):
        with pytest.raises(RuntimeError):
            fail()
    assert bulkhead.in_use == 0


def test_tasks_beyond_the_cap_are_rejected_or_wait(arun: Any) -> None:
    async def main() -> None:
        fast, patient = aio.Bulkhead(2), aio.Bulkhead(2, max_wait=TIMEOUT)
        for bulkhead in (fast, patient):
            release = asyncio.Event()

            async def occupy(b: aio.Bulkhead = bulkhead, r: asyncio.Event = release) -> str:
                async with b:
                    await r.wait()
                return "done"

            holders = [asyncio.create_task(occupy()) for _ in range(2)]
            while bulkhead.in_use < 2:
                await asyncio.sleep(0)
            if bulkhead is fast:
                with pytest.raises(BulkheadFullError):
                    await bulkhead.call(asyncio.sleep, 0)
                release.set()
            else:
                waiter = asyncio.create_task(bulkhead.call(asyncio.sleep, 0, "waited"))
                await asyncio.sleep(0.01)
                assert not waiter.done()
                release.set()
                assert await waiter == "waited"
            assert await asyncio.gather(*holders) == ["done", "done"]
            assert bulkhead.in_use == 0

    arun(main())


def test_a_task_gives_up_after_max_wait(arun: Any) -> None:
    async def main() -> None:
        bulkhead = aio.Bulkhead(1, max_wait=0.02)

        @bulkhead
        async def slow(gate: asyncio.Event) -> None:
            await gate.wait()

        gate = asyncio.Event()
        holder = asyncio.create_task(slow(gate))
        await asyncio.sleep(0)
        with pytest.raises(BulkheadFullError):
            await slow(gate)
        gate.set()
        await holder
        assert bulkhead.in_use == 0

    arun(main())


@pytest.mark.parametrize("cls", [Bulkhead, aio.Bulkhead])
@pytest.mark.parametrize(("args", "field"), [((0,), "max_concurrent"), ((1, -1), "max_wait")])
def test_bad_settings_name_the_field(cls: type, args: tuple[Any, ...], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        cls(*args)
