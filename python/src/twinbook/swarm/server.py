"""A gRPC server with the standard health service and reflection, as every swarm server has.

Health is what supervisors and load balancers ask; reflection is what lets grpcurl
list and call the services without the ``.proto`` files. grpcio's reflection
serves only ``grpc.reflection.v1alpha`` (gRPC-Go serves v1 and v1alpha); grpcurl
asks for v1 first and falls back to v1alpha, so it works against both.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

__all__ = ["new_server"]


def new_server(
    register: Callable[[grpc.Server], None], *services: str, max_workers: int = 64
) -> tuple[grpc.Server, ThreadPoolExecutor]:
    """A server with ``register``'s services, health (each of ``services`` and "" SERVING)
    and reflection; shut the executor down after stopping the server."""
    executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="swarm-grpc")
    server = grpc.server(executor)
    register(server)
    status = health.HealthServicer()
    for name in ("", *services):
        status.set(name, health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(status, server)
    reflection.enable_server_reflection(
        (*services, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    return server, executor
