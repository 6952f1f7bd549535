"""Where the library reads the time and waits for it to pass: one clock for every chapter.

The breaker (chapter 2) asks what time it is; the rate limiter (chapter 1)
also sleeps until a token is due; the chapters to come do both. All of them
take a :class:`Clock` argument for one reason: tests. With a
:class:`ManualClock`, time moves only when the test calls
:meth:`ManualClock.advance`, so a test of "the sixth call waits 100 ms" or
"the breaker half-opens after 5 s" takes no time and cannot flake.

The Go twin is package ``twinbook/clock`` (``clock.Clock``, ``clock.System``,
``clock.Manual``). A clock is shared by threads and tasks alike, so it
follows the library's rule for objects tied to neither (see the book's
conventions appendix): one class, whose waiting method comes as ``sleep``
for a thread and ``sleep_async`` for a task, each also in whole nanoseconds
(``sleep_ns``, ``sleep_ns_async``, like Go's ``After(d)``) for a deadline that
must not move by a float's last bit (the limiter's).

============  ==================================================================
module        what it holds
============  ==================================================================
clock         :class:`Clock` (the protocol), :data:`POLL_INTERVAL`
system        :class:`SystemClock`, :func:`nanoseconds`
manual        :class:`ManualClock`
============  ==================================================================
"""

from __future__ import annotations

from .clock import POLL_INTERVAL, Clock
from .manual import ManualClock
from .system import SystemClock, nanoseconds

__all__ = ["POLL_INTERVAL", "Clock", "ManualClock", "SystemClock", "nanoseconds"]
