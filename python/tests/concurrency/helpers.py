"""Small helpers shared by the chapter 1 tests (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from timeouts import TIMEOUT

__all__ = ["TIMEOUT", "Counting", "Gauge", "eventually", "settle"]


@dataclass
class Gauge:
    """Counts calls in flight; ``peak`` is the most there ever were at once."""

    active: int = 0
    peak: int = 0
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def track(self) -> Iterator[None]:
        with self._lock:
            self.active += 1
            self.calls += 1
            self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            with self._lock:
                self.active -= 1


class Counting(Iterator[int]):
    """An iterator over 0, 1, 2, ... (endless unless ``stop``) that counts how far it was read."""

    def __init__(self, stop: int | None = None) -> None:
        self.pulled = 0
        self.stop = stop

    def __next__(self) -> int:
        if self.stop is not None and self.pulled >= self.stop:
            raise StopIteration
        self.pulled += 1
        return self.pulled - 1


def eventually(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Poll ``condition`` until true; for the few states no event announces."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.001)


async def settle(rounds: int = 50) -> None:
    """Let every ready task run until it blocks: asyncio is deterministic enough for this."""
    for _ in range(rounds):
        await asyncio.sleep(0)
