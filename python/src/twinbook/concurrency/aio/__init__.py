"""Chapter 1 on asyncio: the same modules and names as :mod:`twinbook.concurrency`, for tasks.

``twinbook.concurrency.pool.ordered`` runs on threads;
``twinbook.concurrency.aio.pool.ordered`` awaits on the event loop. Every
module here has its threads twin one package up, with the same names, and
every name that waits is a coroutine here: the standard library's own rule
for ``threading.Lock`` / ``asyncio.Lock`` and ``queue.Queue`` / ``asyncio.Queue``.
Import the module, not the names: ``from twinbook.concurrency.aio import pool``.
"""
