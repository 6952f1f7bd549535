"""Chapter 1 on asyncio: the same modules and names as :mod:`twinbook.concurrency`, for tasks.

``twinbook.concurrency.pool.ordered`` runs on threads;
``twinbook.concurrency.aio.pool.ordered`` awaits on the event loop. Every
module here has its threads twin one package up, with the same names, and
every name that waits is a coroutine here: the standard library's own rule
for ``threading.Lock`` / ``asyncio.Lock`` and ``queue.Queue`` / ``asyncio.Queue``.
Refer to names through their module: ``aio.pool.ordered``, after
``from twinbook.concurrency import aio``.
"""

from __future__ import annotations

from . import channel, fanout, group, pipeline, pool

__all__ = ["channel", "fanout", "group", "pipeline", "pool"]
