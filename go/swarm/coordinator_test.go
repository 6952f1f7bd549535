package swarm_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "twinbook/internal/swarmpb"
	"twinbook/swarm"
)

// rawWorker is a test's own end of a Work stream: it says exactly what the
// test tells it to, so the coordinator's rules are checked message by message.
type rawWorker struct {
	stream pb.Coordinator_WorkClient
	client pb.CoordinatorClient
	coord  *swarm.Coordinator
	events *proc // the coordinator's event log, read as a process's
}

func newRaw(t *testing.T, maxFinished int) *rawWorker {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := new(syncBuffer)
	coord := swarm.NewCoordinator(swarm.CoordinatorConfig{Lease: time.Hour, Events: swarm.NewEventLog(log), MaxFinished: maxFinished})
	srv := swarm.NewServer(func(s *grpc.Server) { pb.RegisterCoordinatorServer(s, coord) }, "swarm.v1.Coordinator")
	go srv.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); conn.Close(); srv.Stop(); coord.Close() })
	client := pb.NewCoordinatorClient(conn)
	stream, err := client.Work(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &rawWorker{stream: stream, client: client, coord: coord, events: &proc{name: "coordinator", log: log}}
}

func (w *rawWorker) send(t *testing.T, m *pb.WorkerMessage) {
	t.Helper()
	if err := w.stream.Send(m); err != nil {
		t.Fatal(err)
	}
}

func hello(id string, kinds ...string) *pb.WorkerMessage {
	return &pb.WorkerMessage{Kind: &pb.WorkerMessage_Hello{Hello: &pb.Hello{WorkerId: id, Kinds: kinds, Language: "test"}}}
}

func credit(n int32) *pb.WorkerMessage {
	return &pb.WorkerMessage{Kind: &pb.WorkerMessage_Credit{Credit: &pb.Credit{Tasks: n}}}
}

func result(id, out string) *pb.WorkerMessage {
	return &pb.WorkerMessage{Kind: &pb.WorkerMessage_Result{Result: &pb.Result{TaskId: id, Outcome: &pb.Result_Output{Output: []byte(out)}}}}
}

// submitAsync submits a task and returns where its answer arrives.
func (w *rawWorker) submitAsync(id string) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_, err := w.client.Submit(ctx, &pb.SubmitRequest{TaskId: id, Kind: "square", Input: []byte("2")})
		done <- err
	}()
	return done
}

// TestCoordinatorSendsNoMoreTasksThanCredits: with 3 tasks and 2 credits,
// exactly 2 tasks are handed out, and the third only after a credit. The
// proof is by construction, from the coordinator's own log: c's "submit" is
// logged in the same critical section as the dispatch that would hand it
// out, and the results for a and b are handled in later ones; so once their
// "result" events are in the log, an over-credit assign of c would be too.
func TestCoordinatorSendsNoMoreTasksThanCredits(t *testing.T) {
	w := newRaw(t, 0)
	w.send(t, hello("raw", "square"))
	w.send(t, credit(2))
	w.events.waitEvent(t, "credit", "worker", "raw")
	answers := []<-chan error{w.submitAsync("a"), w.submitAsync("b")}
	got := map[string]bool{}
	for range 2 {
		m, err := w.stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		got[m.GetTask().GetTaskId()] = true
	}
	third := w.submitAsync("c")
	w.events.waitEvent(t, "submit", "task", "c")
	w.send(t, result("a", "4"))
	w.send(t, result("b", "4"))
	for _, a := range answers {
		if err := <-a; err != nil {
			t.Fatal(err)
		}
	}
	w.events.waitEvent(t, "result", "task", "b")
	for _, a := range w.events.events("assign") {
		if a["task"] == "c" {
			t.Fatalf("c was handed out with no credit left: %v", a)
		}
	}
	w.send(t, credit(1))
	m, err := w.stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if id := m.GetTask().GetTaskId(); id != "c" || !got["a"] || !got["b"] {
		t.Fatalf("tasks %v then %q, want a and b, then c", got, id)
	}
	if a := w.events.waitEvent(t, "assign", "task", "c"); a["credits"] != 0.0 || a["held"] != 1.0 {
		t.Errorf("c's assign: %v, want 0 credits left, 1 held", a)
	}
	w.send(t, result("c", "4"))
	w.send(t, result("c", "4")) // a second result for c: a duplicate
	if err := <-third; err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for w.coord.Duplicates() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("duplicates: %d, want 1", w.coord.Duplicates())
		}
		time.Sleep(time.Millisecond)
	}
	w.events.waitEvent(t, "duplicate", "task", "c", "duplicates", "1")
}

