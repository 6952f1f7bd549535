"""Progress in memory: it outlives an orchestrator that "crashed", which is what the tests
need, not the process, which is what :class:`~twinbook.saga.store_log.StoreLog` is for."""

from __future__ import annotations

import threading
from dataclasses import replace

from .definition import Kind
from .progress import Entry, Progress, Result, UnknownSaga


class MemoryLog:
    """A :class:`~twinbook.saga.progress.Log` in a dict, safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sagas: dict[str, Progress] = {}  # insertion order: oldest first
        self._entries: dict[str, list[Entry]] = {}

    def begin(self, progress: Progress) -> Progress:
        with self._lock:
            return self._sagas.setdefault(progress.saga_id, replace(progress))

    def _known(self, saga_id: str) -> None:
        if saga_id not in self._sagas:
            raise UnknownSaga(saga_id)

    def start(self, saga_id: str, step: str, kind: Kind) -> None:
        with self._lock:
            self._known(saga_id)
            self._entries.setdefault(saga_id, []).append(Entry(step, kind, Result.STARTED))

    def finish(self, saga_id: str, step: str, kind: Kind, result: Result, nxt: Progress) -> None:
        with self._lock:
            self._known(saga_id)
            self._entries.setdefault(saga_id, []).append(Entry(step, kind, result))
            self._sagas[saga_id] = nxt

    def load(self, saga_id: str) -> Progress:
        with self._lock:
            self._known(saga_id)
            return self._sagas[saga_id]

    def unfinished(self, definition: str) -> list[str]:
        with self._lock:
            return [
                p.saga_id
                for p in self._sagas.values()
                if p.definition == definition and not p.state.finished
            ]

    def entries(self, saga_id: str) -> list[Entry]:
        with self._lock:
            self._known(saga_id)
            return list(self._entries.get(saga_id, []))
