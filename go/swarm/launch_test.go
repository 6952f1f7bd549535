package swarm_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"twinbook/supervisor"
)

// The coordinator's process supervisor (-workers N), both ways: a Go
// coordinator supervising Python worker processes and a Python coordinator
// supervising Go ones. After each test no process is left: the harness ends
// the ones it started, and the tests check the supervisor's by pid.

// launcher starts a coordinator in lang supervising worker processes in
// workerLang; flags are the coordinator's, workerFlags the workers'. The
// workers' stderr is the coordinator's, so one log holds both.
func launcher(t *testing.T, lang, workerLang string, flags, workerFlags []string) *proc {
	t.Helper()
	args := append([]string{"--lease-ms", fmt.Sprint(leaseMs)}, flags...)
	args = append(append(append(args, "--"), workerArgv(t, workerLang)...), workerFlags...)
	path, pre := coordinatorArgv(t, lang)
	return start(t, "launcher-"+lang, true, path, append(pre, args...)...)
}

func coordinatorArgv(t *testing.T, lang string) (string, []string) {
	if lang == "go" {
		return filepath.Join(bin, "swarm-coordinator"), nil
	}
	return python(t), []string{"-m", "twinbook.swarm.coordinator"}
}

func workerArgv(t *testing.T, lang string) []string {
	if lang == "go" {
		return []string{filepath.Join(bin, "swarm-worker")}
	}
	return []string{python(t), "-m", "twinbook.swarm.worker"}
}

// supervisorLog is the supervisor's events as the vectors write them:
// "start w1", "exit w1 crash", "give_up /".
func supervisorLog(p *proc) []string {
	var log []string
	for _, e := range p.events("supervisor") {
		line := fmt.Sprint(e["op"], " ", e["path"])
		if r, ok := e["reason"]; ok {
			line += fmt.Sprint(" ", r)
		}
		log = append(log, line)
	}
	return log
}

// workerPids is every worker process the supervisor started: id -> pid.
func workerPids(p *proc) map[string]int {
	pids := map[string]int{}
	for _, e := range p.events("worker_process") {
		pids[fmt.Sprint(e["worker"])] = int(e["pid"].(float64))
	}
	return pids
}

// stillRunning lists the workers whose process is alive (not gone, not a zombie).
func stillRunning(pids map[string]int) []string {
	var out []string
	for id, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) > 0 && f[0] != "Z" {
			out = append(out, id)
		}
	}
	return out
}

func TestLauncherRestartsAKilledWorkerAndItsTaskGoesOn(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			l := launcher(t, p.coord, p.workers,
				[]string{"--workers", "2", "--intensity", "3", "--period-ms", "60000"},
				[]string{"--credits", "1", "--heartbeat-ms", "100"})
			l.waitEvent(t, "credit", "worker", "w1.1")
			l.waitEvent(t, "credit", "worker", "w2.1")
			c := client(t, l.address)
			type reply struct {
				worker string
				tries  int32
				output string
				err    error
			}
			got := make(chan reply, 1)
			go func() {
				r, err := submit(t, c, "k1", "sleep", "300")
				got <- reply{r.GetWorkerId(), r.GetAttempts(), string(r.GetOutput()), err}
			}()
			holder := fmt.Sprint(l.waitEvent(t, "assign", "task", "k1")["worker"])
			path, _, _ := strings.Cut(holder, ".")
			if err := syscall.Kill(workerPids(l)[holder], syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			l.waitEvent(t, "worker_process", "worker", path+".2") // the restart
			r := <-got
			if r.err != nil || r.tries != 2 || r.output != "slept 300" || r.worker == holder {
				t.Fatalf("k1: %+v; want attempt 2 on a worker other than %s", r, holder)
			}
			l.waitEvent(t, "lease_expired", "task", "k1", "worker", holder)
			if got, want := supervisorLog(l), []string{"start w1", "start w2", "exit " + path + " crash", "start " + path}; !slices.Equal(got, want) {
				t.Errorf("supervisor log %q, want %q", got, want)
			}
			again, err := submit(t, c, "k1", "sleep", "300")
			if err != nil || again.GetWorkerId() != r.worker || again.GetAttempts() != 2 {
				t.Fatalf("k1 again: %v, %v; want the same result", again, err)
			}
			l.waitEvent(t, "same_task", "task", "k1")

			// Its owner stops it: it terminates its workers and exits 0.
			if err := l.process.Terminate(context.Background()); err != nil {
				t.Fatal(err)
			}
			if e := l.process.Exit(); e != (supervisor.Exit{Reason: supervisor.Shutdown}) {
				t.Errorf("the launcher ended %v, want shutdown (exit 0)", e)
			}
			if log := supervisorLog(l); !slices.Equal(log[len(log)-2:], []string{"terminate w2", "terminate w1"}) {
				t.Errorf("supervisor log %q, want it to end terminating w2, then w1", log)
			}
			if left := stillRunning(workerPids(l)); len(left) > 0 {
				t.Errorf("workers left running: %v", left)
			}
		})
	}
}

