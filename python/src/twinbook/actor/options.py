"""How big an actor's mailbox is and what a sender meets when it is full: :class:`Options`.

The Go twin is ``actor.Options`` in ``go/actor``. A mailbox is always
bounded: an unbounded one turns a slow actor into a memory leak, and the
sender never hears about it. When it is full the policy decides, and the
choice is the sender's experience of backpressure:

* :attr:`Overflow.BLOCK`: the sender waits for room, up to ``block_timeout``
  seconds, then gets :class:`~.errors.MailboxFull` (a deadline, so that a
  stuck actor cannot hang its senders forever);
* :attr:`Overflow.FAIL_FAST`: the sender gets :class:`~.errors.MailboxFull`
  at once, and chooses what to do itself (shed load, answer "busy").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Options", "Overflow"]


# docs:start overflow
class Overflow(StrEnum):
    """What a sender meets when the mailbox is full."""

    BLOCK = "block"
    """Wait for room, up to the mailbox's ``block_timeout``."""
    FAIL_FAST = "fail_fast"
    """Raise :class:`~.errors.MailboxFull` at once."""


@dataclass(frozen=True)
class Options:
    """A mailbox's size and overflow policy; the same options for both actor flavours.

    ``block_timeout`` is in seconds; ``None`` waits for as long as it takes
    (only sensible when the actor is known to keep up).
    """

    capacity: int = 1000
    overflow: Overflow = Overflow.BLOCK
    block_timeout: float | None = 5.0
    # docs:end overflow

    def __post_init__(self) -> None:
        if type(self.capacity) is not int or self.capacity < 1:
            raise ValueError(f"capacity must be an integer of at least 1, got {self.capacity!r}")
        if not isinstance(self.overflow, Overflow):
            raise ValueError(f"overflow must be an Overflow, got {self.overflow!r}")
        if self.block_timeout is not None and not self.block_timeout >= 0:
            raise ValueError(f"block_timeout must be >= 0 or None, got {self.block_timeout!r}")
