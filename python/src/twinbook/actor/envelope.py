"""What an actor's loop receives: :class:`Envelope`, the message and, for an ask, where to reply.

The Go twin is ``actor.Envelope``. Both flavours share it. The reply slot is a future: an :class:`asyncio.Future`
on asyncio, a :class:`concurrent.futures.Future` on threads; both have the same
``done``/``set_result``/``set_exception`` methods, which is all a message needs.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

__all__ = ["Envelope"]

M = TypeVar("M")


class _Reply(Protocol):
    def done(self) -> bool: ...
    def set_result(self, result: Any, /) -> None: ...
    def set_exception(self, exception: BaseException, /) -> None: ...


class Envelope(Generic[M]):
    """One message: :attr:`msg` is what was sent; :meth:`reply` answers it if it was an ask.

    Replying to a told message, or to an ask whose sender has given up
    (timed out), does nothing: the actor cannot know, and should not care,
    whether anyone still waits.
    """

    __slots__ = ("_reply", "msg")

    def __init__(self, msg: M, reply: _Reply | None = None) -> None:
        self.msg = msg
        self._reply = reply

    @property
    def is_ask(self) -> bool:
        """Whether a sender waits for a reply (an ask) or not (a tell)."""
        return self._reply is not None

    def reply(self, value: Any) -> None:
        """Answer the ask with ``value``."""
        reply = self._reply
        if reply is not None and not reply.done():
            try:
                reply.set_result(value)
            except Exception:  # the asker timed out in between (threads): nobody waits
                pass

    def fail(self, error: BaseException) -> None:
        """Answer the ask by raising ``error`` in the asker."""
        reply = self._reply
        if reply is not None and not reply.done():
            try:
                reply.set_exception(error)
            except Exception:
                pass

    def __repr__(self) -> str:
        return f"Envelope({self.msg!r}{', asked' if self.is_ask else ''})"
