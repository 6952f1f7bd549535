"""twinbook.actor.Actor: the asyncio actor, its mailbox policies, asks, stops and exit reasons."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from timeouts import TIMEOUT

from twinbook.actor import (
    Actor,
    ActorStopped,
    AskTimeout,
    Mailbox,
    MailboxFull,
    Options,
    Overflow,
    Reason,
)

Run = Callable[[Coroutine[Any, Any, Any]], Any]
SHORT = 0.01  # a deadline that passes with certainty: nothing will ever make room or reply


class Gated:
    """A handler that records every body and, on ``"hold"``, waits for the test's gate.

    While it holds, the actor has taken that message out of the mailbox and
    takes no other: the test knows exactly what is queued.
    """

    def __init__(self) -> None:
        self.seen: list[Any] = []
        self.holding = asyncio.Event()
        self.gate = asyncio.Event()

    async def __call__(self, body: Any) -> Any:
        self.seen.append(body)
        if body == "hold":
            self.holding.set()
            await self.gate.wait()
        return body


async def held(mailbox: Options) -> tuple[Actor[Any], Gated]:
    """A started actor holding a message, with an empty mailbox of the given options."""
    handler = Gated()
    actor = Actor.of(handler, mailbox, name="held").start()
    await actor.tell("hold")
    await handler.holding.wait()
    return actor, handler


def test_ask_gets_the_reply_and_tell_is_handled_in_order(arun: Run) -> None:
    async def main() -> None:
        total = 0

        async def add(n: int) -> int:
            nonlocal total
            total += n
            return total

        async with Actor.of(add) as actor:
            for n in (1, 2, 3):
                await actor.tell(n)
            assert await actor.ask(10, timeout=TIMEOUT) == 16
        assert actor.reason is Reason.SHUTDOWN

    arun(main())


def test_a_counter_owns_its_state_and_refuses_messages_once_stopped(arun: Run) -> None:
    """The Go package's Example, line for line: the chapter shows the two side by side."""

    async def main() -> None:
        # docs:start counter
        async def count(mailbox: Mailbox[int]) -> None:
            total = 0
            async for envelope in mailbox:
                total += envelope.msg
                envelope.reply(total)  # a told message's envelope ignores the reply

        counter = Actor(count, Options(capacity=16)).start()
        await counter.tell(40)  # fire and forget
        assert await counter.ask(2, timeout=TIMEOUT) == 42

        assert await counter.stop() is Reason.SHUTDOWN  # drain, then stop
        with pytest.raises(ActorStopped):
            await counter.tell(1)
        # docs:end counter

    arun(main())


def test_messages_of_each_sender_arrive_in_the_order_sent(arun: Run) -> None:
    async def main() -> list[tuple[str, int]]:
        seen: list[tuple[str, int]] = []

        async def record(body: tuple[str, int]) -> None:
            seen.append(body)

        async with Actor.of(record, Options(capacity=3)) as actor:

            async def sender(name: str) -> None:
                for i in range(50):
                    await actor.tell((name, i))
                    if i % 3 == 0:
                        await asyncio.sleep(0)  # let the others interleave

            async with asyncio.TaskGroup() as senders:
                for name in "abc":
                    senders.create_task(sender(name))
        return seen

    seen = arun(main())
    assert len(seen) == 150
    for name in "abc":
        assert [i for who, i in seen if who == name] == list(range(50))
    assert [who for who, _ in seen[:6]] != ["a"] * 6, "the senders did interleave"


def test_fail_fast_raises_mailbox_full_at_once(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options(capacity=2, overflow=Overflow.FAIL_FAST))
        await actor.tell(1)
        await actor.tell(2)
        with pytest.raises(MailboxFull, match="2 messages"):
            await actor.tell(3)
        with pytest.raises(MailboxFull):
            await actor.ask(3, timeout=TIMEOUT)
        handler.gate.set()
        await actor.stop()
        assert handler.seen == ["hold", 1, 2]

    arun(main())


def test_block_raises_mailbox_full_after_its_deadline(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options(capacity=1, block_timeout=SHORT))
        await actor.tell(1)
        with pytest.raises(MailboxFull, match="for 0.01s"):
            await actor.tell(2)
        with pytest.raises(MailboxFull):
            actor.tell_nowait(2)
        handler.gate.set()
        await actor.stop()
        assert handler.seen == ["hold", 1]

    arun(main())


