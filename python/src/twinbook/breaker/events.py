"""Events: who wants to hear about transitions, finished calls and rejections.

The Go twin is ``go/breaker/events.go``. Subscribers are plain callables,
registered with :meth:`EventHub.on_transition`, :meth:`EventHub.on_call` and
:meth:`EventHub.on_rejected` (a :class:`~twinbook.breaker.Breaker` offers the
same three); each returns a function that unsubscribes.

Two rules make events safe to use:

* **Never under the breaker's lock.** A subscriber may log, count, or call the
  breaker again; holding the lock while it runs would deadlock the latter and
  stall every caller behind a slow logger. The breaker queues events while it
  holds its lock and delivers them after letting go.
* **In order.** Events are queued in the order they happened, under the lock,
  and one thread at a time delivers the queue. A thread that finds another one
  delivering leaves its events to it, so a subscriber sees ``closed->open``
  before ``open->half_open`` even when two threads caused them, and never
  runs twice at once.

A subscriber that raises is logged and skipped: a broken dashboard must not
break the calls it watches.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from .state import State

__all__ = ["CallEvent", "EventHub", "Outcome", "Rejection", "Transition"]

log = logging.getLogger(__name__)

E = TypeVar("E")


class Outcome(StrEnum):
    """How a finished call is recorded (the vector files' ``outcome``)."""

    SUCCESS = "success"
    FAILURE = "failure"
    IGNORED = "ignored"
    """Records nothing; in ``HALF_OPEN`` the permit goes back for another caller."""


@dataclass(frozen=True, slots=True)
class Transition:
    """The breaker went from ``from_state`` to ``to_state`` at clock time ``at`` (seconds).

    ``at`` is when the transition was due, which for a time-driven one
    (``open->half_open``) may be earlier than when somebody noticed.
    """

    from_state: State
    to_state: State
    at: float

    def __str__(self) -> str:
        return f"{self.from_state.value}->{self.to_state.value}"


# docs:start event
@dataclass(frozen=True, slots=True)
class CallEvent:
    """A permitted call finished.

    ``recorded`` is false when the outcome changed nothing: it was ``ignored``,
    the breaker was ``DISABLED``, or the permission was granted before the
    latest transition (a late result, discarded).
    """

    outcome: Outcome
    duration: float
    slow: bool
    state: State
    recorded: bool
    at: float


# docs:end event


@dataclass(frozen=True, slots=True)
class Rejection:
    """A call was not permitted in ``state``; ``retry_after`` as in the error raised."""

    state: State
    retry_after: float
    at: float


Subscriber = Callable[[Any], None]


class _Topic(Generic[E]):
    """One kind of event's subscribers, as a tuple that is replaced, never changed in place.

    Readers (the hot path asks "anyone listening?") read the attribute once
    without a lock and get a consistent tuple.
    """

    __slots__ = ("subscribers", "_lock")

    def __init__(self) -> None:
        self.subscribers: tuple[Callable[[E], None], ...] = ()
        self._lock = threading.Lock()

    def add(self, fn: Callable[[E], None]) -> Callable[[], None]:
        with self._lock:
            self.subscribers = (*self.subscribers, fn)

        def unsubscribe() -> None:
            with self._lock:
                items = list(self.subscribers)
                if fn in items:
                    items.remove(fn)
                self.subscribers = tuple(items)

        return unsubscribe


class EventHub:
    """Subscribers by kind and the ordered queue of events waiting to reach them."""

    def __init__(self) -> None:
        self.transitions: _Topic[Transition] = _Topic()
        self.calls: _Topic[CallEvent] = _Topic()
        self.rejections: _Topic[Rejection] = _Topic()
        self._pending: deque[tuple[tuple[Subscriber, ...], object]] = deque()
        self._delivering = threading.Lock()

    def on_transition(self, fn: Callable[[Transition], None]) -> Callable[[], None]:
        """Call ``fn(Transition)`` after every state transition; returns the unsubscriber."""
        return self.transitions.add(fn)

    def on_call(self, fn: Callable[[CallEvent], None]) -> Callable[[], None]:
        """Call ``fn(CallEvent)`` after every finished call; returns the unsubscriber."""
        return self.calls.add(fn)

    def on_rejected(self, fn: Callable[[Rejection], None]) -> Callable[[], None]:
        """Call ``fn(Rejection)`` after every call not permitted; returns the unsubscriber."""
        return self.rejections.add(fn)

    def post(self, subscribers: tuple[Subscriber, ...], event: object) -> None:
        """Queue ``event`` for ``subscribers``, under the breaker's lock: that fixes the order."""
        self._pending.append((subscribers, event))

    def deliver(self) -> None:
        """Deliver queued events unless another thread is at it; never under the breaker's lock."""
        pending = self._pending
        while pending:
            if not self._delivering.acquire(blocking=False):
                return  # the deliverer re-checks the queue after it lets go: nothing is stranded
            try:
                while pending:
                    subscribers, event = pending.popleft()
                    for fn in subscribers:
                        try:
                            fn(event)
                        except Exception:
                            log.exception("breaker event subscriber %r failed on %r", fn, event)
            finally:
                self._delivering.release()
