// Package swarm is chapter 3's out-of-process swarm: a [Coordinator] that
// hands tasks to worker processes over one bidirectional gRPC stream per
// worker (proto/swarm/v1/swarm.proto), and the [Worker] that runs them. The
// Python twin is twinbook.swarm, with the same names, the same flags and the
// same event log, so that a Go coordinator drives Python workers and the
// other way round.
//
// One concern per file:
//
//	coordinator.go  the Coordinator service: queue, credits, leases, Submit
//	worker.go       the Worker: Hello, credits, heartbeats, tasks under deadlines
//	kinds.go        the task kinds: square, sleep, flaky
//	flaky.go        a flaky.v1 server that records how each call ended
//	server.go       a gRPC server with health and reflection, as every server has
//	events.go       the event log (JSON lines) that tests and people read
//	launch.go       the coordinator's process supervisor: N worker processes under the
//	                chapter's supervisor rules (go/supervisor's ProcessSpec, the one launcher)
//
// Why credits: a worker says how many tasks it can take, and the coordinator
// never sends more, so a slow worker is never buried under a backlog it
// cannot refuse (the stream's own flow control would only stop bytes, not
// work). Why leases: a worker that dies or hangs says nothing; the lease,
// renewed by its heartbeats, is how the coordinator learns to give its work
// to someone else. Why task ids: a task handed out twice may finish twice,
// and the id lets the coordinator keep the first result and count the other.
package swarm
