package swarm_test

import (
	"bufio"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"twinbook/swarm"
)

func sh(script string) swarm.ProcessSpec {
	return swarm.ProcessSpec{Path: "/bin/sh", Args: []string{"-c", script}}
}

func TestProcessExit(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   swarm.Exit
	}{
		{"exit 0 is normal", "exit 0", swarm.Exit{Reason: swarm.Normal, Code: 0}},
		{"exit 3 is a crash", "exit 3", swarm.Exit{Reason: swarm.Crash, Code: 3}},
		{"a signal is a crash", "kill -KILL $$", swarm.Exit{Reason: swarm.Crash, Code: -1, Signal: "killed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := swarm.StartProcess(sh(tt.script))
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.Done():
			case <-time.After(wait):
				t.Fatal("the process did not end")
			}
			if got := p.Exit(); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProcessKilledFromOutsideIsACrash(t *testing.T) {
	p, err := swarm.StartProcess(sh("exec sleep 60"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	if got, want := p.Exit(), (swarm.Exit{Reason: swarm.Crash, Code: -1, Signal: "killed"}); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestProcessTerminate(t *testing.T) {
	tests := []struct {
		name   string
		script string
		stop   bool
		want   swarm.Exit
	}{
		{"SIGTERM is a shutdown", "echo ready; exec sleep 60", false, swarm.Exit{Reason: swarm.Shutdown, Code: -1, Signal: "terminated"}},
		{"SIGKILL after the grace period", "trap '' TERM; echo ready; sleep 60", false, swarm.Exit{Reason: swarm.Shutdown, Code: -1, Signal: "killed"}},
		{"a stopped process is reached", "echo ready; exec sleep 60", true, swarm.Exit{Reason: swarm.Shutdown, Code: -1, Signal: "terminated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			spec := sh(tt.script)
			spec.Stdout = w
			p, err := swarm.StartProcess(spec)
			w.Close()
			if err != nil {
				t.Fatal(err)
			}
			if line, _ := bufio.NewReader(r).ReadString('\n'); line != "ready\n" {
				t.Fatalf("got %q, want ready", line)
			}
			if tt.stop {
				if err := p.Signal(syscall.SIGSTOP); err != nil {
					t.Fatal(err)
				}
			}
			if got := p.Terminate(200 * time.Millisecond); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			_, _ = io.Copy(io.Discard, r)
		})
	}
}
