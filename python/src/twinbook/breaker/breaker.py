"""The state machine: :class:`Breaker`, and :class:`Permission` for the two-step form.

The Go twin is ``go/breaker/breaker.go`` (with ``execute.go`` for ``Execute``
and ``Allow``). The rules are the breaker spec's (``book/appendix/spec-breaker.md``); the choices
below are about making them cheap and safe under concurrency.

**No lock is held across the call.** A call asks for permission (a short
critical section, or none at all when closed), runs with no lock held, then
reports its outcome (another short critical section). pybreaker holds one
lock across the whole call, which turns four concurrent 50 ms calls into
200 ms of queueing; here they overlap. The lock is a :class:`threading.Lock`
in both flavours: it is only ever held for a few lines of plain Python,
never across an ``await``, so a coroutine cannot block the event loop on it
for longer than a thread switch.

**Eras instead of bookkeeping.** Every transition starts a new *era* (a tiny
object with the state and when it began). A permission remembers the era
that granted it; when its outcome comes back in another era, it is a late
result and is discarded: a slow call that started while closed must not
count against a half-open breaker's trial calls, nor give back a permit it
never took. Reading ``self._era`` is atomic, so the closed and disabled
states grant permission without taking the lock at all.

**Time is lazy but exact.** Nothing ticks in the background. Whenever the
breaker is consulted at time T it first applies every transition that was
due at or before T, each stamped with the moment it was due
(:meth:`Breaker._apply_due`).

**The common case is cheap.** A good, fast call into a closed count window
that holds no failed or slow call cannot trip anything, so recording it is
``seen += 1`` under the lock (:class:`~.window.CountWindow` keeps only the
bad calls). ``call()`` and the decorator check for that case inline and
fall back to the general :meth:`Breaker._finish` otherwise; a Python
function call is a sizeable share of the cost of the whole thing.
"""

from __future__ import annotations

import functools
import inspect
import math
import threading
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from twinbook.clock import Clock, SystemClock, nanoseconds

from .config import Config, WindowType
from .errors import OpenError
from .events import CallEvent, EventHub, Outcome, Rejection, Transition
from .metrics import Metrics, rate
from .state import State
from .window import CountWindow, TimeWindow, Window

__all__ = ["Breaker", "Permission", "guarded_by"]

P = ParamSpec("P")
R = TypeVar("R")

CLOSED, OPEN, HALF_OPEN = State.CLOSED, State.OPEN, State.HALF_OPEN
FORCED_OPEN, DISABLED = State.FORCED_OPEN, State.DISABLED
SUCCESS, FAILURE, IGNORED = Outcome.SUCCESS, Outcome.FAILURE, Outcome.IGNORED

# `with breaker:` must remember its permission until `__exit__`, per thread and per
# task: a context variable is exactly that (each thread and each asyncio task has its
# own context). One variable for all breakers: a stack of (breaker, permission).
_held: ContextVar[tuple[tuple[Breaker, Permission], ...]] = ContextVar(
    "twinbook_breaker_held", default=()
)


class _Era:
    """One stretch of one state, from one transition to the next."""

    __slots__ = ("state", "since", "free", "closed")

    def __init__(self, state: State, since: int) -> None:
        self.state = state
        self.since = since  # ns on the breaker's clock, when the transition was due
        self.free = state is CLOSED or state is DISABLED  # permits without the lock
        self.closed = state is CLOSED


class Permission:
    """Leave to make one call, from :meth:`Breaker.acquire`; complete it exactly once.

    The call's duration runs from the moment the permission was granted to
    the moment :meth:`complete` is called, so acquire right before the call
    and complete right after it. In ``HALF_OPEN`` a permission holds one of
    the few trial permits until it is completed: always complete it (with
    ``"ignored"`` if the call never happened), or that permit is lost until
    the next transition.
    """

    __slots__ = ("_breaker", "_era", "started", "_done")

    def __init__(self, breaker: Breaker, era: _Era, started: int) -> None:
        self._breaker = breaker
        self._era = era
        self.started = started
        self._done = False

    @property
    def state(self) -> State:
        """The state that granted this permission."""
        return self._era.state

    def complete(self, outcome: Outcome | str) -> None:
        """Report the call's outcome: ``"success"``, ``"failure"`` or ``"ignored"``."""
        outcome = Outcome(outcome)
        if self._done:
            raise RuntimeError("this permission was already completed")
        self._done = True
        breaker = self._breaker
        breaker._finish(self._era, self.started, outcome, breaker._now())

    def complete_exception(self, exc: BaseException) -> None:
        """Report that the call raised ``exc``, classified by the breaker's configuration."""
        self.complete(self._breaker.config.classify_exception(exc))

    def complete_result(self, value: object) -> None:
        """Report that the call returned ``value``, classified by ``record_result``."""
        self.complete(self._breaker.config.classify_result(value))


