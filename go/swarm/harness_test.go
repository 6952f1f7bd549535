package swarm_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"twinbook/internal/flakypb"
	pb "twinbook/internal/swarmpb"
	"twinbook/supervisor"
	"twinbook/swarm"
)

// wait bounds every wait in these tests: a wait that takes this long is a hang.
const wait = 10 * time.Second

// proc is one started program: its process, its event lines, its address.
type proc struct {
	name    string
	process *supervisor.Process
	log     *syncBuffer
	address string
}

// syncBuffer collects a process's stderr (its JSON events).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// events returns the process's events named event.
func (p *proc) events(event string) []map[string]any {
	var found []map[string]any
	for _, line := range strings.Split(p.log.String(), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["event"] == event {
			found = append(found, rec)
		}
	}
	return found
}

// waitEvent returns the first event named event whose fields match (strings
// and numbers compared as printed), failing the test after wait.
func (p *proc) waitEvent(t testing.TB, event string, fields ...string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		for _, rec := range p.events(event) {
			ok := true
			for i := 0; i+1 < len(fields); i += 2 {
				if fmt.Sprint(rec[fields[i]]) != fields[i+1] {
					ok = false
				}
			}
			if ok {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %s %v in %v:\n%s", p.name, event, fields, wait, p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lineWriter passes on stdout's first line (a server's address).
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first chan string
	sent  bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if line, err := bufio.NewReader(bytes.NewReader(w.buf.Bytes())).ReadString('\n'); err == nil && !w.sent {
		w.sent = true
		w.first <- strings.TrimSpace(line)
	}
	return len(p), nil
}

// start starts a program; every program is terminated when the test ends.
func start(t testing.TB, name string, serves bool, path string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, log: new(syncBuffer)}
	// A long grace: a launcher terminates its own workers before it exits.
	spec := supervisor.ProcessSpec{Path: path, Args: args, Stderr: p.log, Grace: wait}
	out := &lineWriter{first: make(chan string, 1)}
	if serves {
		spec.Stdout = out
	}
	var err error
	p.process, err = supervisor.StartProcess(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.process.Terminate(context.Background()) })
	if serves {
		select {
		case p.address = <-out.first:
		case <-p.process.Done():
			t.Fatalf("%s ended before printing its address: %v\n%s", name, p.process.Exit(), p.log)
		case <-time.After(2 * wait):
			t.Fatalf("%s printed no address:\n%s", name, p.log)
		}
	}
	return p
}

// coordinator starts a coordinator program in lang ("go" or "python").
func coordinator(t testing.TB, lang string, leaseMs int) *proc {
	t.Helper()
	lease := fmt.Sprint(leaseMs)
	if lang == "go" {
		return start(t, "coordinator-go", true, filepath.Join(bin, "swarm-coordinator"), "--lease-ms", lease)
	}
	return start(t, "coordinator-python", true, python(t), "-m", "twinbook.swarm.coordinator", "--lease-ms", lease)
}

// worker starts a worker program in lang; flags are name, value pairs.
func worker(t testing.TB, lang, address, id string, flags ...string) *proc {
	t.Helper()
	args := []string{"--address", address, "--id", id}
	for i := 0; i+1 < len(flags); i += 2 {
		args = append(args, "--"+flags[i], flags[i+1])
	}
	if lang == "go" {
		return start(t, "worker-"+id, false, filepath.Join(bin, "swarm-worker"), args...)
	}
	return start(t, "worker-"+id, false, python(t), append([]string{"-m", "twinbook.swarm.worker"}, args...)...)
}

// client dials a coordinator; the connection closes when the test ends.
func client(t testing.TB, address string) pb.CoordinatorClient {
	t.Helper()
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pb.NewCoordinatorClient(conn)
}

// submit runs one task, bounded by wait.
func submit(t *testing.T, c pb.CoordinatorClient, id, kind, input string) (*pb.SubmitResponse, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return c.Submit(ctx, &pb.SubmitRequest{TaskId: id, Kind: kind, Input: []byte(input)})
}

// listen returns a loopback listener on a free port.
func listen(t testing.TB) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return lis
}

// flakyServer serves a recording flaky.v1 server in the test's process.
func flakyServer(t *testing.T) (*swarm.FlakyServer, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := swarm.NewFlakyServer()
	srv := swarm.NewServer(func(s *grpc.Server) { flakypb.RegisterFlakyServer(s, fs) }, "flaky.v1.Flaky")
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return fs, lis.Addr().String()
}

// waitCall returns the flaky server's recorded call with payload, failing after wait.
func waitCall(t *testing.T, fs *swarm.FlakyServer, payload string) swarm.FlakyCall {
	t.Helper()
	deadline := time.After(wait)
	for {
		for _, c := range fs.Calls() {
			if c.Payload == payload {
				return c
			}
		}
		select {
		case <-fs.Ended():
		case <-deadline:
			t.Fatalf("the flaky server saw no call %q in %v", payload, wait)
		}
	}
}

// pairs are the two directions: (coordinator, workers).
var pairs = []struct{ name, coord, workers string }{
	{"go-coord-python-workers", "go", "python"},
	{"python-coord-go-workers", "python", "go"},
}
