# wrong: doubles once too often: the first wait is 2 x base instead of base
class BreakerOpen(Exception):
    """What breaker.call(fn) raises when the circuit breaker rejects the call."""

    def __init__(self, retry_after_ms):
        super().__init__(f"circuit breaker open: retry after {retry_after_ms} ms")
        self.retry_after_ms = retry_after_ms


class RetryCancelled(Exception):
    """What retry() raises when its caller gave up (the caller set its `stop` event); the
    last attempt's exception, if there was one, is its cause (raise ... from ...)."""


def backoff_ms(failures, base_delay_ms, max_delay_ms, rand):
    """How long to wait after the `failures`-th failed attempt (1, 2, ...): "full jitter",
    a random share of an exponential cap, int(rand() * min(max_delay_ms,
    base_delay_ms * 2 ** (failures - 1))). `rand()` returns a float in [0, 1)."""
    cap = min(max_delay_ms, base_delay_ms * 2**failures)
    return int(rand() * cap)


def retry(
    fn, breaker, *, attempts, base_delay_ms, max_delay_ms, sleep, rand, retryable=None, stop=None
):
    """Call breaker.call(fn) up to `attempts` times; return the value of the first success.

    After the n-th failed attempt, sleep(backoff_ms(n, ...)) before the next one. A
    BreakerOpen rejection is an attempt too, and the wait after it is at least its
    retry_after_ms (asking an open breaker again sooner is pointless). An exception from fn
    for which retryable(exc) is False (retryable None: every exception is retryable) is
    raised at once; after the last attempt its exception (BreakerOpen included) is raised.
    attempts < 1 raises ValueError. `stop` is the caller's threading.Event (None: it never
    gives up): once it is set, retry makes no further attempt and raises RetryCancelled from
    the last attempt's exception.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    last = None  # the last attempt's exception: the cause of a RetryCancelled
    for attempt in range(1, attempts + 1):
        if stop is not None and stop.is_set():  # the caller gave up: no more attempts
            raise RetryCancelled("retry: the caller gave up") from last
        try:
            return breaker.call(fn)
        except BreakerOpen as exc:
            if attempt == attempts:
                raise
            last = exc
            delay = max(backoff_ms(attempt, base_delay_ms, max_delay_ms, rand), exc.retry_after_ms)
        except Exception as exc:
            if attempt == attempts or (retryable is not None and not retryable(exc)):
                raise
            last = exc
            delay = backoff_ms(attempt, base_delay_ms, max_delay_ms, rand)
        sleep(delay)
