package swarm

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// NewServer returns a gRPC server with the standard health service and
// server reflection registered, as every server of the swarm has: register
// adds the server's own services, and services names them for health, which
// reports each of them, and the server as a whole (""), as SERVING.
// Reflection is what lets grpcurl list and call the services without the
// .proto files; health is what load balancers and supervisors ask.
func NewServer(register func(*grpc.Server), services ...string) *grpc.Server {
	srv := grpc.NewServer()
	register(srv)
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	for _, name := range services {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	healthpb.RegisterHealthServer(srv, hs)
	reflection.Register(srv)
	return srv
}
