"""Hidden tests for ask with a timeout (instructors only)."""

import asyncio
import gc
import weakref

from test_visible import doubled, now, outcome, run, started

from twinbook.runner.plain import plain


def test_hidden_reply_just_before_the_deadline(answer):
    async def handler(seconds):
        await asyncio.sleep(seconds)
        return seconds

    async def scene():
        actor = started(answer, handler)
        got = [await outcome(actor.ask(s, timeout=1)) for s in (0.999, 0, 1.001, 0.5)]
        await actor.stop()
        return got

    got = run(scene)
    assert got == [
        ("returned", 0.999),
        ("returned", 0),
        ("raised", "AskTimeout"),
        ("returned", 0.5),
    ], (
        f"asks with a 1s timeout of handlers that take 0.999s, 0s, 1.001s, 0.5s: {got}: a "
        "reply just before the deadline counts, one just after does not"
    )


def test_hidden_timed_out_message_is_still_handled_in_its_turn(answer):
    seen = []

    async def handler(msg):
        seen.append((msg, now()))
        await asyncio.sleep(2)
        return msg

    async def scene():
        actor = started(answer, handler)
        first = asyncio.create_task(outcome(actor.ask("first", timeout=1)))
        second = asyncio.create_task(outcome(actor.ask("second", timeout=10)))
        got = [await first, await second]
        await actor.stop()
        return got

    got = run(scene)
    assert got == [("raised", "AskTimeout"), ("returned", "second")], (
        f"ask('first', timeout=1) of a 2s handler, then ask('second', timeout=10): {got}"
    )
    assert plain(seen) == [("first", 0.0), ("second", 2.0)], (
        f"the handler saw (message, time): {seen}, want [('first', 0.0), ('second', 2.0)]: "
        "the actor does not know the asker gave up; it handles each message in its turn"
    )


def test_hidden_many_late_replies_never_reach_other_asks(answer):
    async def scene():
        actor = started(answer, doubled)
        got = []
        for n in (3, 4, 5):
            got.append(await outcome(actor.ask(n, timeout=1)))
        for n in (0, 0.5, 0):
            got.append(await outcome(actor.ask(n, timeout=30)))
        await actor.stop()
        return got

    got = run(scene)
    want = [("raised", "AskTimeout")] * 3 + [("returned", 0), ("returned", 1.0), ("returned", 0)]
    assert got == want, (
        f"three asks that time out, then three that wait long enough: {got}, want {want}: "
        "each ask gets its own reply or AskTimeout, never another ask's late reply"
    )


def test_hidden_many_askers_at_once(answer):
    async def handler(msg):
        await asyncio.sleep(msg % 3)
        return f"reply to {msg}"

    async def scene():
        actor = started(answer, handler)
        asks = [asyncio.create_task(outcome(actor.ask(i, timeout=1000))) for i in range(30)]
        got = [await a for a in asks]
        await actor.stop()
        return got

    got = run(scene)
    want = [("returned", f"reply to {i}") for i in range(30)]
    assert got == want, (
        f"30 tasks asked at once: {[g for g, w in zip(got, want, strict=True) if g != w][:3]}... differ: "
        "each ask must get the reply to its own message"
    )


def test_hidden_cancelled_ask_is_cancelled(answer):
    async def scene():
        actor = started(answer, doubled)
        asking = asyncio.create_task(outcome(actor.ask(5, timeout=10)))
        await asyncio.sleep(1)
        asking.cancel()
        cancelled = await asking
        after = await outcome(actor.ask(1, timeout=10))
        await actor.stop()
        return cancelled, after

    cancelled, after = run(scene)
    assert cancelled == ("raised", "CancelledError"), (
        f"the task waiting in ask() was cancelled: {cancelled}, want CancelledError: a "
        "cancelled ask is not a timeout"
    )
    assert after == ("returned", 2), (
        f"after a cancelled ask, ask(1): {after}, want ('returned', 2): the actor goes on, and "
        "the cancelled ask's reply is dropped"
    )


def test_hidden_stop_answers_the_waiting_asks(answer):
    async def scene():
        actor = started(answer, doubled)
        waiting = [asyncio.create_task(outcome(actor.ask(n, timeout=100))) for n in (50, 1)]
        await asyncio.sleep(5)  # the actor is busy with 50; 1 is queued behind it
        start = now()
        await actor.stop()
        got = [await w for w in waiting]
        return got, now() - start

    got, waited = run(scene)
    assert got == [("raised", "ActorStopped"), ("raised", "ActorStopped")], (
        f"stop() while one ask was being handled and one was queued: they got {got}, want "
        "ActorStopped for both: nobody will answer them, so they must not wait for their timeout"
    )
    assert waited == 0, (
        f"stop() and the waiting asks took {waited}s, want 0s: stop cancels the loop at once"
    )


def test_hidden_stop_cancels_the_message_being_handled(answer):
    finished = []

    async def handler(msg):
        await asyncio.sleep(10)
        finished.append(msg)
        return msg

    async def scene():
        actor = started(answer, handler)
        asking = asyncio.create_task(outcome(actor.ask("slow", timeout=100)))
        await asyncio.sleep(1)
        await actor.stop()
        await asking
        await asyncio.sleep(20)
        return finished

    assert run(scene) == [], (
        "stop() while the handler was busy: the handler still finished later; stop must cancel "
        "the loop's task (task.cancel()) and wait for it to end"
    )


def test_hidden_stop_twice_and_before_start(answer):
    async def scene():
        idle = answer.Actor(doubled)
        first = await outcome(idle.stop())
        actor = started(answer, doubled)
        await actor.stop()
        second = await outcome(actor.stop())
        ask = await outcome(actor.ask(1, timeout=5))
        return first, second, ask

    first, second, ask = run(scene)
    assert (first, second) == (("returned", None), ("returned", None)), (
        f"stop() before start(): {first}; stop() twice: {second}; want both to return quietly"
    )
    assert ask == ("raised", "ActorStopped"), f"ask after stop(): {ask}, want ActorStopped"


def test_hidden_no_task_left_behind(answer):
    async def scene():
        me = asyncio.current_task()
        actor = started(answer, doubled)
        for n in (5, 6, 7):
            await outcome(actor.ask(n, timeout=1))
        asking = asyncio.create_task(outcome(actor.ask(9, timeout=100)))
        await asyncio.sleep(0.5)
        asking.cancel()
        await asking
        await actor.stop()
        return [t.get_name() for t in asyncio.all_tasks() if t is not me]

    left = run(scene)
    assert left == [], (
        f"asks timed out, one was cancelled, the actor was stopped: tasks still run: {left}: "
        "start no task per ask, and stop must wait for the loop's task to end"
    )


class Reply:
    """A reply the test can watch: a weak reference tells whether anything still holds it."""


def test_hidden_keeps_nothing_of_an_ask_once_it_returned(answer):
    refs = []

    async def handler(seconds):
        await asyncio.sleep(seconds)
        reply = Reply()
        refs.append(weakref.ref(reply))
        return reply

    async def scene():
        actor = started(answer, handler)
        for seconds in (0, 0, 2, 0, 0):  # the third times out: its reply comes late
            try:
                await actor.ask(seconds, timeout=1)
            except TimeoutError:
                pass
        await asyncio.sleep(5)
        gc.collect()
        kept = sum(ref() is not None for ref in refs[:-1])  # the loop may hold the last one
        await actor.stop()
        return kept

    kept = run(scene)
    assert kept == 0, (
        f"five asks have returned, and the actor still holds {kept} of their replies: forget "
        "each ask's future once the ask is over (a set of the waiting ones, discard in finally:)"
    )
