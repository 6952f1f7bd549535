# wrong: each ask handles its message in a task of its own instead of the actor's one loop, so messages are handled at the same time and out of order
import asyncio


class AskTimeout(TimeoutError):
    """No reply came within the ask's timeout. The message may still be handled later; its
    reply is then dropped."""


class ActorStopped(Exception):
    """The actor has stopped: it will not answer this ask."""


class Actor:
    """An actor on asyncio: one task takes the asks from its inbox, in the order they came,
    and answers each with ``await handler(msg)``, one at a time.

    ``start()`` it in a running event loop; ``ask`` it from any task of that loop; ``stop``
    it when done.
    """

    def __init__(self, handler):
        self._handler = handler
        self._inbox = asyncio.Queue()  # (msg, reply future) pairs, oldest first
        self._waiting = set()  # the reply futures of the asks still waiting
        self._task = None
        self._stopped = False

    def start(self):
        """Start the actor's loop as a task of the running event loop."""
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self):
        while True:
            msg, reply = await self._inbox.get()
            answer = await self._handler(msg)  # handled even if the asker gave up
            if not reply.done():  # the asker gave up: its reply is dropped
                reply.set_result(answer)

    async def ask(self, msg, timeout):
        """Send msg and wait for its reply, at most ``timeout`` seconds (then AskTimeout)."""
        if self._stopped:
            raise ActorStopped("ask: the actor is stopped")
        reply = asyncio.get_running_loop().create_future()  # this ask's own reply
        self._waiting.add(reply)
        asyncio.get_running_loop().create_task(self._handle(msg, reply))
        try:
            async with asyncio.timeout(timeout):
                return await reply
        except TimeoutError:
            raise AskTimeout(f"ask {msg!r}: no reply within {timeout}s") from None
        finally:
            self._waiting.discard(reply)

    async def _handle(self, msg, reply):
        answer = await self._handler(msg)
        if not reply.done():
            reply.set_result(answer)

    async def stop(self):
        """Stop the loop, even in the middle of a message, and wait until its task has ended;
        every ask still waiting, and every later one, raises ActorStopped."""
        self._stopped = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])
        for reply in self._waiting:
            if not reply.done():
                reply.set_exception(ActorStopped("ask: the actor stopped before it replied"))