// TestLauncherGivesUpOnAWorkerCrashingPastTheIntensity: each run of the
// worker crashes at once (its config names an unknown kind); with intensity
// 2 the third crash is one too many and the coordinator gives up, exit 3.
func TestLauncherGivesUpOnAWorkerCrashingPastTheIntensity(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			l := launcher(t, p.coord, p.workers,
				[]string{"--workers", "1", "--intensity", "2", "--period-ms", "60000"},
				[]string{"--kinds", "telepathy"})
			select {
			case <-l.process.Done():
			case <-time.After(2 * wait): // three Python interpreters may start
				t.Fatalf("the launcher did not give up:\n%s", l.log)
			}
			if e := l.process.Exit(); e != (supervisor.Exit{Reason: supervisor.Crash, Code: 3}) {
				t.Errorf("the launcher ended %v, want exit 3:\n%s", e, l.log)
			}
			want := []string{"start w1", "exit w1 crash", "start w1", "exit w1 crash", "start w1", "exit w1 crash", "give_up /"}
			if got := supervisorLog(l); !slices.Equal(got, want) {
				t.Errorf("supervisor log %q, want %q", got, want)
			}
			for _, words := range []string{"gave up", "unknown kind", "telepathy"} {
				if !strings.Contains(l.log.String(), words) {
					t.Errorf("the log does not say %q:\n%s", words, l.log)
				}
			}
			pids := workerPids(l)
			if len(pids) != 3 {
				t.Errorf("worker runs %v, want w1.1, w1.2, w1.3", pids)
			}
			if left := stillRunning(pids); len(left) > 0 {
				t.Errorf("workers left running: %v", left)
			}
		})
	}
}

func TestLauncherRefusesAnInvalidSupervisorSpecNamingTheField(t *testing.T) {
	tests := []struct {
		flags []string
		field string
	}{
		{[]string{"--intensity", "-1"}, "intensity"},
		{[]string{"--period-ms", "0"}, "period_ms"},
		{[]string{"--restart", "forever"}, "restart"},
		{[]string{"--", "/nonexistent/swarm-worker"}, "worker program"},
	}
	for _, lang := range []string{"go", "python"} {
		for _, tt := range tests {
			t.Run(lang+"/"+strings.ReplaceAll(tt.field, " ", "_"), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
				defer cancel()
				path, pre := coordinatorArgv(t, lang)
				cmd := exec.CommandContext(ctx, path, append(append(pre, "--workers", "2"), tt.flags...)...)
				var stdout, stderr strings.Builder
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 {
					t.Fatalf("%v: %v, want exit 2:\n%s", tt.flags, err, stderr.String())
				}
				if !strings.Contains(stderr.String(), tt.field+":") || !strings.Contains(stderr.String(), "supervisor") {
					t.Errorf("%v: %q does not name the field %s", tt.flags, stderr.String(), tt.field)
				}
				if tt.field == "worker program" && !strings.Contains(stderr.String(), "/nonexistent/swarm-worker") {
					t.Errorf("%q does not name the program", stderr.String())
				}
				if stdout.Len() != 0 {
					t.Errorf("%v: it served (%q) before refusing", tt.flags, stdout.String())
				}
			})
		}
	}
}
