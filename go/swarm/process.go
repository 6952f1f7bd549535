package swarm

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// ExitReason is how a process ended, in the chapter's supervisor terms:
// normal (it exited 0 by itself), shutdown (its owner terminated it) or
// crash (a non-zero exit or a signal it did not ask for).
type ExitReason string

// The three reasons, named as in the supervisor spec.
const (
	Normal   ExitReason = "normal"
	Shutdown ExitReason = "shutdown"
	Crash    ExitReason = "crash"
)

// Exit is how a process ended.
type Exit struct {
	Reason ExitReason
	// Code is the exit status, or -1 when a signal ended it.
	Code int
	// Signal names the signal that ended it ("killed", "terminated"), or "".
	Signal string
}

// String reads like "crash (signal killed)" or "normal (exit 0)".
func (e Exit) String() string {
	if e.Signal != "" {
		return fmt.Sprintf("%s (signal %s)", e.Reason, e.Signal)
	}
	return fmt.Sprintf("%s (exit %d)", e.Reason, e.Code)
}

// ProcessSpec says what to start.
type ProcessSpec struct {
	Path   string
	Args   []string
	Env    []string // nil: the parent's
	Dir    string
	Stdout io.Writer // nil: discarded
	Stderr io.Writer // nil: discarded
}

// Process is one started operating-system process in its own process group,
// so that terminating it reaches its children too. It is shaped as a
// supervisor's child: start it, learn from Done and Exit when it ended and
// how, and Terminate it (SIGTERM, then SIGKILL after a grace period).
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}

	mu          sync.Mutex
	terminating bool
	exit        Exit
}

// StartProcess starts spec's program.
func StartProcess(spec ProcessSpec) (*Process, error) {
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = spec.Env, spec.Dir, spec.Stdout, spec.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("swarm: start %s: %w", spec.Path, err)
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	go p.wait()
	return p, nil
}

func (p *Process) wait() {
	err := p.cmd.Wait()
	e := Exit{Reason: Normal}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ws, _ := ee.Sys().(syscall.WaitStatus)
		e.Reason, e.Code = Crash, ee.ExitCode()
		if ws.Signaled() {
			e.Signal = ws.Signal().String()
		}
	} else if err != nil {
		e.Reason, e.Code = Crash, -1
	}
	p.mu.Lock()
	if p.terminating {
		e.Reason = Shutdown
	}
	p.exit = e
	p.mu.Unlock()
	close(p.done)
}

// Pid returns the process id (also its process group's id).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has ended.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exit returns how the process ended; call it after Done is closed.
func (p *Process) Exit() Exit {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exit
}

// Signal sends sig to the process's group (SIGSTOP to make it hang,
// SIGKILL to make it crash); an ended process is left alone.
func (p *Process) Signal(sig syscall.Signal) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := syscall.Kill(-p.Pid(), sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("swarm: signal %v to %d: %w", sig, p.Pid(), err)
	}
	return nil
}

// Terminate stops the process as its owner: SIGTERM to its group, SIGKILL
// after grace if it has not ended, and returns how it ended (Shutdown).
func (p *Process) Terminate(grace time.Duration) Exit {
	p.mu.Lock()
	p.terminating = true
	p.mu.Unlock()
	_ = p.Signal(syscall.SIGCONT) // a stopped process cannot act on SIGTERM
	_ = p.Signal(syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		_ = p.Signal(syscall.SIGKILL)
		<-p.done
	}
	return p.Exit()
}
