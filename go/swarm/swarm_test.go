package swarm_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"twinbook/internal/flakypb"
	pb "twinbook/internal/swarmpb"
)

// Each test runs both ways: a Go coordinator with Python workers and a Python
// coordinator with Go workers, as real processes. Assertions read the
// processes' own accounting (their JSON events) and the flaky server's record
// of how each call ended; none is about time. What a deadline does is
// asserted as "the work stopped", never as a status code.

// leaseMs is the fault tests' lease, against heartbeats every 100 ms: ten
// beats a lease, so that a loaded machine is not taken for a dead worker, and
// a lease still runs out in a second.
const leaseMs = 1000

func TestTasksComplete(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			coord := coordinator(t, p.coord, 10000)
			for _, id := range []string{"a", "b"} {
				worker(t, p.workers, coord.address, id, "credits", "2", "heartbeat-ms", "200")
				coord.waitEvent(t, "credit", "worker", id)
			}
			c := client(t, coord.address)
			var wg sync.WaitGroup
			replies := make([]*pb.SubmitResponse, 10)
			errs := make([]error, 10)
			for i := range replies {
				wg.Go(func() { replies[i], errs[i] = submit(t, c, "", "square", fmt.Sprint(i-3)) })
			}
			wg.Wait()
			for i, r := range replies {
				if errs[i] != nil {
					t.Fatalf("task %d: %v", i, errs[i])
				}
				if want := fmt.Sprint((i - 3) * (i - 3)); string(r.GetOutput()) != want || r.GetAttempts() != 1 {
					t.Errorf("task %d: got %q attempts %d, want %q attempts 1", i, r.GetOutput(), r.GetAttempts(), want)
				}
				if w := r.GetWorkerId(); w != "a" && w != "b" {
					t.Errorf("task %d ran on %q", i, w)
				}
			}
			for _, h := range coord.events("hello") {
				if h["language"] != p.workers {
					t.Errorf("hello from a %v worker, want %s", h["language"], p.workers)
				}
			}
		})
	}
}

func TestCreditsAreRespected(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			coord := coordinator(t, p.coord, 10000)
			w := worker(t, p.workers, coord.address, "w", "credits", "2", "heartbeat-ms", "200")
			coord.waitEvent(t, "credit", "worker", "w")
			c := client(t, coord.address)
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					if _, err := submit(t, c, "", "sleep", "50"); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			assigns := coord.events("assign")
			if len(assigns) != 8 {
				t.Fatalf("%d assigns, want 8", len(assigns))
			}
			held, running := 0.0, 0.0
			for _, a := range assigns {
				held = max(held, a["held"].(float64))
				if a["credits"].(float64) < 0 {
					t.Errorf("negative credits: %v", a)
				}
			}
			for _, s := range w.events("task_start") {
				running = max(running, s["running"].(float64))
			}
			if held != 2 || running != 2 { // the limit, and used: 8 tasks were waiting
				t.Errorf("most held by the coordinator's count %v, by the worker's %v; want 2 and 2", held, running)
			}
		})
	}
}

func TestADeadlineReachesTheWorkerAndItsCall(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			fs, faddr := flakyServer(t)
			coord := coordinator(t, p.coord, 10000)
			w := worker(t, p.workers, coord.address, "w", "kinds", "flaky", "flaky", faddr, "heartbeat-ms", "200")
			coord.waitEvent(t, "credit", "worker", "w")
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if _, err := client(t, coord.address).Submit(ctx, &pb.SubmitRequest{TaskId: "late", Kind: "flaky", Input: []byte("600000")}); err == nil {
				t.Fatal("a 600 s call within a 1 s deadline succeeded")
			}
			call := waitCall(t, fs, "late")
			if !call.HasDeadline || call.Deadline > time.Second {
				t.Errorf("the call's deadline: %v (set: %v), want at most 1s", call.Deadline, call.HasDeadline)
			}
			if !call.Stopped {
				t.Error("the deadline did not stop the worker's call")
			}
			if b := w.waitEvent(t, "task_start", "task", "late")["budget_ms"].(float64); b <= 0 || b > 1000 {
				t.Errorf("budget_ms %v, want in (0, 1000]", b)
			}
			if w.waitEvent(t, "task_end", "task", "late")["stopped"] != true {
				t.Error("the worker's task did not stop")
			}
		})
	}
}

