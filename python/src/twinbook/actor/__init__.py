"""Chapter 3: actors, teammates in one process that share nothing and talk by messages.

The Go twin is package ``twinbook/actor`` (a goroutine and a channel), with
the same names: ``Options``, ``Overflow``, ``Mailbox``, ``Envelope`` (``msg``,
``reply``, ``fail``, ``is_ask``), ``Reason``. One concern per module:

============  ======================================================================
module        what it holds
============  ======================================================================
actor         :class:`Actor` (asyncio: a task and a bounded mailbox), :data:`Behaviour`
mailbox       :class:`Mailbox`: the asyncio actor's side of its mailbox
threaded      :class:`ThreadedActor` (the same on a thread), :class:`ThreadMailbox`
options       :class:`Options` (capacity, overflow policy, deadline), :class:`Overflow`
envelope      :class:`Envelope`: what the actor's loop receives, and how it replies
errors        :class:`MailboxFull`, :class:`AskTimeout`, :class:`ActorStopped`
reason        :class:`Reason`: how an actor ended (normal, shutdown, crash)
============  ======================================================================

Two flavours, as in chapter 1, because the contrast is the lesson: on asyncio
a full mailbox or an ask suspends only the sending task; on threads it blocks
the sender's thread, and an immediate stop cannot interrupt the message in hand.
"""

from __future__ import annotations

from .actor import Actor, Behaviour
from .envelope import Envelope
from .errors import ActorStopped, AskTimeout, MailboxFull
from .mailbox import Mailbox
from .options import Options, Overflow
from .reason import Reason
from .threaded import ThreadedActor, ThreadMailbox

__all__ = [
    "Actor",
    "ActorStopped",
    "AskTimeout",
    "Behaviour",
    "Envelope",
    "Mailbox",
    "MailboxFull",
    "Options",
    "Overflow",
    "Reason",
    "ThreadMailbox",
    "ThreadedActor",
]