def test_block_waits_for_room_and_keeps_the_order(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options(capacity=1, block_timeout=None))
        await actor.tell(1)
        blocked = asyncio.create_task(actor.tell(2))
        await asyncio.sleep(0)
        assert not blocked.done(), "no room: the sender waits"
        handler.gate.set()
        await blocked
        await actor.stop()
        assert handler.seen == ["hold", 1, 2]

    arun(main())


def test_a_sender_waiting_for_room_learns_that_the_actor_stopped(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options(capacity=1, block_timeout=None))
        await actor.tell(1)
        blocked = asyncio.create_task(actor.tell(2))
        await asyncio.sleep(0)
        stopping = asyncio.create_task(actor.stop(drain=False))
        with pytest.raises(ActorStopped):
            await blocked
        assert await stopping is Reason.SHUTDOWN
        assert handler.seen == ["hold"]

    arun(main())


def test_ask_times_out_and_the_late_reply_is_dropped(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options())
        with pytest.raises(AskTimeout) as raised:
            await actor.ask("late", timeout=SHORT)
        assert isinstance(raised.value, TimeoutError)
        handler.gate.set()
        assert await actor.ask("next", timeout=TIMEOUT) == "next"
        assert await actor.stop() is Reason.SHUTDOWN
        assert handler.seen == ["hold", "late", "next"]

    arun(main())


def test_an_asks_timeout_counts_the_wait_for_room(arun: Run) -> None:
    """``timeout`` is for the whole ask: time spent waiting for room is not given again.

    The loop's clock is the test's (the loop reads it for its timers too), so the
    moments are exact: the ask waits for room from 0 to 0.9 of its 1 s, and must
    time out at 1.0, not 1.9.
    """

    async def main() -> None:
        loop = asyncio.get_running_loop()
        now = [0.0]
        loop.time = lambda: now[0]  # type: ignore[method-assign]
        gates = {"hold": asyncio.Event(), "q": asyncio.Event()}

        async def handler(body: Any) -> Any:
            if body in gates:
                await gates[body].wait()
            return body

        actor = Actor.of(handler, Options(capacity=1, block_timeout=None), name="slow").start()
        await actor.tell("hold")
        await asyncio.sleep(0)
        await actor.tell(1)  # the mailbox is full behind "hold"
        asking = asyncio.create_task(actor.ask("q", timeout=1.0))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not asking.done(), "no room: the ask waits"
        now[0] = 0.9
        gates["hold"].set()  # room: the ask's message goes in, and is held
        for _ in range(10):
            await asyncio.sleep(0)
        assert not asking.done(), "at 0.9 s of 1 s the ask still waits for its reply"
        now[0] = 1.0
        for _ in range(10):
            await asyncio.sleep(0)
        assert asking.done(), "the ask's 1 s were over at 1.0 s; it waited on as if from 0.9 s"
        with pytest.raises(AskTimeout):
            await asking
        gates["q"].set()
        assert await actor.stop(drain=False) is Reason.SHUTDOWN

    arun(main())


def test_an_exception_in_the_behaviour_is_a_crash_and_pending_asks_learn_it(arun: Run) -> None:
    boom = ValueError("boom")

    async def main() -> None:
        async def fail(body: str) -> str:
            if body == "boom":
                raise boom
            return body

        ended: list[Reason] = []
        actor = Actor.of(fail).start()
        actor.add_exit_callback(ended.append)
        assert await actor.ask("fine", timeout=TIMEOUT) == "fine"
        with pytest.raises(ActorStopped) as raised:
            await actor.ask("boom", timeout=TIMEOUT)
        assert raised.value.reason is Reason.CRASH
        assert raised.value.__cause__ is boom
        assert await actor.wait() is Reason.CRASH
        assert actor.error is boom
        assert ended == [Reason.CRASH]
        with pytest.raises(ActorStopped):
            await actor.tell("after")
        assert await actor.stop() is Reason.CRASH, "stopping an ended actor says how it ended"

    arun(main())


def test_a_loop_that_returns_ends_normally(arun: Run) -> None:
    async def main() -> None:
        seen: list[str] = []

        async def until_bye(mailbox: Mailbox[str]) -> None:
            async for envelope in mailbox:
                seen.append(envelope.msg)
                if envelope.msg == "bye":
                    return

        actor = Actor(until_bye).start()
        await actor.tell("hi")
        with pytest.raises(ActorStopped) as raised:
            await actor.ask("bye", timeout=TIMEOUT)  # never replied: answered at the end
        assert raised.value.reason is Reason.NORMAL
        assert await actor.wait() is Reason.NORMAL
        assert actor.done and actor.error is None
        assert seen == ["hi", "bye"]

    arun(main())