func TestACancelledSubmitStopsTheWork(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			fs, faddr := flakyServer(t)
			coord := coordinator(t, p.coord, 10000)
			w := worker(t, p.workers, coord.address, "w", "kinds", "flaky", "flaky", faddr, "heartbeat-ms", "200")
			coord.waitEvent(t, "credit", "worker", "w")
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := client(t, coord.address).Submit(ctx, &pb.SubmitRequest{TaskId: "gone", Kind: "flaky", Input: []byte("600000")})
				done <- err
			}()
			w.waitEvent(t, "task_start", "task", "gone")
			cancel()
			if err := <-done; status.Code(err) != codes.Canceled {
				t.Errorf("Submit: %v, want Canceled", err)
			}
			coord.waitEvent(t, "cancel", "task", "gone", "worker", "w")
			if w.waitEvent(t, "task_end", "task", "gone")["stopped"] != true {
				t.Error("the worker's task did not stop")
			}
			if call := waitCall(t, fs, "gone"); !call.Stopped || call.HasDeadline {
				t.Errorf("the call: %+v, want stopped by cancellation (no deadline)", call)
			}
		})
	}
}

func TestAKilledWorkerLosesItsTasksToAnother(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			coord := coordinator(t, p.coord, leaseMs)
			doomed := worker(t, p.workers, coord.address, "doomed", "credits", "2", "heartbeat-ms", "100")
			coord.waitEvent(t, "credit", "worker", "doomed")
			c := client(t, coord.address)
			replies := make([]*pb.SubmitResponse, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Go(func() { replies[i], errs[i] = submit(t, c, fmt.Sprint("k", i+1), "sleep", "300") })
			}
			doomed.waitEvent(t, "task_start", "task", "k1")
			doomed.waitEvent(t, "task_start", "task", "k2")
			if err := doomed.process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-doomed.process.Done()
			worker(t, p.workers, coord.address, "heir", "credits", "2", "heartbeat-ms", "100")
			wg.Wait()
			for i, r := range replies {
				if errs[i] != nil {
					t.Fatalf("k%d: %v", i+1, errs[i])
				}
				if r.GetWorkerId() != "heir" || r.GetAttempts() != 2 {
					t.Errorf("k%d: ran on %q, attempt %d; want heir, 2", i+1, r.GetWorkerId(), r.GetAttempts())
				}
			}
			coord.waitEvent(t, "lease_expired", "task", "k1", "worker", "doomed")
			coord.waitEvent(t, "lease_expired", "task", "k2", "worker", "doomed")
			again, err := submit(t, c, "k1", "sleep", "300")
			if err != nil || again.GetWorkerId() != "heir" || again.GetAttempts() != 2 {
				t.Fatalf("k1 again: %v, %v; want the same result", again, err)
			}
			coord.waitEvent(t, "same_task", "task", "k1")
			n := 0
			for _, a := range coord.events("assign") {
				if a["task"] == "k1" {
					n++
				}
			}
			if n != 2 {
				t.Errorf("k1 handed out %d times, want 2", n)
			}
		})
	}
}

func TestAHungWorkerIsDetectedAndItsLateResultIsADuplicate(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			coord := coordinator(t, p.coord, leaseMs)
			hung := worker(t, p.workers, coord.address, "hung", "credits", "1", "heartbeat-ms", "100")
			coord.waitEvent(t, "credit", "worker", "hung")
			c := client(t, coord.address)
			type reply struct {
				r   *pb.SubmitResponse
				err error
			}
			got := make(chan reply, 1)
			go func() {
				r, err := submit(t, c, "h1", "sleep", "1000")
				got <- reply{r, err}
			}()
			hung.waitEvent(t, "task_start", "task", "h1")
			if err := hung.process.Signal(syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			coord.waitEvent(t, "worker_silent", "worker", "hung")
			coord.waitEvent(t, "lease_expired", "worker", "hung", "task", "h1")
			worker(t, p.workers, coord.address, "fresh", "credits", "1", "heartbeat-ms", "100")
			r := <-got
			if r.err != nil || r.r.GetWorkerId() != "fresh" || r.r.GetAttempts() != 2 {
				t.Fatalf("h1: %v, %v; want fresh, attempt 2", r.r, r.err)
			}
			if err := hung.process.Signal(syscall.SIGCONT); err != nil {
				t.Fatal(err)
			}
			coord.waitEvent(t, "worker_back", "worker", "hung")
			coord.waitEvent(t, "duplicate", "worker", "hung", "task", "h1", "duplicates", "1")
		})
	}
}

