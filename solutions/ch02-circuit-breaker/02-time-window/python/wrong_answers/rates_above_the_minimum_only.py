# wrong: rates are evaluated only above minimum_calls, not from it on
class TimeWindow:
    """The calls recorded in the last `size_s` seconds, kept in one bucket per second.

    A call recorded at `at_ms` belongs to the second floor(at_ms / 1000). At time T the window
    holds the seconds floor(T/1000) - size_s + 1 through floor(T/1000): older calls have left.
    Memory stays at `size_s` buckets however many calls are recorded. Times passed to
    record() and metrics() never go backwards. (The breaker that owns the window holds its
    lock while calling it, so the window needs no lock of its own.)
    """

    def __init__(self, size_s, minimum_calls):
        self._size = size_s
        self._minimum = minimum_calls
        # one slot per second of the window: [second, calls, failed, slow]; the slot of
        # second s is s % size_s, and a slot still holding an older second is stale
        self._buckets = [[None, 0, 0, 0] for _ in range(size_s)]

    def record(self, at_ms, failed, slow):
        """Count one call that completed at `at_ms` (failed and slow are booleans)."""
        second = at_ms // 1000
        bucket = self._buckets[second % self._size]
        if bucket[0] != second:  # the slot held a second that has left the window: reuse it
            bucket[:] = [second, 0, 0, 0]
        bucket[1] += 1
        bucket[2] += bool(failed)
        bucket[3] += bool(slow)

    def metrics(self, at_ms):
        """{"calls", "failed", "slow", "failure_rate", "slow_call_rate"} of the window at
        `at_ms`; the rates are percents, -1 while it holds fewer than minimum_calls calls."""
        newest = at_ms // 1000
        oldest = newest - self._size + 1
        calls = failed = slow = 0
        for second, c, f, s in self._buckets:
            if second is not None and oldest <= second <= newest:
                calls, failed, slow = calls + c, failed + f, slow + s
        if calls > self._minimum:
            failure_rate, slow_call_rate = failed * 100 / calls, slow * 100 / calls
        else:
            failure_rate = slow_call_rate = -1
        return {
            "calls": calls,
            "failed": failed,
            "slow": slow,
            "failure_rate": failure_rate,
            "slow_call_rate": slow_call_rate,
        }

    def clear(self):
        """Forget every call (the breaker calls this on every transition)."""
        for bucket in self._buckets:
            bucket[:] = [None, 0, 0, 0]
