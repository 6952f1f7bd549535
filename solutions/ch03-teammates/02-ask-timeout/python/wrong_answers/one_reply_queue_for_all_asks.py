# wrong: all asks read their replies from one shared queue, so a late reply is read by the next ask
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
        self._inbox = asyncio.Queue()  # messages, oldest first
        self._replies = asyncio.Queue()  # every reply, for whoever asks next
        self._waiting = set()  # the reply futures of the asks still waiting
        self._task = None
        self._stopped = False

    def start(self):
        """Start the actor's loop as a task of the running event loop."""
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self):
        while True:
            msg = await self._inbox.get()
            await self._replies.put(await self._handler(msg))

    async def ask(self, msg, timeout):
        """Send msg and wait for its reply, at most ``timeout`` seconds (then AskTimeout)."""
        if self._stopped:
            raise ActorStopped("ask: the actor is stopped")
        self._inbox.put_nowait(msg)
        try:
            async with asyncio.timeout(timeout):
                return await self._replies.get()
        except TimeoutError:
            raise AskTimeout(f"ask {msg!r}: no reply within {timeout}s") from None

    async def stop(self):
        """Stop the loop, even in the middle of a message, and wait until its task has ended;
        every ask still waiting, and every later one, raises ActorStopped."""
        self._stopped = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])
