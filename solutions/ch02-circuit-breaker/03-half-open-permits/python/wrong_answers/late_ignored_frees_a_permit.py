# wrong: an ignored result gives a permit back before the generation check, even one granted before the transition
import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    """What acquire() hands out and complete() takes back: `generation` tells which
    state of the breaker granted it (the breaker counts its transitions)."""

    generation: int


class Breaker:
    """A count-window circuit breaker with two-step calls and half-open permits.

    acquire() asks for permission (None: rejected); complete(permission, outcome) reports
    how the call ended: "success", "failure" or "ignored".
    closed:    every call is permitted; results go into the window of the last window_size
               calls; from min(minimum_calls, window_size) calls on, a failure rate
               >= failure_rate_threshold opens the breaker.
    open:      nothing is permitted; exactly wait_in_open_ms after it opened it is half_open.
    half_open: up to half_open_permitted_calls calls, counting those still in flight; once
               that many results are recorded their failure rate decides: >= threshold opens
               again, else it closes.
    "ignored" records nothing (in half_open its permit is free again). A result whose
    permission was granted before the latest transition is discarded. Every transition
    empties the window and calls on_transition(from_state, to_state). `clock()` returns
    milliseconds. Safe to share between threads.
    """

    def __init__(
        self,
        window_size,
        minimum_calls,
        failure_rate_threshold,
        wait_in_open_ms,
        half_open_permitted_calls,
        clock,
        on_transition=None,
    ):
        self._minimum = min(minimum_calls, window_size)
        self._threshold = failure_rate_threshold
        self._wait = wait_in_open_ms
        self._permits = half_open_permitted_calls
        self._clock = clock
        self._on_transition = on_transition
        self._lock = threading.Lock()
        self._state = "closed"
        self._generation = 0  # bumped by every transition
        self._opened_at = 0
        self._window = deque(maxlen=window_size)  # closed: the last results, True = failed
        self._trial = []  # half_open: the results recorded since it began
        self._in_flight = 0  # half_open: permits granted and not completed

    def state(self):
        """The state now: "closed", "open" or "half_open"."""
        with self._lock:
            self._advance()
            return self._state

    def acquire(self):
        """A Permission if a call may go ahead now, else None."""
        with self._lock:
            self._advance()
            if self._state == "half_open":
                if self._in_flight + len(self._trial) >= self._permits:
                    return None
                self._in_flight += 1
            elif self._state != "closed":
                return None
            return Permission(self._generation)

    def complete(self, permission, outcome):
        """Report how the call of `permission` ended: "success", "failure" or "ignored"."""
        with self._lock:
            self._advance()
            if self._state == "half_open":
                self._in_flight -= 1  # recorded or ignored, it is no longer in flight
            if permission.generation != self._generation:
                return  # granted before the latest transition: a late result, discarded
            if outcome == "ignored":
                return
            failed = outcome == "failure"
            if self._state == "closed":
                self._window.append(failed)
                if _rate(self._window, self._minimum) >= self._threshold:
                    self._transition("open")
            elif self._state == "half_open":
                self._trial.append(failed)
                if len(self._trial) == self._permits:
                    reopen = _rate(self._trial, self._permits) >= self._threshold
                    self._transition("open" if reopen else "closed")

    def metrics(self):
        """{"calls", "failed", "failure_rate"} of the current window (closed: the last calls,
        half_open: its results so far, open: empty); the rate is -1 below the minimum."""
        with self._lock:
            self._advance()
            results, minimum = (
                (self._trial, self._permits)
                if self._state == "half_open"
                else (self._window, self._minimum)
            )
            return {
                "calls": len(results),
                "failed": sum(results),
                "failure_rate": _rate(results, minimum),
            }

    def _advance(self):
        """open -> half_open once wait_in_open_ms have passed (the lock is held)."""
        if self._state == "open" and self._clock() >= self._opened_at + self._wait:
            self._transition("half_open")

    def _transition(self, to):
        """Go to state `to`: a new generation, an empty window; report it (the lock is held)."""
        before, self._state = self._state, to
        self._generation += 1
        self._window.clear()
        self._trial = []
        self._in_flight = 0
        if to == "open":
            self._opened_at = self._clock()
        if self._on_transition is not None:
            self._on_transition(before, to)


def _rate(results, minimum):
    """The failure rate of `results` (True = failed) in percent, -1 below `minimum`."""
    if not results or len(results) < minimum:
        return -1
    return sum(results) * 100 / len(results)
