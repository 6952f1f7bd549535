package supervisor_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"twinbook/clock"
	"twinbook/supervisor"
)

func lookPath(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("the process tests need %s: %v", name, err)
	}
	return path
}

// TestProcessExitReasons: how a process's end maps to a reason, with its
// status or signal.
func TestProcessExitReasons(t *testing.T) {
	sh := lookPath(t, "sh")
	tests := []struct {
		name      string
		script    string
		stop      bool // SIGSTOP it first: Terminate must still reach it
		terminate bool
		want      supervisor.Exit
		killed    bool // Terminate had to SIGKILL it: a short grace, else a long one
	}{
		{name: "exit 0 is normal", script: "exit 0", want: supervisor.Exit{Reason: supervisor.Normal}},
		{name: "exit 3 is a crash", script: "exit 3", want: supervisor.Exit{Reason: supervisor.Crash, Code: 3}},
		{name: "a signal it was not sent by its supervisor is a crash", script: "kill -KILL $$",
			want: supervisor.Exit{Reason: supervisor.Crash, Code: -1, Signal: "killed"}},
		{name: "terminated: SIGTERM, shutdown", script: "echo ready; exec sleep 60", terminate: true,
			want: supervisor.Exit{Reason: supervisor.Shutdown, Code: -1, Signal: "terminated"}},
		{name: "terminated, SIGTERM ignored: SIGKILL, shutdown", script: `trap "" TERM; echo ready; exec sleep 60`,
			terminate: true, want: supervisor.Exit{Reason: supervisor.Shutdown, Code: -1, Signal: "killed"}, killed: true},
		{name: "terminated while stopped: SIGCONT, SIGTERM, shutdown", script: "echo ready; exec sleep 60", stop: true,
			terminate: true, want: supervisor.Exit{Reason: supervisor.Shutdown, Code: -1, Signal: "terminated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			defer w.Close()
			grace := time.Hour // never reached: the process ends at SIGTERM
			if tt.killed {
				grace = time.Millisecond // SIGTERM is ignored: any grace ends in SIGKILL
			}
			p := supervisor.ProcessSpec{Path: sh, Args: []string{"-c", tt.script}, Stdout: w, Grace: grace}
			child, err := supervisor.StartProcess(p)
			if err != nil {
				t.Fatal(err)
			}
			if tt.terminate {
				// Wait for "ready": the script's trap is set before SIGTERM comes.
				if _, err := bufio.NewReader(r).ReadString('\n'); err != nil {
					t.Fatal(err)
				}
				if tt.stop {
					if err := child.Signal(syscall.SIGSTOP); err != nil {
						t.Fatal(err)
					}
				}
				err := child.Terminate(context.Background())
				if killed := err != nil; killed != tt.killed {
					t.Errorf("Terminate = %v, want killed %v", err, tt.killed)
				}
			}
			<-child.Done()
			if got := child.Exit(); got != tt.want {
				t.Errorf("Exit() = %v, want %v (%v)", got, tt.want, child.Err())
			}
			if got := child.Reason(); got != tt.want.Reason {
				t.Errorf("Reason() = %q, want %q", got, tt.want.Reason)
			}
			if err := child.Terminate(context.Background()); err != nil {
				t.Errorf("Terminate after the end = %v, want nil", err)
			}
			if err := child.Signal(syscall.SIGKILL); err != nil {
				t.Errorf("Signal after the end = %v, want nil", err)
			}
		})
	}
}

