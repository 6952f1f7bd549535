"""What the relay publishes through: the :class:`Publisher` protocol, and a memory one."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from .event import Event


class PoisonError(Exception):
    """A publish failure no retry can cure (a message the broker will never take: too
    large, a forbidden topic). The relay parks the event with it and goes on; any other
    failure is transient, and the event stays in the outbox."""


class Publisher(Protocol):
    """Delivers a batch of events to a broker."""

    def publish(self, events: Sequence[Event], timeout: float) -> list[Exception | None]:
        """Send ``events`` and wait, at most ``timeout`` seconds, for the broker's answer
        to each. One result per event, in order: None means acknowledged (it will not be
        lost), a :class:`PoisonError` means it never will be, any other exception means
        not this time."""
        ...


class MemoryPublisher:
    """A :class:`Publisher` that keeps what it is given, for tests and benchmarks
    without a broker. ``fail`` decides per event whether publishing it fails (returning
    the exception) or not (None). Safe to use from many threads."""

    def __init__(self, fail: Callable[[Event], Exception | None] | None = None):
        self.fail = fail
        self._lock = threading.Lock()
        self._sent: list[Event] = []

    def publish(self, events: Sequence[Event], timeout: float) -> list[Exception | None]:
        results: list[Exception | None] = []
        with self._lock:
            for event in events:
                error = self.fail(event) if self.fail is not None else None
                if error is None:
                    self._sent.append(event)
                results.append(error)
        return results

    @property
    def published(self) -> list[Event]:
        """Every event acknowledged so far, in order (a redelivered one once per time)."""
        with self._lock:
            return list(self._sent)
