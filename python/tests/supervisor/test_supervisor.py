"""twinbook.supervisor.Supervisor: the runtime over real actors, fakes and processes.

Time comes from a :class:`~twinbook.clock.ManualClock`, so "three crashes
within the period" is exact; waits for the supervisor to react use
:meth:`Supervisor.settled` or the child's own end, never a sleep.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from timeouts import TIMEOUT

from twinbook.actor import Actor
from twinbook.clock import ManualClock
from twinbook.supervisor import (
    ActorChild,
    ProcessChild,
    Reason,
    SpecError,
    Supervisor,
)

from .fakes import FakeChild

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def spec(children: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {
        "strategy": "one_for_one",
        "intensity": 3,
        "period_ms": 1000,
        **top,
        "children": children,
    }


def counter() -> Actor[str]:
    """An actor with state: a count of what it was told, that crashes on ``"boom"``."""
    count = 0

    async def handle(body: str) -> int:
        nonlocal count
        if body == "boom":
            raise RuntimeError("boom")
        count += 1
        return count

    return Actor.of(handle, name="counter")


def test_a_crashed_actor_is_replaced_by_a_fresh_one(arun: Run) -> None:
    async def main() -> None:
        child = ActorChild(counter)
        async with Supervisor(spec([{"id": "c", "restart": "permanent"}]), {"c": child}) as sup:
            first = child.actor
            assert first is not None
            assert await first.ask("hi", timeout=TIMEOUT) == 1
            assert await first.ask("hi", timeout=TIMEOUT) == 2
            with pytest.raises(Exception, match="ended: crash"):
                await first.ask("boom", timeout=TIMEOUT)
            await sup.settled()
            second = child.actor
            assert second is not None and second is not first
            assert await second.ask("hi", timeout=TIMEOUT) == 1, "a restart starts from scratch"
            assert sup.log == ["start c", "start c"]
        assert second.reason is Reason.SHUTDOWN
        assert sup.log[-1] == "terminate c"

    arun(main())


def test_an_actor_that_returns_is_not_restarted_when_transient(arun: Run) -> None:
    async def main() -> None:
        async def once(mailbox: Any) -> None:
            async for envelope in mailbox:
                envelope.reply("done")
                return

        child = ActorChild(lambda: Actor(once))
        tree = spec([{"id": "w", "restart": "transient"}])
        async with Supervisor(tree, {"w": child}) as sup:
            assert child.actor is not None
            assert await child.actor.ask("go", timeout=TIMEOUT) == "done"
            assert await child.actor.wait() is Reason.NORMAL
            await sup.settled()
            assert sup.running() == []
            assert sup.log == ["start w"]

    arun(main())


def test_too_many_crashes_within_the_period_give_up_and_stop_everything(arun: Run) -> None:
    async def main() -> None:
        clock = ManualClock()
        crashy, calm = ActorChild(counter), ActorChild(counter)
        tree = spec(
            [{"id": "calm", "restart": "permanent"}, {"id": "crashy", "restart": "permanent"}],
            intensity=2,
            period_ms=1000,
        )
        ended: list[Reason] = []
        sup = Supervisor(tree, {"calm": calm, "crashy": crashy}, clock=clock)
        await sup.start(ended.append)
        for at in (0.1, 0.5, 1.1):  # 100, 500, 1100 ms: all three within 1000 ms of 1100
            clock.set(at)
            assert crashy.actor is not None
            crashy.actor.tell_nowait("boom")
            await crashy.actor.wait()
            await sup.settled()
        await sup.wait()
        assert sup.gave_up and sup.stopped and ended == [Reason.SHUTDOWN]
        assert sup.log == [
            "start calm",
            "start crashy",
            "start crashy",
            "start crashy",
            "give_up /",
            "terminate calm",
        ]
        assert calm.actor is not None and calm.actor.reason is Reason.SHUTDOWN
        assert sup.running() == []

    arun(main())


def test_close_terminates_in_reverse_start_order_recursively(arun: Run) -> None:
    async def main() -> None:
        order: list[str] = []
        paths = ["a", "s/x", "s/t/y", "s/t/z", "b"]
        workers = {path: FakeChild(path, order) for path in paths}
        tree = spec(
            [
                {"id": "a", "restart": "permanent"},
                {
                    "id": "s",
                    "restart": "permanent",
                    "kind": "supervisor",
                    "strategy": "one_for_all",
                    "intensity": 1,
                    "period_ms": 10,
                    "children": [
                        {"id": "x", "restart": "permanent"},
                        {
                            "id": "t",
                            "restart": "transient",
                            "kind": "supervisor",
                            "strategy": "rest_for_one",
                            "intensity": 0,
                            "period_ms": 10,
                            "children": [
                                {"id": "y", "restart": "permanent"},
                                {"id": "z", "restart": "temporary"},
                            ],
                        },
                    ],
                },
                {"id": "b", "restart": "permanent"},
            ]
        )
        sup = Supervisor(tree, dict(workers), clock=ManualClock())
        await sup.start()
        assert sup.running() == ["a", "s", "s/x", "s/t", "s/t/y", "s/t/z", "b"]
        await sup.close()
        assert order == ["b", "s/t/z", "s/t/y", "s/x", "a"]
        assert sup.log[-7:] == [
            "terminate b",
            "terminate s/t/z",
            "terminate s/t/y",
            "terminate s/t",
            "terminate s/x",
            "terminate s",
            "terminate a",
        ]
        assert not any(w.running for w in workers.values())
        assert sup.stopped and not sup.gave_up and sup.running() == []

    arun(main())


def test_a_child_that_cannot_start_counts_as_a_crash_until_the_supervisor_gives_up(
    arun: Run,
) -> None:
    async def main() -> None:
        broken = FakeChild("w", fail_start=10)
        sup = Supervisor(spec([{"id": "w", "restart": "permanent"}], intensity=2), {"w": broken})
        await sup.start()
        await sup.wait()
        assert sup.gave_up
        assert sup.log == ["start w", "start w", "start w", "give_up /"]
        assert broken.runs == 3

    arun(main())


def test_the_end_of_a_run_already_replaced_is_ignored(arun: Run) -> None:
    async def main() -> None:
        w = FakeChild("w")
        sup = Supervisor(spec([{"id": "w", "restart": "permanent"}]), {"w": w}, clock=ManualClock())
        await sup.start()
        stale = w._exited
        assert stale is not None
        w.end(Reason.CRASH)
        await sup.settled()
        stale(Reason.CRASH)  # the first run's word, again: not the current run's end
        await sup.settled()
        assert sup.log == ["start w", "start w"]
        await sup.close()

    arun(main())


@pytest.mark.parametrize(
    ("workers", "message"),
    [
        ({}, "no child given for worker 's/x'"),
        (
            {"s/x": FakeChild("s/x"), "y": FakeChild("y")},
            r"workers the spec does not have: \['y'\]",
        ),
    ],
)
def test_the_workers_must_match_the_spec(workers: dict[str, Any], message: str) -> None:
    tree = spec(
        [
            {
                "id": "s",
                "restart": "permanent",
                "kind": "supervisor",
                "strategy": "one_for_one",
                "intensity": 0,
                "period_ms": 1,
                "children": [{"id": "x", "restart": "permanent"}],
            }
        ]
    )
    with pytest.raises(ValueError, match=message):
        Supervisor(tree, workers)


def test_an_invalid_spec_is_rejected_when_the_supervisor_is_built() -> None:
    with pytest.raises(SpecError, match="^period_ms"):
        Supervisor(spec([], period_ms=0), {})


# ------------------------------------------------------------------ processes

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_a_killed_process_is_restarted_and_closing_terminates_it(arun: Run) -> None:
    async def main() -> None:
        proc = ProcessChild(SLEEPER, grace=TIMEOUT)
        async with Supervisor(spec([{"id": "p", "restart": "permanent"}]), {"p": proc}) as sup:
            first = proc.pid
            assert first is not None
            os.kill(first, signal.SIGKILL)
            while proc.pid == first:  # the restart replaces it
                await asyncio.sleep(0.001)
            await sup.settled()
            assert sup.log == ["start p", "start p"]
            assert proc.returncodes == [-signal.SIGKILL]
            second = proc.pid
        assert proc.returncodes == [-signal.SIGKILL, -signal.SIGTERM]
        assert sup.log[-1] == "terminate p"
        with pytest.raises(ProcessLookupError):
            os.kill(second, 0)  # reaped: gone

    arun(main())


@pytest.mark.parametrize(
    ("code", "restarted"), [(0, False), (3, True)], ids=["exit 0 is normal", "exit 3 is a crash"]
)
def test_a_transient_process_is_restarted_only_after_a_crash(
    arun: Run, code: int, restarted: bool
) -> None:
    async def main() -> list[str]:
        first = [sys.executable, "-c", f"raise SystemExit({code})"]
        proc = ProcessChild(first, grace=TIMEOUT)
        sup = Supervisor(spec([{"id": "p", "restart": "transient"}], intensity=0), {"p": proc})
        await sup.start()
        while not proc.returncodes:
            await asyncio.sleep(0.001)
        await sup.settled()
        await sup.wait() if restarted else await sup.close()
        return sup.log

    log = arun(main())
    # intensity 0: a crash is one restart too many, so the supervisor gives up instead
    assert log == (["start p", "give_up /"] if restarted else ["start p"])


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(
    arun: Run, tmp_path: Path
) -> None:
    ready = tmp_path / "ready"
    stubborn = [
        sys.executable,
        "-c",
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        " pathlib.Path(sys.argv[1]).touch(); time.sleep(60)",
        str(ready),
    ]

    async def main() -> list[int]:
        proc = ProcessChild(stubborn, grace=0.05)
        ends: list[Reason] = []
        await proc.start(ends.append)
        while not ready.exists():  # SIGTERM is ignored from here on
            await asyncio.sleep(0.001)
        await proc.terminate()
        assert ends == [Reason.SHUTDOWN]
        return proc.returncodes

    assert arun(main()) == [-signal.SIGKILL]
