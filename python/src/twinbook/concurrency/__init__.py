"""Chapter 1: concurrency, twice over.

Every idea in the Go package ``twinbook/concurrency`` appears here under the
same name, in two flavours, because the contrast is the lesson:

========================  ===========================  ================================
concept                   threads                      asyncio
========================  ===========================  ================================
worker pool               :mod:`.pool`                 :mod:`.aio.pool`
pipeline, backpressure    :mod:`.pipeline`             :mod:`.aio.pipeline`
fan-out / fan-in          :mod:`.fanout`               :mod:`.aio.fanout`
structured concurrency    :mod:`.group`                :mod:`.aio.group`
channel with close        :mod:`.channel`              :mod:`.aio.channel`
rate limiting             :mod:`.ratelimit` (``Limiter.wait`` and ``Limiter.wait_async``)
========================  ===========================  ================================

Cancellation is the main difference. A thread cannot be interrupted, so the
threads flavour passes a :class:`threading.Event` around, exactly where Go
passes a ``context.Context``, and work checks it between steps. An asyncio task
*can* be interrupted at any ``await``, so the asyncio flavour takes no cancel
argument at all: cancelling the task that awaits is the whole API.

The flavours share names on purpose (``pool.ordered`` and ``aio.pool.ordered``),
so import the module, not the names: ``from twinbook.concurrency import pool``
or ``from twinbook.concurrency.aio import pool``. The limiter is one class for
both, because its state (a number under a lock) belongs to no thread and no
event loop; its waiting method comes twice, ``wait`` and ``wait_async``. The
rule, and why, is the book's conventions appendix.
"""
