package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultGrace is how long a process has between SIGTERM and SIGKILL.
const DefaultGrace = 5 * time.Second

// Process is an operating-system process as a supervised worker: each start
// execs a new one. It ends normal when it exits 0 and crash when it exits
// with another status or is killed by a signal it was not sent by its
// supervisor; terminating it (SIGTERM, then SIGKILL after Grace) ends it
// with shutdown. The same supervisor and Tree run processes and actors.
type Process struct {
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

// Start execs the program; it is the Process's StartFunc.
func (p *Process) Start(context.Context) (Child, error) {
	// Not exec.CommandContext: the process lives until the supervisor
	// terminates it, politely, not until some context is cancelled.
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = p.Env, p.Dir, p.Stdout, p.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("supervisor: starting process %s: %w", p.Path, err)
	}
	grace := p.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	c := &ProcessChild{cmd: cmd, grace: grace, done: make(chan struct{})}
	go c.wait()
	return c, nil
}

// ProcessChild is one started process.
type ProcessChild struct {
	cmd        *exec.Cmd
	grace      time.Duration
	terminated atomic.Bool
	done       chan struct{}
	reason     Reason
	err        error
}

func (c *ProcessChild) wait() {
	err := c.cmd.Wait()
	switch {
	case c.terminated.Load():
		c.reason = Shutdown
	case err == nil:
		c.reason = Normal
	default:
		c.reason = Crash
	}
	c.err = err
	close(c.done)
}

// Pid is the process's id.
func (c *ProcessChild) Pid() int { return c.cmd.Process.Pid }

// Done is closed once the process has exited and been reaped.
func (c *ProcessChild) Done() <-chan struct{} { return c.done }

// Reason is normal for exit 0, crash for another exit or a signal, shutdown
// when its supervisor terminated it. Read it after Done.
func (c *ProcessChild) Reason() Reason { return c.reason }

// Err is how the process ended (an *exec.ExitError), nil for exit 0. Read it
// after Done.
func (c *ProcessChild) Err() error { return c.err }

// docs:start process-terminate

// Terminate sends SIGTERM, waits up to the grace period (or until ctx ends)
// for the process to exit, then sends SIGKILL and waits for it to be gone.
// The error says it had to be killed.
func (c *ProcessChild) Terminate(ctx context.Context) error {
	select {
	case <-c.done:
		return nil
	default:
	}
	c.terminated.Store(true)
	err := c.cmd.Process.Signal(syscall.SIGTERM)
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("supervisor: SIGTERM to process %d: %w", c.Pid(), err)
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
	_ = c.cmd.Process.Kill() // SIGKILL; it may have exited meanwhile
	<-c.done
	return fmt.Errorf("supervisor: process %d killed: %w", c.Pid(), why)
}

// docs:end process-terminate
