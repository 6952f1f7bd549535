"""An asyncio actor's mailbox, the actor's side of it: :class:`Mailbox`.

The Go twin is ``actor.Mailbox`` in ``go/actor/mailbox.go``. A small bounded
queue of its own rather than :class:`asyncio.Queue`, because a mailbox must be
*closed* (Python 3.11's queue cannot be): closing wakes the receiver once the
queue is empty, and every sender still waiting for room with
:class:`~.errors.ActorStopped`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

from .envelope import Envelope
from .errors import ActorStopped, MailboxFull
from .options import Options, Overflow

__all__ = ["Mailbox"]

M = TypeVar("M")


class Mailbox(Generic[M]):
    """A bounded FIFO of envelopes: ``async for envelope in mailbox`` until it is closed and empty."""

    def __init__(self, options: Options) -> None:
        self._options = options
        self._capacity = options.capacity  # read on every send: one attribute, not two
        self._loop: asyncio.AbstractEventLoop | None = None  # the receiver's, once it waits
        self._items: deque[Envelope[M]] = deque()
        self._getter: asyncio.Future[None] | None = None
        self._putters: deque[asyncio.Future[None]] = deque()
        self._closed = False

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        """Whether the mailbox has stopped taking messages (the actor is stopping or has ended)."""
        return self._closed

    def __aiter__(self) -> AsyncIterator[Envelope[M]]:
        return self

    async def __anext__(self) -> Envelope[M]:
        # receive()'s msg once more, inline: one coroutine per message instead of two
        # (this is the hot path of every actor); the loop is looked up once, not per wait
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            loop = self._loop
            if loop is None:
                loop = self._loop = asyncio.get_running_loop()
            self._getter = loop.create_future()
            try:
                await self._getter
            finally:
                self._getter = None
        item = self._items.popleft()
        if self._putters:
            self._wake_putter()
        return item

    async def receive(self) -> Envelope[M] | None:
        """The next message, in the order sent; ``None`` once closed and empty."""
        while not self._items:
            if self._closed:
                return None
            self._getter = asyncio.get_running_loop().create_future()
            try:
                await self._getter
            finally:
                self._getter = None
        item = self._items.popleft()
        if self._putters:
            self._wake_putter()
        return item

    def _wake_putter(self) -> None:
        while self._putters:  # room for one more: wake the longest-waiting sender
            putter = self._putters.popleft()
            if not putter.done():
                putter.set_result(None)
                break

    def put_nowait(self, envelope: Envelope[M]) -> bool:
        """Queue ``envelope`` if there is room (``False`` if not); raise if closed."""
        if self._closed:
            raise ActorStopped("the actor is not taking messages")
        if len(self._items) >= self._capacity:
            return False
        self._items.append(envelope)
        getter = self._getter
        if getter is not None and not getter.done():
            getter.set_result(None)
        return True

    # docs:start send
    async def put(self, envelope: Envelope[M]) -> None:
        """Queue ``envelope`` by the overflow policy: wait for room up to the deadline,
        or fail."""
        if self.put_nowait(envelope):
            return
        options = self._options
        if options.overflow is Overflow.FAIL_FAST:
            raise MailboxFull(f"mailbox full ({options.capacity} messages)")
        loop = asyncio.get_running_loop()
        deadline = None
        if options.block_timeout is not None:
            deadline = loop.time() + options.block_timeout
        while True:
            putter = loop.create_future()
            self._putters.append(putter)
            try:
                async with asyncio.timeout_at(deadline):
                    await putter
            except TimeoutError:
                waited = options.block_timeout
                raise MailboxFull(
                    f"mailbox full ({options.capacity} messages) for {waited}s"
                ) from None
            finally:
                if putter in self._putters:
                    self._putters.remove(putter)
            if self.put_nowait(envelope):
                return

    # docs:end send

    def close(self) -> None:
        """Take no more messages; wake the receiver and the waiting senders."""
        self._closed = True
        if self._getter is not None and not self._getter.done():
            self._getter.set_result(None)
        while self._putters:
            putter = self._putters.popleft()
            if not putter.done():
                putter.set_exception(ActorStopped("the actor stopped while the sender waited"))

    def clear(self) -> list[Envelope[M]]:
        """Remove and return every queued message (an immediate stop answers them)."""
        items = list(self._items)
        self._items.clear()
        return items
