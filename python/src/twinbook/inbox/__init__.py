"""Chapter 5's deduplicating consumer: each message's effect applied once.

Kafka and the outbox relay deliver at least once, so a consumer sees some messages twice.
The inbox records each message id in the same transaction as the message's effect, under
a unique key (consumer, message id), so a redelivered message finds its id taken and
changes nothing. Recording the id in another transaction than the effect would not do: a
crash between the two either loses the effect (id first) or applies it twice (effect
first). The Go twin is ``go/inbox``.

    inbox = Inbox(store, "payments")
    inbox.process(message_id, lambda tx: tx.execute("UPDATE ...", (...)))
"""

from __future__ import annotations

from .inbox import Inbox, InboxError, handle, migrate, seen

__all__ = ["Inbox", "InboxError", "handle", "migrate", "seen"]
