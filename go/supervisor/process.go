package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// DefaultGrace is how long a process has between SIGTERM and SIGKILL.
const DefaultGrace = 5 * time.Second

// ProcessSpec is an operating-system program as a supervised worker: each
// start ([ProcessSpec.Start], its StartFunc, or [StartProcess]) execs a new
// [Process], in a process group of its own so that a signal reaches whatever
// it started too. This is the project's one process launcher: the same
// supervisor and Tree run processes and actors, and the swarm starts its
// programs with it. The Python twin has the same names (ProcessSpec,
// start_process, Process, Exit) and, for the supervisor, ProcessChild.
type ProcessSpec struct {
	Path   string   // the program, looked up in PATH when it has no slash
	Args   []string // its arguments, without the program's name
	Env    []string // its environment; the supervisor's own when nil
	Dir    string   // its working directory; the supervisor's when empty
	Stdout io.Writer
	Stderr io.Writer
	// Grace is the time between SIGTERM and SIGKILL when the supervisor
	// terminates it; DefaultGrace when zero.
	Grace time.Duration
}

// Start execs the program; it is the spec's StartFunc.
func (p ProcessSpec) Start(context.Context) (Child, error) {
	c, err := StartProcess(p)
	if err != nil {
		return nil, err // not a nil *Process in a non-nil Child
	}
	return c, nil
}

// StartProcess execs spec's program. The *Process is the Child a supervisor
// sees, and more: the caller may signal it (SIGSTOP to make it hang, SIGKILL
// to make it crash) and read how it ended.
func StartProcess(p ProcessSpec) (*Process, error) {
	// Not exec.CommandContext: the process lives until the supervisor
	// terminates it, politely, not until some context is cancelled.
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = p.Env, p.Dir, p.Stdout, p.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("supervisor: starting process %s: %w", p.Path, err)
	}
	grace := p.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	c := &Process{cmd: cmd, grace: grace, done: make(chan struct{})}
	go c.wait()
	return c, nil
}

// Exit is how a process ended: the supervisor's Reason, and the detail a
// person wants in a log.
type Exit struct {
	Reason Reason
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

// Process is one started process. It ends normal when it exits 0 and crash
// when it exits with another status or is killed by a signal it was not sent
// by its supervisor; terminating it (SIGTERM, then SIGKILL after the spec's
// Grace) ends it with shutdown.
type Process struct {
	cmd   *exec.Cmd
	grace time.Duration
	done  chan struct{}

	mu          sync.Mutex
	terminating bool
	exit        Exit
	err         error
}

func (c *Process) wait() {
	err := c.cmd.Wait()
	e := Exit{Reason: Normal}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		e.Reason, e.Code = Crash, ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			e.Signal = ws.Signal().String()
		}
	} else if err != nil {
		e.Reason, e.Code = Crash, -1
	}
	c.mu.Lock()
	if c.terminating {
		e.Reason = Shutdown
	}
	c.exit, c.err = e, err
	c.mu.Unlock()
	close(c.done)
}

// Pid is the process's id, also its process group's.
func (c *Process) Pid() int { return c.cmd.Process.Pid }

// Done is closed once the process has exited and been reaped.
func (c *Process) Done() <-chan struct{} { return c.done }

// Reason is normal for exit 0, crash for another exit or a signal, shutdown
// when its supervisor terminated it. Read it after Done.
func (c *Process) Reason() Reason { return c.Exit().Reason }

// Exit is how the process ended. Read it after Done.
func (c *Process) Exit() Exit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exit
}

// Err is how the process ended as Go reports it (an *exec.ExitError), nil
// for exit 0. Read it after Done.
func (c *Process) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Signal sends sig to the process's group; an ended process is left alone.
// A signal from here that ends it is a crash: only Terminate is its
// supervisor's word.
func (c *Process) Signal(sig syscall.Signal) error {
	select {
	case <-c.done:
		return nil
	default:
	}
	if err := syscall.Kill(-c.Pid(), sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("supervisor: signal %v to process group %d: %w", sig, c.Pid(), err)
	}
	return nil
}

// docs:start process-terminate

// Terminate sends SIGTERM to the process's group (after SIGCONT: a stopped
// process cannot act on SIGTERM), waits up to the grace period (or until ctx
// ends) for it to exit, then sends SIGKILL and waits for it to be gone. The
// error says it had to be killed.
func (c *Process) Terminate(ctx context.Context) error {
	c.mu.Lock()
	c.terminating = true
	c.mu.Unlock()
	_ = c.Signal(syscall.SIGCONT)
	if err := c.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	grace := time.NewTimer(c.grace)
	defer grace.Stop()
	var why error
	select {
	case <-c.done:
		return nil
	case <-grace.C:
		why = fmt.Errorf("no exit within %v of SIGTERM", c.grace)
	case <-ctx.Done():
		why = ctx.Err()
	}
	_ = c.Signal(syscall.SIGKILL) // it may have exited meanwhile
	<-c.done
	return fmt.Errorf("supervisor: process %d killed: %w", c.Pid(), why)
}

// docs:end process-terminate
