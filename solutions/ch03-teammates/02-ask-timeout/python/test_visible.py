"""Visible tests for ask with a timeout: run them with the check cell.

They run on an event loop with a virtual clock: when every task waits, the clock jumps to the
next timer instead of sleeping, so a timeout takes no time and happens at exactly the time it
should, on any machine.
"""

import asyncio
import selectors
import threading

from twinbook.runner.plain import plain

WAIT = 60.0  # virtual seconds a test waits for a call that must end (a right answer never needs it)
REAL_WAIT = 20.0  # real seconds a scene may take (a right answer takes milliseconds)


class _VirtualSelector(selectors.DefaultSelector):
    """A selector that never sleeps: where the loop would wait for ``timeout`` seconds, it
    moves the loop's virtual clock on by that much."""

    def __init__(self, loop):
        super().__init__()
        self._loop = loop

    def select(self, timeout=None):
        events = super().select(0)
        if not events and timeout is None:
            raise RuntimeError(
                "every task waits and no timer is set: nothing will ever happen (a deadlock)"
            )
        if not events and timeout:
            self._loop.now += timeout
        return events


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop whose ``time()`` is virtual: it jumps ahead when every task waits."""

    def __init__(self):
        self.now = 0.0
        super().__init__(_VirtualSelector(self))

    def time(self):
        return self.now


def run(scene):
    """Run ``await scene()`` on a VirtualLoop and return what it returned. The loop runs on a
    thread of its own: the notebook's kernel already runs an event loop on this one."""
    result = {}

    def main():
        try:
            with asyncio.Runner(loop_factory=VirtualLoop) as runner:
                result["value"] = runner.run(scene())
        except BaseException as exc:  # handed to the test's thread
            result["error"] = exc

    thread = threading.Thread(target=main, name="virtual-loop", daemon=True)
    thread.start()
    thread.join(REAL_WAIT)
    if thread.is_alive():
        raise AssertionError(
            f"the event loop was still busy {REAL_WAIT:g} real seconds later: some code runs "
            "without ever awaiting (a loop with no await in it?)"
        )
    if "error" in result:
        raise result["error"]
    return result["value"]


def now():
    """The virtual time of the running loop, in seconds."""
    return asyncio.get_running_loop().time()


async def outcome(awaitable, timeout=WAIT):
    """What awaiting did: ("returned", value), ("raised", ExceptionClass) or ("still waiting",)
    after ``timeout`` virtual seconds; a plain value."""
    try:
        async with asyncio.timeout(timeout):
            value = await awaitable
    except TimeoutError as exc:
        if type(exc) is TimeoutError:  # the test's own timeout, not an AskTimeout
            return plain(("still waiting",))
        return plain(("raised", type(exc).__name__))
    except asyncio.CancelledError:
        return plain(("raised", "CancelledError"))
    except Exception as exc:
        return plain(("raised", type(exc).__name__))
    return plain(("returned", plain(value)))


def started(answer, handler):
    """``answer.Actor(handler)``, started."""
    actor = answer.Actor(handler)
    actor.start()
    return actor


async def doubled(n):
    """A handler that takes ``n`` virtual seconds and replies 2n."""
    await asyncio.sleep(n)
    return 2 * n


def test_ask_gets_the_reply(answer):
    async def scene():
        actor = started(answer, doubled)
        got = [await outcome(actor.ask(n, timeout=5)) for n in (1, 2, 0)]
        await actor.stop()
        return got

    got = run(scene)
    assert got == [("returned", 2), ("returned", 4), ("returned", 0)], (
        f"ask(1), ask(2), ask(0) of an actor that doubles: got {got}, want the replies 2, 4, 0"
    )


def test_messages_are_handled_one_at_a_time_in_order(answer):
    seen = []
    busy = []

    async def handler(msg):
        busy.append(msg)
        seen.append((msg, len(busy)))
        await asyncio.sleep(1)
        busy.remove(msg)
        return msg.upper()

    async def scene():
        actor = started(answer, handler)
        asks = [asyncio.create_task(outcome(actor.ask(m, timeout=10))) for m in "abc"]
        got = [await a for a in asks]
        await actor.stop()
        return got

    got = run(scene)
    assert got == [("returned", "A"), ("returned", "B"), ("returned", "C")], (
        f"three tasks asked 'a', 'b', 'c' at once: got {got}, want each its own reply"
    )
    assert plain(seen) == [("a", 1), ("b", 1), ("c", 1)], (
        f"the handler saw (message, messages being handled at that moment): {seen}, want "
        "[('a', 1), ('b', 1), ('c', 1)]: one loop takes the messages one at a time, in order"
    )


def test_ask_times_out(answer):
    async def scene():
        actor = started(answer, doubled)
        start = now()
        got = await outcome(actor.ask(10, timeout=3))
        waited = now() - start
        await actor.stop()
        return got, waited

    got, waited = run(scene)
    assert got == ("raised", "AskTimeout"), (
        f"ask(10, timeout=3) of a handler that takes 10s: {got}, want raised AskTimeout"
    )
    assert waited == 3, f"the ask gave up after {waited}s, want it to give up after its timeout, 3s"


def test_late_reply_is_dropped(answer):
    async def scene():
        actor = started(answer, doubled)
        late = await outcome(actor.ask(2, timeout=1))  # its reply, 4, comes 1s too late
        got = await outcome(actor.ask(0, timeout=5))
        await actor.stop()
        return late, got

    late, got = run(scene)
    assert late == ("raised", "AskTimeout"), f"ask(2, timeout=1) of a 2s handler: {late}"
    assert got == ("returned", 0), (
        f"after an ask that timed out, ask(0): got {got}, want ('returned', 0): the late reply "
        "to the first ask must be dropped, not given to the next ask (one future per ask)"
    )


def test_stop_leaves_no_task(answer):
    async def scene():
        me = asyncio.current_task()
        actor = started(answer, doubled)
        await outcome(actor.ask(1, timeout=5))
        await actor.stop()
        left = [t.get_name() for t in asyncio.all_tasks() if t is not me]
        after = await outcome(actor.ask(1, timeout=5))
        return left, after

    left, after = run(scene)
    assert left == [], (
        f"after stop() returned, tasks still run: {left}: cancel the loop's task and wait "
        "for it to end"
    )
    assert after == ("raised", "ActorStopped"), f"ask after stop(): {after}, want ActorStopped"
