"""Chapter 3: actors, teammates in one process that share nothing and talk by messages.

The Go twin is package ``twinbook/actor`` (a goroutine and a channel). One
concern per module:

============  ======================================================================
module        what it holds
============  ======================================================================
actor         :class:`Actor` (asyncio: a task and a bounded mailbox), :class:`Inbox`
threaded      :class:`ThreadedActor` (the same on a thread), :class:`ThreadInbox`
mailbox       :class:`Mailbox` (capacity, overflow policy), :class:`Overflow`
message       :class:`Message`: what the actor's loop receives, and how it replies
errors        :class:`MailboxFull`, :class:`AskTimeout`, :class:`ActorStopped`
reason        :class:`Reason`: how an actor ended (normal, shutdown, crash)
============  ======================================================================

Two flavours, as in chapter 1, because the contrast is the lesson: on asyncio
a full mailbox or an ask suspends only the sending task; on threads it blocks
the sender's thread, and an immediate stop cannot interrupt the message in hand.
"""

from __future__ import annotations

from .actor import Actor, Behaviour, Inbox
from .errors import ActorStopped, AskTimeout, MailboxFull
from .mailbox import Mailbox, Overflow
from .message import Message
from .reason import Reason
from .threaded import ThreadedActor, ThreadInbox

__all__ = [
    "Actor",
    "ActorStopped",
    "AskTimeout",
    "Behaviour",
    "Inbox",
    "Mailbox",
    "MailboxFull",
    "Message",
    "Overflow",
    "Reason",
    "ThreadInbox",
    "ThreadedActor",
]