class Breaker:
    """A circuit breaker (the spec's state machine), for threads and for asyncio alike.

    Use it whichever way fits the call site::

        breaker = Breaker(Config(failure_rate_threshold=50), clock=SystemClock())

        @breaker                      # a function or a coroutine function
        def fetch(url): ...

        with breaker:                 # a block (or `async with breaker:`)
            ...

        value = breaker.call(fetch, url)            # or: await breaker.call_async(afetch, url)

        permission = breaker.acquire()              # two steps, for callbacks and middleware
        permission.complete("success")

    A call that is not permitted raises :class:`OpenError` and is not
    made. An exception from the call is classified (see :class:`Config`),
    recorded, and re-raised unchanged.
    """

    def __init__(self, config: Config | None = None, *, clock: Clock | None = None) -> None:
        self.config = config if config is not None else Config()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._now = nanoseconds(self.clock)
        c = self.config
        self._slow_ns = round(c.slow_call_duration_ms * 1_000_000)
        self._open_ns = round(c.wait_in_open_ms * 1_000_000)
        self._half_open_max_ns = round(c.max_wait_in_half_open_ms * 1_000_000)
        self._failure_threshold = float(c.failure_rate_threshold)
        self._slow_threshold = float(c.slow_call_rate_threshold)
        self._minimum = c.effective_minimum_calls
        self._permits = c.half_open_permitted_calls
        self._window: Window = (
            CountWindow(c.window_size)
            if c.sliding_window is WindowType.COUNT
            else TimeWindow(c.window_size)
        )
        # The count window the hot path bumps. With a time window the hot path is shut
        # (see _hot_below below), and this spare is never touched; an object rather than
        # None keeps a None check off the hot path.
        self._count: CountWindow = (
            self._window if isinstance(self._window, CountWindow) else CountWindow(1)
        )
        # The hot path (see call()) needs a count window and no result to classify. It is
        # tried for calls shorter than this; without a hot path, never (no call's duration
        # is below -2**62 ns, even on a clock that steps back).
        fast = self._count is self._window and c.record_result is None
        self._hot_below = self._slow_ns if fast else -(1 << 62)
        self._classify_exception = c.classify_exception
        self._lock = threading.Lock()
        self._hub = EventHub()
        self._call_topic = self._hub.calls  # read on every call: one attribute lookup less
        self._pending = self._hub._pending
        self._not_permitted = 0
        # HALF_OPEN's trial: permits out (in flight), and the calls recorded so far.
        self._trial_in_flight = self._trial_calls = self._trial_failed = self._trial_slow = 0
        self._era = _Era(CLOSED, self._now())

    def __repr__(self) -> str:
        name = f" {self.config.name!r}" if self.config.name else ""
        return f"<Breaker{name} {self._era.state.value}>"

    # ----------------------------------------------------------------- reading

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def state(self) -> State:
        """The state now (applying any transition that has come due)."""
        now = self._now()
        with self._lock:
            self._apply_due(now)
            state = self._era.state
        self._deliver()
        return state

    def metrics(self) -> Metrics:
        """A consistent snapshot of the current window (see :class:`Metrics`)."""
        now = self._now()
        with self._lock:
            self._apply_due(now)
            state = self._era.state
            if state is CLOSED:
                calls, failed, slow = self._window.totals(now)
                minimum = self._minimum
            elif state is HALF_OPEN:
                calls, failed, slow = self._trial_calls, self._trial_failed, self._trial_slow
                minimum = self._permits
            else:
                calls = failed = slow = 0
                minimum = 1
            snapshot = Metrics(
                state=state,
                calls=calls,
                failed=failed,
                slow=slow,
                failure_rate=rate(failed, calls, minimum),
                slow_call_rate=rate(slow, calls, minimum),
                not_permitted=self._not_permitted,
            )
        self._deliver()
        return snapshot

    # ------------------------------------------------------------------ events

    def on_transition(self, fn: Callable[[Transition], None]) -> Callable[[], None]:
        """Call ``fn`` after every transition, in order; returns a function that unsubscribes."""
        return self._hub.on_transition(fn)

    def on_call(self, fn: Callable[[CallEvent], None]) -> Callable[[], None]:
        """Call ``fn`` after every permitted call finishes; returns a function that unsubscribes."""
        return self._hub.on_call(fn)

    def on_rejected(self, fn: Callable[[Rejection], None]) -> Callable[[], None]:
        """Call ``fn`` after every call not permitted; returns a function that unsubscribes."""
        return self._hub.on_rejected(fn)

    # ------------------------------------------------------ manual transitions

    # Manual transitions apply at once from any state, after whatever time-driven
    # transition was due. One to the state the breaker is already in changes
    # nothing: no transition, window and permissions kept (reset aside).

    def force_open(self) -> None:
        """Reject everything until :meth:`close`, :meth:`reset` or :meth:`disable`."""
        self._manual(FORCED_OPEN)

    def disable(self) -> None:
        """Permit everything and record nothing until another manual transition."""
        self._manual(DISABLED)

    def close(self) -> None:
        """Go to ``CLOSED`` with an empty window (from ``CLOSED``: nothing happens)."""
        self._manual(CLOSED)

    def reset(self) -> None:
        """Go to ``CLOSED`` and forget everything: window, late results, rejection count.

        From ``CLOSED`` this is not a transition (no event), but calls in
        flight still become late results, discarded when they finish.
        """
        self._manual(CLOSED, reset=True)

    def _manual(self, to: State, reset: bool = False) -> None:
        now = self._now()
        with self._lock:
            self._apply_due(now)
            if reset:
                self._not_permitted = 0
            if self._era.state is not to:
                self._transition(to, now)
            elif reset:  # reset in closed: forget everything, but it is not a transition
                self._era = _Era(CLOSED, now)
                self._window.clear()
            # else: already there; nothing changes (window and permissions kept)
        self._deliver()

    # ----------------------------------------------------- the state machine
    # Everything named _apply_due, _transition, _record_* runs under self._lock.

    # docs:start apply-due
    def _apply_due(self, now: int) -> None:
        """Apply, in order, every time-driven transition due at or before ``now``.

        Each is stamped with the moment it was due, not ``now``: an open
        breaker nobody asked about for an hour became half-open after its
        wait, and its half-open maximum wait ran from then.
        """
        while True:
            era = self._era
            if era.state is OPEN:
                due, to = era.since + self._open_ns, HALF_OPEN
            elif era.state is HALF_OPEN and self._half_open_max_ns:
                due, to = era.since + self._half_open_max_ns, OPEN
            else:
                return
            if now < due:
                return
            self._transition(to, due)

    # docs:end apply-due

    # docs:start transition
    def _transition(self, to: State, at: int) -> None:
        """Start a new era in state ``to``: an empty window, no trial calls."""
        old = self._era.state
        self._era = _Era(to, at)
        if to is CLOSED:
            self._window.clear()
        self._trial_in_flight = self._trial_calls = 0
        self._trial_failed = self._trial_slow = 0
        subscribers = self._hub.transitions.subscribers
        if subscribers:
            self._hub.post(subscribers, Transition(old, to, at / 1e9))

    # docs:end transition

    # docs:start trips
    def _tripped(
        self,
        calls: int,
        failed: int,
        slow: int,
        minimum: int | None = None,
    ) -> bool:
        """The spec's test: enough calls, and either rate at or above its threshold.

        Rates are computed as the spec writes them, ``failed * 100 / calls``,
        not cross-multiplied: the two round differently at the edges.
        """
        return calls >= (self._minimum if minimum is None else minimum) and (
            failed * 100 / calls >= self._failure_threshold
            or slow * 100 / calls >= self._slow_threshold
        )

    # docs:end trips

    # docs:start acquire
    def _acquire_slow(self) -> tuple[_Era, int]:
        """Permission outside the lock-free path: apply due transitions, then ask the
        state."""
        now = self._now()
        with self._lock:
            self._apply_due(now)
            era = self._era
            state = era.state
            trials = self._trial_in_flight + self._trial_calls
            if state is HALF_OPEN and trials < self._permits:
                self._trial_in_flight += 1  # in-flight calls count against the permits
            elif not era.free:
                self._not_permitted += 1
                if state is OPEN:
                    retry_after = (era.since + self._open_ns - now) / 1e9
                else:  # a full half-open: any moment; forced open: only by hand
                    retry_after = 0.0 if state is HALF_OPEN else math.inf
                if self._hub.rejections.subscribers:
                    self._hub.post(
                        self._hub.rejections.subscribers,
                        Rejection(state, retry_after, now / 1e9),
                    )
                era = None  # type: ignore[assignment]
        if self._pending:
            self._hub.deliver()
        if era is None:
            # Raised where it is made: an exception held in a local of the raising frame
            # makes a reference cycle (exception, traceback, frame) for the GC to find.
            raise OpenError(state, retry_after, self.config.name)
        return era, now

    # docs:end acquire

    def _finish(self, era: _Era, start: int, outcome: Outcome, end: int) -> None:
        """Record a call that finished at ``end``, unless it is a late result."""
        slow = end - start > self._slow_ns  # strictly greater, whatever the outcome
        with self._lock:
            recorded = self._record(era, outcome, slow, end)
            if self._call_topic.subscribers:
                self._hub.post(
                    self._call_topic.subscribers,
                    CallEvent(outcome, (end - start) / 1e9, slow, era.state, recorded, end / 1e9),
                )
        if self._pending:
            self._hub.deliver()

    # docs:start record
    def _record(self, era: _Era, outcome: Outcome, slow: bool, end: int) -> bool:
        """Record an outcome in the state that granted it; return whether it was
        recorded."""
        if not self._era.free:
            self._apply_due(end)  # a half-open era may have run out of time by now
        if era is not self._era:
            return False  # a late result: it belongs to a state that is gone
        if era.state is CLOSED and outcome is not IGNORED:
            failure = outcome is FAILURE
            calls, failed, slow_calls = self._window.record(end, failure, slow)
            if self._tripped(calls, failed, slow_calls):
                self._transition(OPEN, end)
            return True
        if era.state is HALF_OPEN:
            if outcome is IGNORED:
                self._trial_in_flight -= 1  # the permit goes back
                return False
            self._record_trial(outcome is FAILURE, slow, end)
            return True
        return False  # closed and ignored, or disabled: nothing to record

    # docs:end record

    # docs:start half-open-trial
    def _record_trial(self, failed: bool, slow: bool, end: int) -> None:
        """A half-open trial call came back: once all are in, close or open again."""
        self._trial_in_flight -= 1
        self._trial_calls += 1
        self._trial_failed += failed
        self._trial_slow += slow
        if self._trial_calls >= self._permits:
            opened = self._tripped(
                self._trial_calls, self._trial_failed, self._trial_slow, self._permits
            )
            self._transition(OPEN if opened else CLOSED, end)

    # docs:end half-open-trial

    def _deliver(self) -> None:
        if self._pending:
            self._hub.deliver()

    # ---------------------------------------------------------- the two steps

    def acquire(self) -> Permission:
        """Permission for one call, or :class:`OpenError`; see :class:`Permission`."""
        era = self._era
        if era.free:
            return Permission(self, era, self._now())
        era, start = self._acquire_slow()
        return Permission(self, era, start)

    def try_acquire(self) -> Permission | None:
        """Like :meth:`acquire`, but ``None`` instead of raising when not permitted."""
        try:
            return self.acquire()
        except OpenError:
            return None

    # ------------------------------------------------------ calling through it

    # docs:start call
    def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Call ``fn(*args, **kwargs)`` if permitted, record the outcome, return or
        re-raise."""
        era = self._era
        if era.free:
            start = self._now()  # closed or disabled: no lock to take
        else:
            era, start = self._acquire_slow()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            self._finish(era, start, self._classify_exception(exc), self._now())
            raise
        end = self._now()
        if end - start <= self._hot_below:
            # The hot path: a good call into a closed count window that holds no bad
            # call cannot trip anything, and recording it is one addition.
            lock = self._lock
            lock.acquire()
            try:
                count, calls = self._count, self._call_topic
                current = era is self._era and era.closed
                if current and not count.bad and not calls.subscribers:
                    count.seen += 1
                    return result
            finally:
                lock.release()
        self._finish(era, start, self.config.classify_result(result), end)
        return result

    # docs:end call

    # docs:start call-async
    async def call_async(
        self, fn: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Await ``fn(*args, **kwargs)`` if permitted; the lock is never held across the
        await."""
        era = self._era
        if era.free:
            start = self._now()
        else:
            era, start = self._acquire_slow()
        try:
            result = await fn(*args, **kwargs)
        # CancelledError: ignored by default, and re-raised
        except BaseException as exc:
            self._finish(era, start, self._classify_exception(exc), self._now())
            raise
        self._finish(era, start, self.config.classify_result(result), self._now())
        return result

    # docs:end call-async

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        """Decorate a function or a coroutine function: every call goes through the breaker."""
        if inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
            raise TypeError(
                f"cannot guard generator function {fn.__qualname__}: its work happens after the "
                "call returns; guard the code that consumes it instead"
            )
        if inspect.iscoroutinefunction(fn):
            return self._guard_async(fn)  # type: ignore[return-value]
        if not callable(fn):
            raise TypeError(f"expected a function to guard, got {fn!r}")
        return self._guard_sync(fn)

    def _guard_sync(self, fn: Callable[P, R]) -> Callable[P, R]:
        # call(), with its lookups hoisted out of the wrapper: this is the breaker's
        # hot path, where every attribute lookup is a few percent of the cost.
        breaker, now, acquire_slow, finish = self, self._now, self._acquire_slow, self._finish
        classify, classify_result = self._classify_exception, self.config.classify_result
        count, calls, hot_below = self._count, self._call_topic, self._hot_below
        acquire, release = self._lock.acquire, self._lock.release

        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            era = breaker._era
            if era.free:
                start = now()
            else:
                era, start = acquire_slow()
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                finish(era, start, classify(exc), now())
                raise
            end = now()
            if end - start <= hot_below:
                acquire()
                try:
                    if (
                        era is breaker._era
                        and era.closed
                        and not count.bad
                        and not calls.subscribers
                    ):
                        count.seen += 1
                        return result
                finally:
                    release()
            finish(era, start, classify_result(result), end)
            return result

        guarded.breaker = self  # type: ignore[attr-defined]
        return guarded

    def _guard_async(self, fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        breaker, now, acquire_slow, finish = self, self._now, self._acquire_slow, self._finish
        classify, classify_result = self._classify_exception, self.config.classify_result

        @functools.wraps(fn)
        async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            era = breaker._era
            if era.free:
                start = now()
            else:
                era, start = acquire_slow()
            try:
                result = await fn(*args, **kwargs)
            # CancelledError: ignored by default, and re-raised
            except BaseException as exc:
                finish(era, start, classify(exc), now())
                raise
            finish(era, start, classify_result(result), now())
            return result

        guarded.breaker = self  # type: ignore[attr-defined]
        return guarded

    # ------------------------------------------------------ context managers

    def __enter__(self) -> Permission:
        permission = self.acquire()
        _held.set((*_held.get(), (self, permission)))
        return permission

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        held = _held.get()
        for i in range(len(held) - 1, -1, -1):  # innermost first: nested blocks unwind in order
            if held[i][0] is self:
                permission = held[i][1]
                _held.set(held[:i] + held[i + 1 :])
                break
        else:
            raise RuntimeError("breaker block exited in another thread or task than it entered")
        if exc is None:
            permission.complete(SUCCESS)
        else:
            permission.complete_exception(exc)  # and the exception propagates

    async def __aenter__(self) -> Permission:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)


def guarded_by(fn: Callable[..., Any]) -> Breaker | None:
    """The breaker a function was decorated with, if any (handy in notebooks and tests)."""
    return getattr(fn, "breaker", None)
