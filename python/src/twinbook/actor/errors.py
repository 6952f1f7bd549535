"""What can go wrong when talking to an actor, as exceptions a sender can catch one by one."""

from __future__ import annotations

from .reason import Reason

__all__ = ["ActorStopped", "AskTimeout", "MailboxFull"]


class MailboxFull(Exception):
    """The mailbox had no room: at once (``FAIL_FAST``) or by the sender's deadline (``BLOCK``).

    Backpressure made visible: the sender learns that the actor is behind and
    decides (drop, retry later, slow down) instead of the mailbox growing
    without bound until memory runs out.
    """


class AskTimeout(TimeoutError):
    """No reply came within the ask's timeout.

    A :class:`TimeoutError`, so code that already handles timeouts handles
    this one; the message may still be processed later, its reply is dropped.
    """


class ActorStopped(Exception):
    """The actor has stopped (or is stopping) and will not take or answer this message.

    :attr:`reason` is how it ended, once it has; a crash keeps the exception
    as this error's ``__cause__``.
    """

    def __init__(self, message: str, reason: Reason | None = None) -> None:
        super().__init__(message)
        self.reason = reason
