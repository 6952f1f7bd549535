# wrong: any result in half_open decides, even one that arrives before the trial call was allowed
import threading
from collections import deque


class Breaker:
    """A circuit breaker that judges the last `window_size` calls.

    closed:    every call is allowed; each result goes into the window. Once the window
               holds min(minimum_calls, window_size) calls and the failure rate (percent)
               is >= failure_rate_threshold, the breaker opens.
    open:      no call is allowed; exactly wait_in_open_ms after it opened it is half_open.
    half_open: one trial call at a time; its success closes the breaker, its failure opens
               it again (and the wait starts again).
    Every transition empties the window and calls on_transition(from_state, to_state).
    `clock()` returns the time in milliseconds. Safe to share between threads.
    """

    def __init__(
        self,
        window_size,
        minimum_calls,
        failure_rate_threshold,
        wait_in_open_ms,
        clock,
        on_transition=None,
    ):
        self._minimum = min(minimum_calls, window_size)  # a window never holds more
        self._threshold = failure_rate_threshold
        self._wait = wait_in_open_ms
        self._clock = clock
        self._on_transition = on_transition
        self._lock = threading.Lock()
        self._state = "closed"
        self._opened_at = 0
        self._window = deque(maxlen=window_size)  # True = failed; the oldest falls out
        self._probing = False  # half_open: the trial call is out

    def state(self):
        """The state now: "closed", "open" or "half_open"."""
        with self._lock:
            self._advance()
            return self._state

    def allow(self):
        """Whether a call may go ahead now (in half_open: only the one trial call)."""
        with self._lock:
            self._advance()
            if self._state == "closed":
                return True
            if self._state == "half_open" and not self._probing:
                self._probing = True
                return True
            return False

    def record(self, failed):
        """The result of a call that allow() let through: failed is True or False."""
        with self._lock:
            self._advance()
            if self._state == "closed":
                self._window.append(failed)
                calls = len(self._window)
                if calls >= self._minimum and sum(self._window) * 100 / calls >= self._threshold:
                    self._transition("open")
            elif self._state == "half_open":
                self._transition("open" if failed else "closed")

    def metrics(self):
        """{"calls": n, "failed": n, "failure_rate": percent, or -1 below the minimum}."""
        with self._lock:
            self._advance()
            calls, failed = len(self._window), sum(self._window)
            rate = failed * 100 / calls if calls and calls >= self._minimum else -1
            return {"calls": calls, "failed": failed, "failure_rate": rate}

    def _advance(self):
        """open -> half_open once wait_in_open_ms have passed (called with the lock held)."""
        if self._state == "open" and self._clock() >= self._opened_at + self._wait:
            self._transition("half_open")

    def _transition(self, to):
        """Go to state `to` with an empty window and report it (called with the lock held)."""
        before, self._state = self._state, to
        self._window.clear()
        self._probing = False
        if to == "open":
            self._opened_at = self._clock()
        if self._on_transition is not None:
            self._on_transition(before, to)