// TestProcessKilledFromOutsideIsACrash: kill -9 through Signal (to the
// process's group) is not its supervisor's word: a crash.
func TestProcessKilledFromOutsideIsACrash(t *testing.T) {
	p := supervisor.ProcessSpec{Path: lookPath(t, "sleep"), Args: []string{"60"}}
	child, err := supervisor.StartProcess(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-child.Done()
	if got, want := child.Exit(), (supervisor.Exit{Reason: supervisor.Crash, Code: -1, Signal: "killed"}); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestProcessTerminateReachesItsGroup: a process runs in a group of its own,
// so terminating it ends what it started too (a shell's child here). The
// shell's child holds the pipe's write end: the pipe reads EOF once it is
// gone, with no polling.
func TestProcessTerminateReachesItsGroup(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := supervisor.ProcessSpec{Path: lookPath(t, "sh"), Args: []string{"-c", "sleep 60 & echo ready; wait"}, Stdout: w, Grace: time.Hour}
	child, err := supervisor.StartProcess(p)
	w.Close() // the shell and its sleep hold it now
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(r)
	if line, err := br.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("got %q, %v; want ready", line, err)
	}
	if err := child.Terminate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if rest, err := io.ReadAll(br); err != nil {
		t.Fatalf("the shell's own child still holds the pipe after Terminate: %v (read %q)", err, rest)
	}
}

func TestProcessStartFails(t *testing.T) {
	p := supervisor.ProcessSpec{Path: "/nonexistent/twinbook-no-such-program"}
	child, err := p.Start(context.Background())
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Start = %v, want ErrNotExist wrapped", err)
	}
	if child != nil { // a nil *Process in a Child would not be nil
		t.Errorf("Start = %#v, want a nil Child", child)
	}
}

// TestSupervisorRestartsAKilledProcess: a worker process killed with
// SIGKILL from outside is a crash; its supervisor starts a new process.
func TestSupervisorRestartsAKilledProcess(t *testing.T) {
	spec, err := supervisor.ParseSpec([]byte(sup("one_for_one", 3, 5000, `[{"id":"sleeper","restart":"permanent"}]`)))
	if err != nil {
		t.Fatal(err)
	}
	sleeper := supervisor.ProcessSpec{Path: lookPath(t, "sleep"), Args: []string{"60"}}
	events := make(eventLog, 64)
	s, err := supervisor.New(spec, map[string]supervisor.StartFunc{"sleeper": sleeper.Start},
		supervisor.Options{Clock: clock.NewManual(time.UnixMilli(0)), OnEvent: events.record})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	events.expect(t, "start sleeper")
	first := current(t, s)
	if err := syscall.Kill(first.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	events.expect(t, "exit sleeper crash, start sleeper")
	second := current(t, s)
	if second.Pid() == first.Pid() {
		t.Errorf("the restarted process has the old pid %d", first.Pid())
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	events.expect(t, "terminate sleeper")
	<-second.Done()
	if second.Reason() != supervisor.Shutdown {
		t.Errorf("after Stop: %q, want shutdown", second.Reason())
	}
}

func current(t *testing.T, s *supervisor.Supervisor) *supervisor.Process {
	t.Helper()
	c, ok := s.Child("sleeper")
	if !ok {
		t.Fatal("no running sleeper")
	}
	return c.(*supervisor.Process)
}

// TestSupervisorGivesUpOnACrashingProcess: a program that always fails is
// restarted until the intensity is spent (all at one instant of a manual
// clock), then the supervisor gives up.
func TestSupervisorGivesUpOnACrashingProcess(t *testing.T) {
	spec, err := supervisor.ParseSpec([]byte(sup("one_for_one", 2, 1000, `[{"id":"failing","restart":"permanent"}]`)))
	if err != nil {
		t.Fatal(err)
	}
	failing := supervisor.ProcessSpec{Path: lookPath(t, "sh"), Args: []string{"-c", "exit 1"}}
	events := make(eventLog, 64)
	s, err := supervisor.New(spec, map[string]supervisor.StartFunc{"failing": failing.Start},
		supervisor.Options{Clock: clock.NewManual(time.UnixMilli(0)), OnEvent: events.record})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	events.expect(t, "start failing, exit failing crash, start failing, exit failing crash, start failing, exit failing crash, give_up /")
	<-s.Done()
	if !errors.Is(s.Err(), supervisor.ErrGaveUp) {
		t.Errorf("Err() = %v, want ErrGaveUp", s.Err())
	}
}
