"""The registry's durable log: every change is appended as records and acknowledged
before the service applies it (as Confluent's leader does), and on start the whole log is
replayed, so the state after a restart is what the log says. :class:`MemoryStore` is the
log in memory, for unit tests (the Go twin is ``go/registry/store.go``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from .records import Record


class Store(Protocol):
    """A log of records."""

    def load(self, apply: Callable[[Record], None], timeout: float) -> None:
        """Call ``apply`` with every record, oldest first, up to the log's end as it was
        when ``load`` began."""

    def append(self, records: list[Record], timeout: float) -> None:
        """Write ``records`` in order; return once they are durable."""

    def close(self) -> None:
        """Release the store's connections."""


class MemoryStore:
    """A log in a list: two services built one after the other on the same MemoryStore
    behave like a registry restarted on the same topic. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[Record] = []

    def load(self, apply: Callable[[Record], None], timeout: float) -> None:
        with self._lock:
            log = list(self._log)
        for record in log:
            apply(record)

    def append(self, records: list[Record], timeout: float) -> None:
        with self._lock:
            self._log.extend(records)

    def records(self) -> list[Record]:
        """A copy of the log, for tests that check what was written."""
        with self._lock:
            return list(self._log)

    def close(self) -> None:
        """Nothing to release."""
