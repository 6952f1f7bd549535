"""Generated gRPC stubs (``make proto`` writes them from proto/; do not edit).

``twinbook._proto.flaky.v1`` holds ``flaky_pb2`` (messages), ``flaky_pb2_grpc``
(the ``Flaky`` service's stub and servicer) and ``flaky_pb2.pyi`` (types), made
by the same ``grpc_tools.protoc`` call as the Go stubs in go/internal/flakypb.
"""
