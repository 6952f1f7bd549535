"""The event log: one JSON object per line, ``{"event": name, "ms": ..., ...}``.

Tests assert on a process's accounting (credits, leases, duplicates) from outside
it by reading these lines, so the Go twin (``go/swarm/events.go``) writes the same
ones. ``ms`` is milliseconds since the log was made.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, TextIO

import grpc

__all__ = ["EventLog", "code_name"]


class EventLog:
    """Writes events to a text stream, one line each, from any thread."""

    def __init__(self, out: TextIO | None) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._start = time.monotonic()

    def emit(self, event: str, **fields: Any) -> None:
        """Write one event (nothing when the log has no stream)."""
        if self._out is None:
            return
        record = {**fields, "event": event, "ms": int((time.monotonic() - self._start) * 1000)}
        line = json.dumps(record, sort_keys=True)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()


def code_name(code: grpc.StatusCode) -> str:
    """Go's name for a status code (``DeadlineExceeded``, ``Canceled``): both logs read the same."""
    return _GO_NAMES.get(code) or "".join(part.capitalize() for part in code.name.split("_"))


_GO_NAMES = {grpc.StatusCode.OK: "OK", grpc.StatusCode.CANCELLED: "Canceled"}
