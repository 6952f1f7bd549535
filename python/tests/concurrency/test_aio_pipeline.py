"""twinbook.concurrency.aio.pipeline, .fanout and .channel: the same on asyncio."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

from twinbook.concurrency import aio
from twinbook.concurrency.aio.channel import Channel

from .helpers import Counting, Gauge, settle

Run = Callable[[Coroutine[Any, Any, Any]], Any]


async def inc(x: int) -> int:
    await asyncio.sleep(0)
    return x + 1


async def triple(x: int) -> int:
    await asyncio.sleep(0)
    return 3 * x


@pytest.mark.parametrize("maxsize", [1, 3, 100])
def test_stages_apply_in_order(arun: Run, maxsize: int) -> None:
    async def main() -> list[int]:
        source = aio.pipeline.generate(range(50), maxsize=maxsize)
        out = aio.pipeline.stage(inc, aio.pipeline.stage(triple, source), maxsize=maxsize)
        return await aio.pipeline.collect(out)

    assert arun(main()) == [3 * x + 1 for x in range(50)]


@pytest.mark.parametrize("maxsize", [0, -1])
def test_maxsize_below_one_raises_value_error_naming_it(maxsize: int) -> None:
    with pytest.raises(ValueError, match=f"maxsize must be at least 1, got {maxsize}"):
        Channel(maxsize)


@pytest.mark.parametrize(("m1", "m2"), [(1, 1), (2, 3), (5, 1)])
def test_a_blocked_consumer_stops_the_producer(arun: Run, m1: int, m2: int) -> None:
    source = Counting()

    async def main() -> None:
        out = aio.pipeline.stage(inc, aio.pipeline.generate(source, maxsize=m1), maxsize=m2)
        await settle()  # every task runs until it blocks: nobody reads `out`
        assert source.pulled == m1 + m2 + 2
        await settle()
        assert source.pulled == m1 + m2 + 2  # and stays blocked
        out.abandon()  # cancels the stage, which abandons generate's channel, and so on
        await out.join()

    arun(main())


def test_a_slow_consumer_slows_the_producer(arun: Run) -> None:
    source = Counting(stop=40)

    async def main() -> int:
        received = 0
        async for value in aio.pipeline.stage(inc, aio.pipeline.generate(source, maxsize=2)):
            received += 1
            assert value == received
            assert source.pulled - received <= 1 + 2 + 2
            await asyncio.sleep(0.001)
        return received

    assert arun(main()) == 40


def test_cancelling_collect_cancels_every_stage(arun: Run) -> None:
    cancelled: list[str] = []

    async def slow(x: int) -> int:
        try:
            await asyncio.sleep(60 if x == 10 else 0)
        except asyncio.CancelledError:
            cancelled.append(f"slow({x})")
            raise
        return x

    async def main() -> None:
        out = aio.pipeline.stage(slow, aio.pipeline.generate(itertools.count()))
        task = asyncio.create_task(aio.pipeline.collect(aio.pipeline.stage(inc, out)))
        await settle(200)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task  # and collect() has awaited every task of the pipeline

    arun(main())
    assert cancelled == ["slow(10)"]


def test_an_exception_in_a_stage_reaches_collect_and_stops_the_source(arun: Run) -> None:
    boom = ValueError("boom at 5")

    async def fails_at_5(x: int) -> int:
        if x == 5:
            raise boom
        return x

    async def main() -> list[int]:
        endless = aio.pipeline.generate(itertools.count())
        return await aio.pipeline.collect(
            aio.pipeline.stage(inc, aio.pipeline.stage(fails_at_5, endless))
        )

    with pytest.raises(ValueError) as info:
        arun(main())
    assert info.value is boom


def test_an_exception_from_the_source_iterable_reaches_collect(arun: Run) -> None:
    def items() -> Iterator[int]:
        yield 1
        raise LookupError("source broke")

    async def main() -> list[int]:
        return await aio.pipeline.collect(aio.pipeline.stage(inc, aio.pipeline.generate(items())))

    with pytest.raises(LookupError, match="source broke"):
        arun(main())


@pytest.mark.parametrize("workers", [1, 3, 5])
def test_fan_out_then_merge_processes_every_item_once(arun: Run, workers: int) -> None:
    async def main() -> list[int]:
        outs = aio.fanout.fan_out(triple, aio.pipeline.generate(range(100)), workers=workers)
        assert len(outs) == workers
        return await aio.pipeline.collect(aio.fanout.merge(*outs))

    assert sorted(arun(main())) == [3 * x for x in range(100)]


@pytest.mark.parametrize("workers", [2, 4])
def test_fan_out_workers_really_run_at_once(arun: Run, workers: int, gauge: Gauge) -> None:
    async def main() -> list[int]:
        together = asyncio.Barrier(workers)

        async def fn(x: int) -> int:
            with gauge.track():
                await together.wait()
            return x

        outs = aio.fanout.fan_out(fn, aio.pipeline.generate(range(workers * 4)), workers=workers)
        return await aio.pipeline.collect(aio.fanout.merge(*outs))

    assert sorted(arun(main())) == list(range(workers * 4))
    assert gauge.peak == workers


@pytest.mark.parametrize("workers", [0, -2])
def test_fan_out_needs_a_worker(workers: int) -> None:
    with pytest.raises(ValueError, match=f"workers must be at least 1, got {workers}"):
        aio.fanout.fan_out(triple, Channel(1), workers=workers)


def test_merge_keeps_the_order_within_each_source(arun: Run) -> None:
    letters, numbers = list("abcdefghij"), list(range(10))

    async def main() -> list[Any]:
        sources = aio.pipeline.generate(letters), aio.pipeline.generate(numbers)
        return await aio.pipeline.collect(aio.fanout.merge(*sources, maxsize=3))

    merged = arun(main())
    assert [x for x in merged if isinstance(x, str)] == letters
    assert [x for x in merged if isinstance(x, int)] == numbers


def test_merge_of_nothing_closes_at_once(arun: Run) -> None:
    async def main() -> list[int]:
        return await aio.pipeline.collect(aio.fanout.merge())

    assert arun(main()) == []


def test_a_failing_worker_stops_the_fan_out_and_its_error_reaches_collect(arun: Run) -> None:
    boom = ArithmeticError("worker failed")

    async def fails_at_7(x: int) -> int:
        await asyncio.sleep(0)
        if x == 7:
            raise boom
        return x

    async def main() -> list[int]:
        outs = aio.fanout.fan_out(fails_at_7, aio.pipeline.generate(itertools.count()), workers=3)
        return await aio.pipeline.collect(aio.fanout.merge(*outs))

    with pytest.raises(ArithmeticError) as info:
        arun(main())
    assert info.value is boom


def test_every_receiver_sees_the_end_of_a_channel(arun: Run) -> None:
    async def main() -> list[list[int]]:
        channel: Channel[int] = Channel(4)

        async def receive() -> list[int]:
            return [x async for x in channel]

        receivers = [asyncio.create_task(receive()) for _ in range(3)]
        for x in range(30):
            assert await channel.send(x)
        await channel.close()
        return await asyncio.gather(*receivers)

    got = arun(main())
    assert sorted(itertools.chain(*got)) == list(range(30))


def test_abandon_wakes_waiting_receivers_and_refuses_senders(arun: Run) -> None:
    async def main() -> None:
        channel: Channel[int] = Channel(1)

        async def first() -> int | None:
            async for x in channel:
                return x
            return None

        receiver = asyncio.create_task(first())
        await settle()
        channel.abandon()
        assert await receiver is None  # the end, not a hang
        assert await channel.send(1) is False

    arun(main())
