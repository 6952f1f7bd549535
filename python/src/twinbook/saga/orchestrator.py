"""The orchestrator: one attempt at a time, each persisted before and after."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from twinbook.clock import Clock, SystemClock

from .definition import Call, Definition, InvalidSaga, Kind, key
from .progress import Log, OtherDefinition, Progress, Result, State


def default_backoff(failures: int) -> float:
    """Seconds before the next attempt after ``failures`` failures: doubling from 10 ms to
    1 s, because compensations are retried until they succeed and must neither stop nor
    hammer a participant that is down."""
    return min(0.01 * 2 ** (failures - 1), 1.0)


def no_backoff(failures: int) -> float:
    """Retry at once: for tests and vectors."""
    return 0.0


@dataclass(frozen=True)
class Options:
    """``backoff`` (seconds to wait before an attempt that follows ``failures`` failures),
    ``clock`` (waits it out; a test's :class:`~twinbook.clock.ManualClock` or no backoff
    keeps tests from sleeping)."""

    backoff: Callable[[int], float] = default_backoff
    clock: Clock = field(default_factory=SystemClock)


class SagaCancelled(Exception):
    """``run`` stopped because its ``cancel`` event was set; the saga is left unfinished,
    to be resumed."""


class Orchestrator:
    """Runs the sagas of one :class:`Definition`, persisting progress in a log.

    Safe to share between threads; one saga id runs in one thread at a time within an
    orchestrator (across processes, run one orchestrator per saga at a time: the log does
    not lease sagas).
    """

    def __init__(self, definition: Definition, log: Log, options: Options | None = None) -> None:
        definition.validate()
        self._definition = definition
        self._log = log
        self._options = options or Options()
        # only the ids being run, with how many threads hold or wait for each: the last
        # one out removes it, so a long-lived orchestrator does not grow
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._locks_lock = threading.Lock()

    def run(self, saga_id: str, cancel: threading.Event | None = None) -> State:
        """Run ``saga_id`` to its end and return ``COMPLETED`` or ``COMPENSATED``. A saga
        already recorded goes on from its recorded progress (a finished one returns its
        state at once). A log's error stops the run with the saga unfinished; a
        participant's ``BaseException`` that is not an ``Exception`` is not caught."""
        if not saga_id:
            raise InvalidSaga("empty saga id")
        with self._lock(saga_id):
            d = self._definition
            p = self._log.begin(Progress(saga_id=saga_id, definition=d.id))
            if p.definition != d.id:
                raise OtherDefinition(f"saga {saga_id!r} is a {p.definition!r}, not a {d.id!r}")
            while not p.state.finished:
                if cancel is not None and cancel.is_set():
                    raise SagaCancelled(saga_id)
                p = self._attempt(p, cancel)
            return p.state

    def resume(self, cancel: threading.Event | None = None) -> int:
        """Finish every unfinished saga of the definition (after a crash, at start-up);
        return how many were finished. An ``Exception`` from one saga does not stop the
        others; the first is raised at the end."""
        done = 0
        errors: list[Exception] = []
        for saga_id in self._log.unfinished(self._definition.id):
            try:
                self.run(saga_id, cancel)
            except SagaCancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - reported after the others ran
                errors.append(exc)
            else:
                done += 1
        if errors:
            raise errors[0]
        return done

    @contextlib.contextmanager
    def _lock(self, saga_id: str) -> Iterator[None]:
        with self._locks_lock:
            lock, users = self._locks.get(saga_id, (threading.Lock(), 0))
            self._locks[saga_id] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._locks_lock:
                lock, users = self._locks[saga_id]
                if users == 1:
                    del self._locks[saga_id]
                else:
                    self._locks[saga_id] = (lock, users - 1)

    def _attempt(self, p: Progress, cancel: threading.Event | None) -> Progress:
        steps = self._definition.steps
        if not 0 <= p.step < len(steps):
            raise InvalidSaga(f"saga {p.saga_id!r}: recorded step {p.step} is not a step")
        step = steps[p.step]
        kind = Kind.ACTION if p.state is State.RUNNING else Kind.COMPENSATION
        participant = step.action if kind is Kind.ACTION else step.compensation
        if p.failures:
            wait = self._options.backoff(p.failures)
            if wait > 0 and not self._options.clock.sleep(wait, cancel):
                raise SagaCancelled(p.saga_id)
        # docs:start saga-attempt
        self._log.start(p.saga_id, step.name, kind)
        ok = True
        # only the last step may lack a compensation, and it never needs one
        if participant is not None:
            call_key = key(p.saga_id, step.name, kind)
            try:
                participant(Call(p.saga_id, step.name, kind, call_key))
            except Exception:  # noqa: BLE001 - a failed attempt is data, not an error
                ok = False
        result, nxt = self.next(p, ok)
        self._log.finish(p.saga_id, step.name, kind, result, nxt)
        return nxt
        # docs:end saga-attempt

    # docs:start saga-next
    def next(self, p: Progress, ok: bool) -> tuple[Result, Progress]:
        """The progress after an attempt at ``p`` that succeeded (``ok``) or failed: the
        rules of the spec in one place."""
        last = len(self._definition.steps) - 1
        if p.state is State.RUNNING and ok:
            state: State = State.COMPLETED if p.step == last else p.state
            return Result.OK, replace(p, step=p.step + 1, failures=0, state=state)
        if p.state is State.RUNNING:
            failures = p.failures + 1
            if failures <= self._definition.steps[p.step].retries:
                return Result.FAIL, replace(p, failures=failures)
            # failed for good: compensate the steps before it, never itself
            state = State.COMPENSATING if p.step > 0 else State.COMPENSATED
            return Result.FAIL, replace(p, state=state, step=p.step - 1, failures=0)
        if ok:
            state = State.COMPENSATING if p.step > 0 else State.COMPENSATED
            return Result.OK, replace(p, state=state, step=p.step - 1, failures=0)
        return Result.FAIL, replace(p, failures=p.failures + 1)  # until it succeeds

    # docs:end saga-next
