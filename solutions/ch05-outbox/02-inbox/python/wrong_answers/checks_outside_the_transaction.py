# wrong: looks for the id before the transaction: two consumers that get the message at once both find it new and both apply it
PREFIX = "inbox:"  # the inbox's rows: "inbox:<message id>" -> when it was applied (ms)


class Inbox:
    """A deduplicating consumer: it applies each message's effect once.

    A broker delivers at least once, so a message can come twice, and two
    consumers can get the same message at once. The inbox records each applied
    message id in the same transaction as the message's effect: either both
    are committed or neither is. `rows` is the database (a dict) and
    `transaction()` a context manager: one writer at a time, and everything
    written inside is rolled back when the block raises. Many threads call it.
    """

    def __init__(self, rows, transaction, retention_ms):
        """The inbox of the database `rows`; it remembers ids retention_ms."""
        self._rows = rows
        self._transaction = transaction
        self._retention_ms = retention_ms

    def deliver(self, now, message_id, effect):
        """Apply `effect(rows)` unless message_id was applied: True if applied now."""
        if not message_id:
            raise ValueError("a message needs an id")
        key = PREFIX + message_id
        if key in self._rows:
            return False
        with self._transaction():
            effect(self._rows)  # raises: nothing of this delivery is committed
            self._rows[key] = now
        return True

    def prune(self, now):
        """Forget the ids applied retention_ms ago or earlier; return how many."""
        with self._transaction():
            old = [
                key
                for key, at in self._rows.items()
                if key.startswith(PREFIX) and now - at >= self._retention_ms
            ]
            for key in old:
                del self._rows[key]
        return len(old)