def test_graceful_stop_handles_everything_queued_then_refuses(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options(capacity=10))
        for n in range(5):
            await actor.tell(n)
        asked = asyncio.create_task(actor.ask("asked", timeout=TIMEOUT))
        await asyncio.sleep(0)
        stopping = asyncio.create_task(actor.stop())
        await asyncio.sleep(0)
        with pytest.raises(ActorStopped):
            await actor.tell("too late")
        handler.gate.set()
        assert await stopping is Reason.SHUTDOWN
        assert await asked == "asked"
        assert handler.seen == ["hold", 0, 1, 2, 3, 4, "asked"]

    arun(main())


def test_immediate_stop_cancels_the_message_in_hand_and_answers_queued_asks(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options(capacity=10))
        await actor.tell(1)
        asks = [asyncio.create_task(actor.ask(n, timeout=TIMEOUT)) for n in (2, 3)]
        await asyncio.sleep(0)
        assert await actor.stop(drain=False) is Reason.SHUTDOWN
        for ask in asks:
            with pytest.raises(ActorStopped):
                await ask
        assert handler.seen == ["hold"], "the held message was cancelled, the rest dropped"

    arun(main())


def test_graceful_stop_gives_up_waiting_after_its_timeout(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options())
        await actor.tell(1)
        assert await actor.stop(timeout=SHORT) is Reason.SHUTDOWN
        assert handler.seen == ["hold"]

    arun(main())


def test_an_actor_stopped_before_it_ever_ran_still_ends_cleanly(arun: Run) -> None:
    async def main() -> None:
        ended: list[Reason] = []
        actor = Actor.of(Gated()).start()
        actor.add_exit_callback(ended.append)
        assert await actor.stop(drain=False) is Reason.SHUTDOWN
        assert ended == [Reason.SHUTDOWN]
        late: list[Reason] = []
        actor.add_exit_callback(late.append)
        assert late == [Reason.SHUTDOWN], "a callback added after the end is called at once"

    arun(main())


def test_leaving_the_block_on_an_error_stops_at_once(arun: Run) -> None:
    async def main() -> Actor[Any]:
        handler = Gated()
        with pytest.raises(KeyError):
            async with Actor.of(handler) as actor:
                await actor.tell("hold")
                await handler.holding.wait()
                await actor.tell("queued")
                raise KeyError("in the block")
        assert handler.seen == ["hold"]
        return actor

    assert arun(main()).reason is Reason.SHUTDOWN


def test_start_twice_and_stop_before_start_are_errors(arun: Run) -> None:
    async def main() -> None:
        actor = Actor.of(Gated(), name="twice")
        with pytest.raises(RuntimeError, match="never started"):
            await actor.stop()
        actor.start()
        with pytest.raises(RuntimeError, match="already started"):
            actor.start()
        await actor.stop()

    arun(main())


def test_a_plain_function_handler_is_called_without_a_coroutine(arun: Run) -> None:
    async def main() -> None:
        async with Actor.of(lambda n: n + 1) as actor:
            assert await actor.ask(41, timeout=TIMEOUT) == 42

        def fail(n: int) -> int:
            raise ZeroDivisionError(n)

        crashing = Actor.of(fail).start()
        with pytest.raises(ActorStopped):
            await crashing.ask(1, timeout=TIMEOUT)
        assert await crashing.wait() is Reason.CRASH
        assert isinstance(crashing.error, ZeroDivisionError)

    arun(main())


def test_a_shorter_ask_times_out_before_a_longer_one_still_pending(arun: Run) -> None:
    async def main() -> None:
        actor, handler = await held(Options())
        patient = asyncio.create_task(actor.ask("patient", timeout=TIMEOUT))
        forever = asyncio.create_task(actor.ask("forever", timeout=None))
        await asyncio.sleep(0)
        with pytest.raises(AskTimeout):
            await actor.ask("hasty", timeout=SHORT)  # its deadline comes first: a timer of its own
        assert not patient.done() and not forever.done()
        handler.gate.set()
        assert await patient == "patient"
        assert await forever == "forever"
        assert await actor.stop() is Reason.SHUTDOWN
        assert actor._asks._timer is None, "no timer outlives the actor"

    arun(main())


def test_an_ask_without_a_timeout_is_answered_when_the_actor_stops(arun: Run) -> None:
    async def main() -> None:
        actor, _ = await held(Options())
        waiting = asyncio.create_task(actor.ask("x", timeout=None))
        await asyncio.sleep(0)
        await actor.stop(drain=False)
        with pytest.raises(ActorStopped):
            await waiting

    arun(main())