// TestCoordinatorRejectsMalformedSessions: a session that breaks the protocol
// ends with INVALID_ARGUMENT, naming what was wrong.
func TestCoordinatorRejectsMalformedSessions(t *testing.T) {
	tests := []struct {
		name string
		msgs []*pb.WorkerMessage
		want string
	}{
		{"credit before hello", []*pb.WorkerMessage{credit(1)}, "first message must be a Hello"},
		{"empty worker id", []*pb.WorkerMessage{hello("")}, "worker_id is empty"},
		{"zero credit", []*pb.WorkerMessage{hello("w", "square"), credit(0)}, "credit.tasks must be > 0"},
		{"negative credit", []*pb.WorkerMessage{hello("w", "square"), credit(-3)}, "credit.tasks must be > 0"},
		{"second hello", []*pb.WorkerMessage{hello("w", "square"), hello("w")}, "second Hello"},
		{"empty message", []*pb.WorkerMessage{hello("w", "square"), {}}, "empty WorkerMessage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newRaw(t, 0)
			for _, m := range tt.msgs {
				w.send(t, m)
			}
			_, err := w.stream.Recv()
			if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), tt.want) {
				t.Errorf("got %v, want InvalidArgument with %q", err, tt.want)
			}
		})
	}
}

// TestCoordinatorForgetsTheOldestFinishedTasks: with room for 2 finished
// tasks, the first of 3 is forgotten (its id runs again, as a new task) while
// the last is still recognised by its id.
func TestCoordinatorForgetsTheOldestFinishedTasks(t *testing.T) {
	w := newRaw(t, 2)
	w.send(t, hello("raw", "square"))
	w.send(t, credit(10))
	w.events.waitEvent(t, "credit", "worker", "raw")
	run := func(id string) *pb.Task {
		answer := w.submitAsync(id)
		m, err := w.stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		w.send(t, result(m.GetTask().GetTaskId(), "4"))
		if err := <-answer; err != nil {
			t.Fatal(err)
		}
		return m.GetTask()
	}
	for _, id := range []string{"a", "b", "c"} {
		if got := run(id); got.GetTaskId() != id {
			t.Fatalf("got task %q, want %q", got.GetTaskId(), id)
		}
	}
	if err := <-w.submitAsync("c"); err != nil {
		t.Fatal(err)
	}
	w.events.waitEvent(t, "same_task", "task", "c")
	if got := run("a"); got.GetTaskId() != "a" || got.GetAttempt() != 1 {
		t.Fatalf("a again: %v, want a new task a, attempt 1", got)
	}
	if n := len(w.events.events("submit")); n != 4 {
		t.Errorf("%d tasks submitted, want 4 (a, b, c, and a again)", n)
	}
}

// TestCoordinatorASecondCallerGivingUpLeavesTheTask: a second Submit of the
// same id that is cancelled stops waiting, but the task is the first
// caller's: it is not cancelled, and the first caller gets its result.
func TestCoordinatorASecondCallerGivingUpLeavesTheTask(t *testing.T) {
	w := newRaw(t, 0)
	w.send(t, hello("raw", "square"))
	w.send(t, credit(1))
	w.events.waitEvent(t, "credit", "worker", "raw")
	first := w.submitAsync("s")
	m, err := w.stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := w.client.Submit(ctx, &pb.SubmitRequest{TaskId: "s", Kind: "square", Input: []byte("2")})
		second <- err
	}()
	w.events.waitEvent(t, "same_task", "task", "s")
	cancel()
	if err := <-second; status.Code(err) != codes.Canceled {
		t.Fatalf("the second caller: %v, want Canceled", err)
	}
	w.send(t, result(m.GetTask().GetTaskId(), "4"))
	if err := <-first; err != nil {
		t.Fatalf("the first caller: %v", err)
	}
	if c := w.events.events("cancel"); len(c) != 0 {
		t.Errorf("the task was cancelled: %v", c)
	}
}
