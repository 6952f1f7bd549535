# wrong: a clock that steps back gives a negative elapsed time, which takes tokens out of the bucket
import threading


class Limiter:
    """A token bucket: up to `burst` tokens, refilled at `rate` tokens per second.

    Every allowed event spends one token. `clock` is a function returning the
    current time in seconds (time.monotonic in real life, a fake in tests).
    Safe to share between threads.
    """

    def __init__(self, rate, burst, clock):
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._tokens = float(burst)  # the bucket starts full
        self._last = clock()  # when _tokens was last brought up to date
        self._lock = threading.Lock()

    def allow(self):
        """Return True and spend a token if one is available now, else False."""
        with self._lock:
            now = self._clock()
            elapsed = now - self._last
            self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
            self._last = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True
