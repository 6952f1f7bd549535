"""A per-test time limit for the Python harness (the grader's ``--test-timeout``).

Without it a test that hangs holds its whole suite until the runner's wall-clock budget
(a minute by default) runs out, and every test after it "did not run". With it the test
that hangs fails after a few seconds with a message that says so; the harness process
then ends (a thread cannot be stopped from outside in Python, and the hung code may still
hold locks the next test needs), and :func:`twinbook.runner.channel.run_all` runs the
tests it never reached in a fresh process, exactly as after a crash.

The watchdog is a daemon thread: it needs the interpreter's lock, which pure Python code
gives up every few milliseconds. Code that keeps it (one huge C-level operation) is
stopped by the CPU and wall-clock limits instead, as before.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

EXIT_CODE = 124  # the harness's exit status after a test timed out (as timeout(1)'s)


def message(seconds: float) -> str:
    """The failure message of a test stopped by the per-test limit."""
    return f"timed out: the test took longer than {seconds:g}s"


class Watchdog:
    """Arms a deadline for the running test; when it passes, ``on_timeout(name)`` reports
    the test and the process exits with :data:`EXIT_CODE`."""

    def __init__(self, seconds: float, on_timeout: Callable[[str], None]) -> None:
        self.seconds = seconds
        self._on_timeout = on_timeout
        self._cond = threading.Condition()
        self._name = ""
        self._deadline = 0.0
        self._thread = threading.Thread(target=self._watch, name="twinbook-watchdog", daemon=True)
        self._thread.start()

    def arm(self, name: str) -> None:
        with self._cond:
            self._name, self._deadline = name, time.monotonic() + self.seconds
            self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._name = ""
            self._cond.notify()

    def _watch(self) -> None:
        while True:
            with self._cond:
                if not self._name:
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                name = self._name
            try:
                self._on_timeout(name)
            finally:
                os._exit(EXIT_CODE)
