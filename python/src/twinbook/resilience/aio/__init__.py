"""Chapter 2's policies on asyncio, where one is tied to the event loop: the same names as one level up.

Only the bulkhead needs a twin: its semaphore belongs to one event loop.
:class:`Retry`, :class:`Timeout`, :class:`Fallback` and the breaker keep no
thread- or loop-bound state, so one object serves both flavours, with a
``call`` and a ``call_async`` (see the book's conventions appendix).
"""

from __future__ import annotations

from .bulkhead import Bulkhead

__all__ = ["Bulkhead"]
