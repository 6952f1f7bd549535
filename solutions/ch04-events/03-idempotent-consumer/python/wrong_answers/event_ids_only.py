# wrong: checks event ids only: a redelivered offset whose id has left the window is applied again
from collections import deque


class Consumer:
    """An idempotent consumer's bookkeeping: which records to apply, which to
    skip, and which offsets to commit.

    Kafka delivers at least once: after a crash or a rebalance, the records
    after the last committed offset come again, and a producer that retried a
    send may have written the same event twice, at two offsets. `handle` says
    whether to apply a record; `positions` says what to commit. One consumer
    loop calls it, record by record, in each partition's order.
    """

    def __init__(self, window):
        """Remember the ids of the last `window` events applied (window >= 1)."""
        if window < 1:
            raise ValueError(f"window must be at least 1, got {window!r}")
        self._window = window
        self._recent = deque()  # the ids of the events applied, oldest first
        self._next = {}  # partition -> the offset after the last one handled

    def handle(self, partition, offset, event_id):
        """True: apply this record now. False: skip it, it is a duplicate."""
        self._next[partition] = offset + 1
        if event_id in self._recent:
            return False  # the same event at a new offset: a producer's retry
        self._recent.append(event_id)
        if len(self._recent) > self._window:
            self._recent.popleft()
        return True

    def positions(self):
        """{partition: the offset to commit}: the one after the last handled."""
        return dict(self._next)
