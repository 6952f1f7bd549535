"""Helpers the tests of this chapter's exercises share. The checker places this file beside
an exercise's tests, so a test file imports it: ``from chapter_helpers import settle``.
"""

import threading
import time


def settle(before, what, hint, timeout=2.0):
    """Wait until no thread runs that did not run ``before`` (a set of threads); fail after
    ``timeout`` seconds naming the threads left, ``what`` had just happened, and ``hint``."""
    deadline = time.monotonic() + timeout
    while True:
        extra = [t.name for t in set(threading.enumerate()) - before]
        if not extra:
            return
        assert time.monotonic() < deadline, (
            f"{what}: thread(s) {extra} still running {timeout:g}s later: {hint}"
        )
        time.sleep(0.01)