func TestBadRequestsGetNamedErrors(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			coord := coordinator(t, p.coord, 10000)
			worker(t, p.workers, coord.address, "w", "heartbeat-ms", "200")
			coord.waitEvent(t, "credit", "worker", "w")
			c := client(t, coord.address)
			tests := []struct {
				id, kind, input string
				code            codes.Code
				words           string
			}{
				{"", "nope", "1", codes.FailedPrecondition, "nope"},
				{"", "", "1", codes.InvalidArgument, "kind is empty"},
				{"", "square", "x", codes.InvalidArgument, "not a 32-bit decimal integer"},
				{"", "square", "99999999999", codes.InvalidArgument, "not a 32-bit decimal integer"},
				{"", "sleep", "-5", codes.InvalidArgument, "not milliseconds"},
				{strings.Repeat("x", 129), "square", "1", codes.InvalidArgument, "task_id"},
			}
			for _, tt := range tests {
				_, err := submit(t, c, tt.id, tt.kind, tt.input)
				if status.Code(err) != tt.code || !strings.Contains(status.Convert(err).Message(), tt.words) {
					t.Errorf("%q %q: %v, want %v with %q", tt.kind, tt.input, err, tt.code, tt.words)
				}
			}
		})
	}
}

func TestAWorkerWhoseCoordinatorIsGoneExitsWithAMessage(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			nowhere := lis.Addr().String()
			lis.Close()
			lonely := worker(t, p.workers, nowhere, "lonely", "attempts", "3", "backoff-ms", "50")
			expectGone(t, lonely, nowhere)

			coord := coordinator(t, p.coord, 10000)
			orphan := worker(t, p.workers, coord.address, "orphan", "attempts", "3", "backoff-ms", "50", "heartbeat-ms", "100")
			coord.waitEvent(t, "credit", "worker", "orphan")
			if err := coord.process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			expectGone(t, orphan, coord.address)
		})
	}
}

func expectGone(t *testing.T, w *proc, address string) {
	t.Helper()
	select {
	case <-w.process.Done():
	case <-time.After(wait):
		t.Fatalf("%s still runs with its coordinator gone:\n%s", w.name, w.log)
	}
	if e := w.process.Exit(); e.Code != 1 || !strings.Contains(w.log.String(), "coordinator is gone") || !strings.Contains(w.log.String(), address) {
		t.Errorf("%s: %v, want exit 1 naming the gone coordinator %s:\n%s", w.name, e, address, w.log)
	}
}

// TestADependencyOutageIsContainedByTheWorkersBreaker: the dependency fails
// every call; the worker's own breaker (a window of 4) opens after 4
// failures, and the tasks after them fail fast, Unavailable, without
// reaching it.
func TestADependencyOutageIsContainedByTheWorkersBreaker(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			fs, faddr := flakyServer(t)
			coord := coordinator(t, p.coord, 10000)
			worker(t, p.workers, coord.address, "w", "kinds", "flaky", "flaky", faddr, "credits", "1", "heartbeat-ms", "200")
			coord.waitEvent(t, "credit", "worker", "w")
			if _, err := fs.SetMode(context.Background(), &flakypb.SetModeRequest{Code: int32(codes.Unavailable), Message: "down"}); err != nil {
				t.Fatal(err)
			}
			c := client(t, coord.address)
			var last error
			for n := range 10 {
				_, last = submit(t, c, fmt.Sprint("f", n), "flaky", "")
				if status.Code(last) != codes.Unavailable {
					t.Fatalf("task %d: %v, want Unavailable", n, last)
				}
			}
			if got := len(fs.Calls()); got != 4 {
				t.Errorf("the dependency saw %d calls, want 4 (the breaker's window)", got)
			}
			if !strings.Contains(strings.ToLower(status.Convert(last).Message()), "open") {
				t.Errorf("the last task: %v, want the breaker's rejection", last)
			}
		})
	}
}
