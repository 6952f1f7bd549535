"""Chapter 3's actors against pykka 4.5.0, in the same pytest-benchmark run (``make bench-python``).

Not part of ``make test`` (pytest.ini ignores tests/benchmarks): timings are
measured here and never asserted; the assertions only check that each round
did what it says (every message handled, every reply right).
``tests/benchmarks/merge_bench.py`` turns the JSON into ratios to the peer.

Groups, each with the implementations side by side: twinbook's asyncio
:class:`~twinbook.actor.Actor` with a plain-function handler (``asyncio``, the
same shape as pykka's ``on_receive``) and with an ``async def`` one
(``coroutine``), twinbook's :class:`~twinbook.actor.ThreadedActor` (``threads``),
and pykka's ``ThreadingActor`` (pykka's only flavour: a thread per actor and a
``queue.Queue``). A round is :data:`BATCH` messages, so a figure is per
message: ``ns_per_op`` divided by ``BATCH`` (the JSON keeps it in ``extra_info``).

* ``actor_tell``: messages per second through one actor: BATCH tells, then one
  ask that waits until all of them have been handled (mailbox order);
* ``actor_ask``: ask round trips per second: BATCH asks one after the other,
  each waiting for its reply.

On asyncio the sender and the actor share one thread and hand over at an
``await``: no lock, no thread switch. On threads every hand-over wakes another
thread through a lock and a condition, and the GIL passes back and forth: that
difference is what the figures show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pykka
import pytest

from twinbook.actor import Actor, Options, ThreadedActor

BATCH = 1000
MAILBOX = Options(capacity=BATCH + 1)  # a round never waits for room: this measures delivery
TIMEOUT = 10.0


class Count:
    """The behaviour all three run: count told messages, answer an ask with the count."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, body: Any) -> int:
        self.count += 1
        return self.count


class PykkaCount(pykka.ThreadingActor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def on_receive(self, message: Any) -> int:
        self.count += 1
        return self.count


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def started(loop: asyncio.AbstractEventLoop, handler: Any) -> Iterator[Actor[int]]:
    async def start() -> Actor[int]:
        return Actor.of(handler, MAILBOX, name="bench").start()

    actor = loop.run_until_complete(start())
    yield actor
    loop.run_until_complete(actor.stop())


@pytest.fixture
def aio_actor(loop: asyncio.AbstractEventLoop) -> Iterator[Actor[int]]:
    yield from started(loop, Count())


@pytest.fixture
def coroutine_actor(loop: asyncio.AbstractEventLoop) -> Iterator[Actor[int]]:
    count = Count()

    async def handle(body: int) -> int:
        return count(body)

    yield from started(loop, handle)


@pytest.fixture
def threaded_actor() -> Iterator[ThreadedActor[int]]:
    actor = ThreadedActor.of(Count(), MAILBOX, name="bench").start()
    yield actor
    actor.stop()


@pytest.fixture
def pykka_actor() -> Iterator[pykka.ActorRef[PykkaCount]]:
    ref = PykkaCount.start()
    yield ref
    ref.stop()


def extra(benchmark: Any) -> None:
    benchmark.extra_info["messages_per_round"] = BATCH


# ------------------------------------------------------------------ tell


@pytest.mark.benchmark(group="actor_tell")
def test_actor_tell_twinbook_asyncio(
    benchmark: Any, loop: asyncio.AbstractEventLoop, aio_actor: Actor[int]
) -> None:
    async def round_() -> int:
        for n in range(BATCH):
            await aio_actor.tell(n)
        return int(await aio_actor.ask(-1, timeout=TIMEOUT))

    extra(benchmark)
    last = benchmark(lambda: loop.run_until_complete(round_()))
    assert last % (BATCH + 1) == 0


@pytest.mark.benchmark(group="actor_tell")
def test_actor_tell_twinbook_coroutine(
    benchmark: Any, loop: asyncio.AbstractEventLoop, coroutine_actor: Actor[int]
) -> None:
    test_actor_tell_twinbook_asyncio(benchmark, loop, coroutine_actor)


@pytest.mark.benchmark(group="actor_tell")
def test_actor_tell_twinbook_threads(benchmark: Any, threaded_actor: ThreadedActor[int]) -> None:
    def round_() -> int:
        for n in range(BATCH):
            threaded_actor.tell(n)
        return int(threaded_actor.ask(-1, timeout=TIMEOUT))

    extra(benchmark)
    assert benchmark(round_) % (BATCH + 1) == 0


@pytest.mark.benchmark(group="actor_tell")
def test_actor_tell_pykka(benchmark: Any, pykka_actor: pykka.ActorRef[PykkaCount]) -> None:
    def round_() -> int:
        for n in range(BATCH):
            pykka_actor.tell(n)
        return int(pykka_actor.ask(-1, timeout=TIMEOUT))

    extra(benchmark)
    assert benchmark(round_) % (BATCH + 1) == 0


# ------------------------------------------------------------------ ask


@pytest.mark.benchmark(group="actor_ask")
def test_actor_ask_twinbook_asyncio(
    benchmark: Any, loop: asyncio.AbstractEventLoop, aio_actor: Actor[int]
) -> None:
    async def round_() -> int:
        last = 0
        for n in range(BATCH):
            last = await aio_actor.ask(n, timeout=TIMEOUT)
        return last

    extra(benchmark)
    assert benchmark(lambda: loop.run_until_complete(round_())) % BATCH == 0


@pytest.mark.benchmark(group="actor_ask")
def test_actor_ask_twinbook_coroutine(
    benchmark: Any, loop: asyncio.AbstractEventLoop, coroutine_actor: Actor[int]
) -> None:
    test_actor_ask_twinbook_asyncio(benchmark, loop, coroutine_actor)


@pytest.mark.benchmark(group="actor_ask")
def test_actor_ask_twinbook_threads(benchmark: Any, threaded_actor: ThreadedActor[int]) -> None:
    def round_() -> int:
        last = 0
        for n in range(BATCH):
            last = threaded_actor.ask(n, timeout=TIMEOUT)
        return last

    extra(benchmark)
    assert benchmark(round_) % BATCH == 0


@pytest.mark.benchmark(group="actor_ask")
def test_actor_ask_pykka(benchmark: Any, pykka_actor: pykka.ActorRef[PykkaCount]) -> None:
    def round_() -> int:
        last = 0
        for n in range(BATCH):
            last = pykka_actor.ask(n, timeout=TIMEOUT)
        return last

    extra(benchmark)
    assert benchmark(round_) % BATCH == 0
