"""The closed state's memory: a count window or a time window, both O(1) per call.

The Go twin is ``go/breaker/window.go``. Both windows keep running totals
(calls, failed, slow) so that the rate check after each call is arithmetic,
not a scan. The breaker holds its lock around every method here: the windows
themselves are not thread-safe.

Times are integer nanoseconds on the breaker's clock. Integers, because the
spec's edges are exact ("a call is counted in the bucket ``floor(t_ms / 1000)``")
and float seconds would put 5.03 s on either side of 5030 ms by a last bit.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

__all__ = ["CountWindow", "TimeWindow", "Totals", "Window"]

NS_PER_SECOND = 1_000_000_000

Totals = tuple[int, int, int]
"""``(calls, failed, slow)`` in a window."""


class Window(Protocol):
    """What the breaker needs from a window, whichever kind."""

    def record(self, now: int, failed: bool, slow: bool) -> Totals:
        """Count one call finished at ``now`` and return the window's totals at ``now``."""
        ...

    def totals(self, now: int) -> Totals:
        """The totals of the window as it stands at ``now``."""
        ...

    def clear(self) -> None:
        """Forget everything: every transition starts with an empty window."""
        ...


# docs:start count-window
class CountWindow:
    """The last ``size`` recorded calls, remembering only the bad ones.

    Calls are numbered as they are recorded (``seen``); the window is the
    last ``size`` numbers. Only failed or slow calls are kept, with their
    number, in a queue, and they leave it once ``size`` newer calls came in.
    A healthy service records almost only good calls, so the common case is
    one addition: ``seen += 1``, no ring to write, nothing to evict.
    """

    __slots__ = ("size", "seen", "bad", "failed", "slow")

    def __init__(self, size: int) -> None:
        self.size = size
        self.clear()

    def record(self, now: int, failed: bool, slow: bool) -> Totals:
        self.seen += 1
        if failed or slow:
            self.bad.append((self.seen, failed | (slow << 1)))
            self.failed += failed
            self.slow += slow
        oldest = self.seen - self.size  # calls numbered up to here have left
        while self.bad and self.bad[0][0] <= oldest:
            _, gone = self.bad.popleft()
            self.failed -= gone & 1
            self.slow -= gone >> 1
        return min(self.seen, self.size), self.failed, self.slow

    # docs:end count-window

    def totals(self, now: int) -> Totals:
        return min(self.seen, self.size), self.failed, self.slow

    def clear(self) -> None:
        self.seen = self.failed = self.slow = 0
        self.bad: deque[tuple[int, int]] = deque()


class TimeWindow:
    """The calls of the last ``size`` seconds, in one bucket per second of completion time.

    At time ``T`` the window holds the buckets of seconds ``floor(T) - size + 1``
    through ``floor(T)``. The buckets live in a ring of ``size`` slots, each
    tagged with its second; the totals are those of the window at ``head``,
    the latest second seen. Moving ``head`` forward subtracts the buckets that
    fall out, at most ``size`` of them, so a call costs O(1) however long the
    breaker sat idle.

    Time is expected to move forward. If a clock does step back, a read at
    an earlier second is answered exactly by summing the buckets still kept,
    and a call older than the window at ``head`` is not counted (no window at
    or after ``head`` could hold it).
    """

    __slots__ = (
        "size",
        "_seconds",
        "_calls",
        "_failed",
        "_slow",
        "head",
        "calls",
        "failed",
        "slow",
    )

    def __init__(self, size: int) -> None:
        self.size = size
        self.clear()

    def clear(self) -> None:
        size = self.size
        self._seconds: list[int | None] = [None] * size
        self._calls = [0] * size
        self._failed = [0] * size
        self._slow = [0] * size
        self.head: int | None = None
        self.calls = self.failed = self.slow = 0

    # docs:start time-window
    def _advance(self, second: int) -> None:
        """Move the window's end to ``second``, dropping the buckets that fall out."""
        head = self.head
        if head is None or second - head >= self.size:
            self.clear()  # everything is older than the new window
        else:
            for s in range(head + 1, second + 1):
                slot = s % self.size  # this slot held second s - size, now out
                if self._seconds[slot] is not None:
                    self.calls -= self._calls[slot]
                    self.failed -= self._failed[slot]
                    self.slow -= self._slow[slot]
                    self._seconds[slot] = None
                    self._calls[slot] = self._failed[slot] = self._slow[slot] = 0
        self.head = second

    # docs:end time-window

    # docs:start time-window-record
    def record(self, now: int, failed: bool, slow: bool) -> Totals:
        second = now // NS_PER_SECOND
        if self.head is None or second > self.head:
            self._advance(second)
        elif second <= self.head - self.size:
            return self.totals(now)  # older than any window from now on
        slot = second % self.size
        self._seconds[slot] = second
        self._calls[slot] += 1
        self._failed[slot] += failed
        self._slow[slot] += slow
        self.calls += 1
        self.failed += failed
        self.slow += slow
        return self.totals(now)

    # docs:end time-window-record

    def totals(self, now: int) -> Totals:
        second = now // NS_PER_SECOND
        if self.head is None:
            return 0, 0, 0
        if second >= self.head:
            if second > self.head:
                self._advance(second)
            return self.calls, self.failed, self.slow
        # The clock stepped back: sum the buckets inside the window at `second`.
        calls = failed = slow = 0
        for slot, tag in enumerate(self._seconds):
            if tag is not None and second - self.size < tag <= second:
                calls += self._calls[slot]
                failed += self._failed[slot]
                slow += self._slow[slot]
        return calls, failed, slow
