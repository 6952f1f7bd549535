"""What a supervisor needs of anything it supervises: the :class:`Child` protocol.

The Go twin is the ``Child`` interface in ``go/supervisor``. Three verbs, and
nothing about *what* the child is, so that an actor, a nested supervisor and
an operating-system process are supervised by the same code:

* ``start(exited)``: begin a new run. ``exited(reason)`` is to be called once
  when that run ends, whichever way it ends, from any thread;
* ``terminate()``: end the current run (reason ``shutdown``) and return only
  once it has ended, so that "terminated in reverse start order" is true of
  the real children, not only of the log; a no-op if it has already ended.

A child object is a *slot*, started again after each end: the supervisor
tells one run's ``exited`` from the next one's, so a late word from a run it
has already replaced is ignored.

Go's ``Child`` is shaped differently on purpose: it is one *run*, made by a
``StartFunc``, with a ``Done`` channel. Go learns of an end from a channel, and
a value per run makes a late end of a replaced run harmless by identity;
asyncio learns of an end from a callback (from any thread, through
``call_soon_threadsafe``), and a slot holds what callers reach across restarts
(the current actor, the current process). The same concepts, in pairs: Go's
``StartFunc`` is :meth:`Child.start`, a Go ``Child`` is one run of a Python
child, ``ActorWorker`` is :class:`~.actor_child.ActorChild`, ``ProcessSpec``
with its ``Start`` is :class:`~.process.ProcessChild`, and ``Process`` is
:class:`~.process.Process` (one started process) in both. Aligning the shapes
would rewrite one runtime for no change in behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .spec import Reason

__all__ = ["Child", "Exited"]

# docs:start child
Exited = Callable[[Reason], None]
"""How a child reports the end of a run: with the reason it ended."""


class Child(Protocol):
    """Anything a :class:`~.supervisor.Supervisor` can start, terminate and hear
    the end of."""

    async def start(self, exited: Exited) -> None:
        """Start a new run; call ``exited(reason)`` once when it ends. Raising
        means it crashed."""
        ...

    async def terminate(self) -> None:
        """End the current run and return once it has ended; nothing if it has
        already ended."""
        ...


# docs:end child
