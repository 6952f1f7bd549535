"""Replay one limiter conformance-vector case against :class:`~twinbook.concurrency.ratelimit.Limiter`.

The format is in ``tests/vectors/README.md`` and the contract in
``book/appendix/spec-limiter.md``. A case's steps drive a :class:`VectorClock`
set to each step's ``at_ms``; every ``wait`` is a reservation, run as a thread
(:class:`ThreadWaits`, ``Limiter.wait`` with a cancel event) or as a task
(:class:`TaskWaits`, ``Limiter.wait_async``). Before a step's op, the waiters
whose time has come are let return, so a ``cancel`` never races a wake-up.
Nothing really sleeps: the clock moves only when a step moves it.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Mapping
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import Any, Protocol

from twinbook.clock import ManualClock
from twinbook.concurrency.ratelimit import Limiter

from .helpers import TIMEOUT, eventually, settle

NS_PER_MS = 1_000_000
OPS = {"allow", "wait", "cancel", "check"}
STEP_KEYS = {"at_ms", "op", "id", "cancelled", "expect"}
CASE_KEYS = {"name", "config", "steps", "error"}
EXPECT_ON = {
    "allowed": {"allow"},
    "delay_ns": {"wait"},
    "cancelled": {"wait", "cancel"},
    "waiting": OPS,
}
SPECIAL_RATES = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
OTHER_FIELD = {"rate": "burst", "burst": "rate"}


class VectorError(AssertionError):
    """A case failed: the limiter disagreed, or the case uses something this runner does not know."""


class VectorClock:
    """The clock a case drives; the only place this runner names the project's manual clock.

    :meth:`now_ns` reads the step's ``at_ms`` exactly, even when a case steps it
    back; sleepers sleep on a manual clock that moves forward to the furthest
    reading so far (no case sleeps while the reading is behind). Every sleep
    the limiter asks for, in whole nanoseconds as Go's ``After`` gets it, is
    recorded in :attr:`asked`. The limiter reads and sleeps in nanoseconds;
    the seconds methods are there to be a whole :class:`~twinbook.clock.Clock`
    and fail the case if the limiter ever uses them.
    """

    def __init__(self) -> None:
        self._manual = ManualClock()
        self._lock = threading.Lock()
        self._reading_ns = 0
        self._furthest_ms = 0
        self.asked: list[int] = []

    def now_ns(self) -> int:
        with self._lock:
            return self._reading_ns

    def now(self) -> float:
        raise VectorError("the limiter read the clock in float seconds, not in nanoseconds")

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        raise VectorError(f"the limiter slept {seconds!r} float seconds, not whole nanoseconds")

    async def sleep_async(self, seconds: float) -> None:
        raise VectorError(f"the limiter slept {seconds!r} float seconds, not whole nanoseconds")

    def sleep_ns(self, ns: int, cancel: threading.Event | None = None) -> bool:
        with self._lock:
            self.asked.append(ns)
        return self._manual.sleep_ns(ns, cancel)

    async def sleep_ns_async(self, ns: int) -> None:
        with self._lock:
            self.asked.append(ns)
        await self._manual.sleep_ns_async(ns)

    def set_ms(self, at_ms: int) -> None:
        """Read ``at_ms``; wake the sleepers whose time has come."""
        with self._lock:
            self._reading_ns = at_ms * NS_PER_MS
            step_ms = at_ms - self._furthest_ms
            self._furthest_ms = max(self._furthest_ms, at_ms)
        if step_ms > 0:
            self._manual.set(self._furthest_ms / 1000)

    def asleep(self) -> int:
        """How many sleepers the manual clock has not woken."""
        return self._manual.sleepers

    def wait_asleep(self, count: int) -> None:
        """Block until ``count`` sleepers are registered (a thread may not have got there yet)."""
        self._manual.wait_for_sleepers(count, TIMEOUT)


class Waits(Protocol):
    """How one flavour runs reservations: ``Limiter.wait`` in threads or ``wait_async`` in tasks."""

    async def start(self, rid: str, cancelled: bool) -> None:
        """Begin a wait and return once it has returned or is asleep on the clock."""
        ...

    async def settle(self) -> None:
        """Return once every wait the clock has woken has returned."""
        ...

    def result(self, rid: str) -> str | None:
        """``"ok"`` or ``"cancelled"`` once the wait has returned, else ``None``."""
        ...

    async def cancel(self, rid: str) -> None:
        """Cancel the wait and return once it has returned (if it had not already)."""
        ...

    async def close(self) -> None:
        """Cancel every wait still asleep and collect them."""
        ...


@dataclass
class _Thread:
    cancel: threading.Event
    thread: threading.Thread
    outcome: list[str] = field(default_factory=list)  # filled when the wait returns


class ThreadWaits:
    """Each reservation is a thread in ``Limiter.wait(cancel)``; cancelling sets its event."""

    def __init__(self, limiter: Limiter, clock: VectorClock) -> None:
        self.limiter = limiter
        self.clock = clock
        self.held: dict[str, _Thread] = {}

    def _asleep(self) -> list[_Thread]:
        return [t for t in self.held.values() if not t.outcome]

    async def start(self, rid: str, cancelled: bool) -> None:
        event = threading.Event()
        if cancelled:
            event.set()
        outcome: list[str] = []

        def run() -> None:
            try:
                self.limiter.wait(event)
                outcome.append("ok")
            except CancelledError:
                outcome.append("cancelled")
            except BaseException as exc:
                outcome.append(f"error: {exc!r}")

        before = len(self.clock.asked)
        thread = threading.Thread(target=run, name=f"vector wait {rid}")
        self.held[rid] = _Thread(event, thread, outcome)
        thread.start()
        eventually(lambda: bool(outcome) or len(self.clock.asked) > before)
        if not outcome:  # it asked to sleep: wait until it really is asleep
            self.clock.wait_asleep(len(self._asleep()))

    async def settle(self) -> None:
        # The clock took the woken sleepers off its list before returning from
        # advance: wait for exactly that many threads to come back.
        eventually(lambda: len(self._asleep()) == self.clock.asleep())
        for t in self.held.values():
            if t.outcome:
                t.thread.join(TIMEOUT)

    def result(self, rid: str) -> str | None:
        outcome = self.held[rid].outcome
        return outcome[0] if outcome else None

    async def cancel(self, rid: str) -> None:
        t = self.held[rid]
        t.cancel.set()
        t.thread.join(TIMEOUT)
        assert not t.thread.is_alive(), f"wait {rid!r} did not return after its cancel"

    async def close(self) -> None:
        for rid in list(self.held):
            await self.cancel(rid)


class TaskWaits:
    """Each reservation is a task in ``Limiter.wait_async()``; cancelling cancels the task.

    A wait whose caller is cancelled before it begins is a task cancelled
    before its first step: in asyncio that is the only way to be cancelled
    already, and the limiter is never entered.
    """

    def __init__(self, limiter: Limiter, clock: VectorClock) -> None:
        self.limiter = limiter
        self.clock = clock
        self.held: dict[str, asyncio.Task[None]] = {}

    async def start(self, rid: str, cancelled: bool) -> None:
        task = asyncio.create_task(self.limiter.wait_async(), name=f"vector wait {rid}")
        self.held[rid] = task
        if cancelled:
            task.cancel()
        await settle()

    async def settle(self) -> None:
        await settle()

    def result(self, rid: str) -> str | None:
        task = self.held[rid]
        if not task.done():
            return None
        if task.cancelled():
            return "cancelled"
        exc = task.exception()
        return "ok" if exc is None else f"error: {exc!r}"

    async def cancel(self, rid: str) -> None:
        self.held[rid].cancel()
        await settle()

    async def close(self) -> None:
        for task in self.held.values():
            task.cancel()
        await asyncio.gather(*self.held.values(), return_exceptions=True)


def parse_config(raw: object) -> tuple[float, int]:
    """``rate`` (a number, or ``"nan"``, ``"inf"``, ``"-inf"``: JSON has none) and ``burst``."""
    if not isinstance(raw, dict) or set(raw) != {"rate", "burst"}:
        raise VectorError(f"config: want exactly rate and burst, got {raw!r}")
    rate, burst = raw["rate"], raw["burst"]
    if isinstance(rate, str) and rate in SPECIAL_RATES:
        rate = SPECIAL_RATES[rate]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise VectorError(f"config: rate: want a number, got {raw['rate']!r}")
    if isinstance(burst, bool) or not isinstance(burst, int):
        raise VectorError(f"config: burst: want an integer, got {burst!r}")
    return float(rate), burst


def check_step_shape(where: str, step: Mapping[str, Any]) -> None:
    unknown = set(step) - STEP_KEYS
    if unknown:
        raise VectorError(f"{where}: unknown keys {sorted(unknown)}")
    op = step.get("op")
    if op not in OPS:
        raise VectorError(f"{where}: unknown op {op!r}")
    at = step.get("at_ms")
    if isinstance(at, bool) or not isinstance(at, int) or at < 0:
        raise VectorError(f"{where}: at_ms must be a whole number >= 0")
    if ("id" in step) != (op in ("wait", "cancel")):
        raise VectorError(f"{where}: wait and cancel need an id, other ops take none")
    if "cancelled" in step and op != "wait":
        raise VectorError(f"{where}: only a wait can be cancelled before it begins")
    for key in step.get("expect", {}):
        if key not in EXPECT_ON:
            raise VectorError(f"{where}: unknown expect key {key!r}")
        if op not in EXPECT_ON[key]:
            raise VectorError(f"{where}: expect.{key} does not apply to {op}")
    if "delay_ns" in step.get("expect", {}) and step.get("cancelled"):
        raise VectorError(f"{where}: a wait cancelled before it begins has no delay")


def check_config_error(field_name: str, make: Any) -> None:
    if field_name not in OTHER_FIELD:
        raise VectorError(f"error: want 'rate' or 'burst', got {field_name!r}")
    try:
        make()
    except ValueError as exc:
        message = str(exc)
        if field_name not in message or OTHER_FIELD[field_name] in message:
            raise VectorError(f"error {message!r} does not name {field_name} (alone)") from exc
        return
    raise VectorError(f"the limiter accepted a config that should be refused ({field_name})")


async def run_case(case: Mapping[str, Any], flavour: type[ThreadWaits] | type[TaskWaits]) -> None:
    """Replay ``case`` with waits of the given flavour; raise :class:`VectorError` at the first miss."""
    unknown = set(case) - CASE_KEYS
    if unknown:
        raise VectorError(f"case: unknown keys {sorted(unknown)}")
    rate, burst = parse_config(case.get("config"))
    clock = VectorClock()  # reads 0 when the limiter is built
    if "error" in case:
        if case.get("steps"):
            raise VectorError("a case expecting an error has no steps")
        check_config_error(case["error"], lambda: Limiter(rate, burst, clock))
        return
    steps = case.get("steps")
    if not isinstance(steps, list) or not steps:
        raise VectorError("a case needs steps or an error")
    limiter = Limiter(rate, burst, clock)
    waits = flavour(limiter, clock)
    order: list[str] = []
    try:
        for number, step in enumerate(steps, 1):
            where = f"step {number} ({step.get('op')!r} at {step.get('at_ms')} ms)"
            check_step_shape(where, step)
            clock.set_ms(step["at_ms"])
            await waits.settle()
            for rid in order:
                if waits.result(rid) not in (None, "ok", "cancelled"):
                    raise VectorError(f"{where}: wait {rid!r} ended with {waits.result(rid)}")

            got: dict[str, object] = {}
            op = step["op"]
            if op == "allow":
                got["allowed"] = limiter.allow()
            elif op == "wait":
                rid = step["id"]
                if rid in order:
                    raise VectorError(f"{where}: id {rid!r} used twice")
                order.append(rid)
                before = len(clock.asked)
                await waits.start(rid, bool(step.get("cancelled", False)))
                asked, result = clock.asked[before:], waits.result(rid)
                if result == "cancelled":
                    got["cancelled"] = True
                elif result == "ok" and not asked:
                    got.update(cancelled=False, delay_ns=0)
                elif result is None and len(asked) == 1:
                    # Python sleeps float seconds; the format counts whole nanoseconds, rounded up.
                    got.update(cancelled=False, delay_ns=asked[0])
                else:
                    raise VectorError(f"{where}: wait ended {result!r} after asking for {asked}")
            elif op == "cancel":
                rid = step["id"]
                if rid not in order:
                    raise VectorError(f"{where}: no wait with id {rid!r}")
                was_asleep = waits.result(rid) is None
                await waits.cancel(rid)
                got["cancelled"] = was_asleep and waits.result(rid) == "cancelled"
            got["waiting"] = [rid for rid in order if waits.result(rid) is None]

            for key, want in step.get("expect", {}).items():
                if key not in got or got[key] != want or type(got[key]) is not type(want):
                    raise VectorError(f"{where}: {key} {got.get(key)!r}, expected {want!r}")
    finally:
        await waits.close()
