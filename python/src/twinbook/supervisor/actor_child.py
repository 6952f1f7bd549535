"""An actor as a supervised child: :class:`ActorChild`.

Each run is a fresh actor from the factory (fresh state: restarting the same
object would keep the state that made it fail, which is what a restart is
meant to throw away). Terminating is a graceful stop with a grace period,
then an immediate one: OTP's ``shutdown`` timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twinbook.actor import Actor

from .child import Exited

__all__ = ["ActorChild"]


# docs:start actor-child
class ActorChild:
    """Supervise actors made by ``make``: one new :class:`~twinbook.actor.Actor`
    per run.

    ``grace`` is how long :meth:`terminate` lets the actor drain its mailbox
    before it is stopped at once (``0``: at once; ``None``: as long as it takes).
    """

    def __init__(
        self,
        make: Callable[[], Actor[Any]],
        *,
        grace: float | None = 5.0,
    ) -> None:
        self._make = make
        self._grace = grace
        self.actor: Actor[Any] | None = None
        """The current (or last) run's actor: send it messages through this."""

    async def start(self, exited: Exited) -> None:
        actor = self._make()
        self.actor = actor
        actor.add_exit_callback(exited)
        actor.start()

    async def terminate(self) -> None:
        actor = self.actor
        if actor is not None and not actor.done:
            await actor.stop(drain=self._grace != 0, timeout=self._grace)


# docs:end actor-child
