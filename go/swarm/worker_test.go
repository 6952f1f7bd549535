package swarm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	pb "twinbook/internal/swarmpb"
	"twinbook/swarm"
)

// scriptedCoordinator is a coordinator that, once a worker has said hello and
// granted credit, sends it the script's messages and passes on its results:
// a coordinator that breaks the protocol, as no real one does.
type scriptedCoordinator struct {
	pb.UnimplementedCoordinatorServer
	script  []*pb.CoordinatorMessage
	results chan *pb.Result
}

func (f *scriptedCoordinator) Work(stream pb.Coordinator_WorkServer) error {
	for sent := false; ; {
		msg, err := stream.Recv()
		if err != nil {
			return err
		}
		if msg.GetCredit() != nil && !sent {
			sent = true
			for _, m := range f.script {
				if err := stream.Send(m); err != nil {
					return err
				}
			}
		}
		if r := msg.GetResult(); r != nil {
			f.results <- r
		}
	}
}

func task(id, kind, input string) *pb.CoordinatorMessage {
	return &pb.CoordinatorMessage{Kind: &pb.CoordinatorMessage_Task{Task: &pb.Task{TaskId: id, Kind: kind, Input: []byte(input), Attempt: 1}}}
}

// TestWorkerAnswersBadTasksWithNamedErrors: a task of a kind the worker does
// not run fails, FailedPrecondition naming the kind; an empty message is
// ignored; neither stops the worker, whose next task runs.
func TestWorkerAnswersBadTasksWithNamedErrors(t *testing.T) {
	coord := &scriptedCoordinator{
		script:  []*pb.CoordinatorMessage{task("t1", "telepathy", ""), {}, task("t2", "square", "4")},
		results: make(chan *pb.Result, 2),
	}
	lis := listen(t)
	srv := grpc.NewServer()
	pb.RegisterCoordinatorServer(srv, coord)
	go srv.Serve(lis)
	defer srv.Stop()
	w, err := swarm.NewWorker(swarm.WorkerConfig{
		Address: lis.Addr().String(), ID: "w", Kinds: []string{"square"}, Credits: 2,
		Heartbeat: time.Hour, Attempts: 1, Backoff: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	got := map[string]*pb.Result{}
	for range 2 {
		select {
		case r := <-coord.results:
			got[r.GetTaskId()] = r
		case err := <-ran:
			t.Fatalf("the worker stopped: %v", err)
		case <-time.After(wait):
			t.Fatalf("results so far %v; the worker did not answer both tasks", got)
		}
	}
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run = %v after its ctx ended, want nil", err)
	}
	if e := got["t1"].GetError(); codes.Code(e.GetCode()) != codes.FailedPrecondition || !strings.Contains(e.GetMessage(), `"telepathy"`) {
		t.Errorf("t1: %v, want FailedPrecondition naming the kind", got["t1"])
	}
	if out := string(got["t2"].GetOutput()); out != "16" {
		t.Errorf("t2: %v, want output 16", got["t2"])
	}
}
