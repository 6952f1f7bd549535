"""The breaker's middleware for asyncio clients, under the same names as one level up.

The breaker itself serves threads and tasks alike (its state belongs to
neither), but a client transport or interceptor belongs to its client's
world: :mod:`.httpx_transport` for ``httpx.AsyncClient``, :mod:`.grpc_interceptor`
for ``grpc.aio`` channels. They are imported on demand (``from
twinbook.breaker.aio import httpx_transport``), so importing the breaker
imports neither httpx nor grpc.
"""
