package swarm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"twinbook/supervisor"
)

// LaunchConfig is the coordinator's own process supervisor: N worker
// processes, w1 to wN, under the chapter's supervisor rules (one_for_one:
// a worker's crash restarts that worker only; more restarts than Intensity
// within Period and the supervisor gives up).
type LaunchConfig struct {
	Workers   int                // how many worker processes
	Intensity int                // restarts allowed within Period
	Period    time.Duration      // a whole number of milliseconds
	Restart   supervisor.Restart // the workers' restart type; permanent when empty
	// Worker is the worker program and its arguments; each run gets
	// "--address Address --id ID" added, its ID being the child's path and
	// its run number ("w1.1", then "w1.2" after a restart), so that a
	// restarted worker never meets its predecessor's session under the same
	// name at the coordinator.
	Worker  []string
	Address string        // the coordinator's address, for the workers
	Grace   time.Duration // SIGTERM to SIGKILL when a worker is terminated; supervisor.DefaultGrace when zero
	Stderr  io.Writer     // the workers' stderr (their event lines); discarded when nil
	Events  *EventLog     // the supervisor's events and the workers' pids
}

// WorkerSpec is the supervisor Spec of cfg's workers, validated: an invalid
// one is a *supervisor.SpecError naming the field (intensity, period_ms,
// restart).
func WorkerSpec(cfg LaunchConfig) (supervisor.Spec, error) {
	restart := cfg.Restart
	if restart == "" {
		restart = supervisor.Permanent
	}
	spec := supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: cfg.Intensity, Period: cfg.Period}
	for i := range cfg.Workers {
		spec.Children = append(spec.Children, supervisor.ChildSpec{ID: fmt.Sprintf("w%d", i+1), Restart: restart})
	}
	if err := spec.Validate(); err != nil {
		return supervisor.Spec{}, fmt.Errorf("swarm: the workers' supervisor: %w", err)
	}
	return spec, nil
}

// SuperviseWorkers starts cfg's workers and supervises them until ctx ends
// (then it terminates them, last started first, and returns nil) or the
// supervisor gives up (it has terminated them already; the error is
// supervisor.ErrGaveUp, wrapped). Either way no worker is left running when
// it returns.
func SuperviseWorkers(ctx context.Context, cfg LaunchConfig) error {
	spec, err := WorkerSpec(cfg)
	if err != nil {
		return err
	}
	if len(cfg.Worker) == 0 {
		return errors.New("swarm: the workers' supervisor: no worker program")
	}
	starts := make(map[string]supervisor.StartFunc, len(spec.Children))
	for _, c := range spec.Children {
		starts[c.ID] = workerStart(cfg, c.ID)
	}
	sup, err := supervisor.New(spec, starts, supervisor.Options{
		ShutdownTimeout: cfg.Grace,
		OnEvent: func(e supervisor.Event) {
			fields := map[string]any{"op": string(e.Op), "path": e.Path}
			if e.Op == supervisor.OpExit {
				fields["reason"] = string(e.Reason)
			}
			cfg.Events.Emit("supervisor", fields)
		},
	})
	if err != nil {
		return fmt.Errorf("swarm: the workers' supervisor: %w", err)
	}
	if err := sup.Start(ctx); err != nil {
		return fmt.Errorf("swarm: the workers' supervisor: %w", err)
	}
	select {
	case <-ctx.Done():
		// Stop waits for every worker's end; each is bounded by its grace.
		return sup.Stop(context.Background())
	case <-sup.Done():
		return fmt.Errorf("swarm: the workers' supervisor: %w", sup.Err())
	}
}

// workerStart is the StartFunc of the worker at path: a new process per run,
// with the run's worker id.
func workerStart(cfg LaunchConfig, path string) supervisor.StartFunc {
	var runs atomic.Int64
	return func(context.Context) (supervisor.Child, error) {
		id := fmt.Sprintf("%s.%d", path, runs.Add(1))
		args := append(slices.Clone(cfg.Worker[1:]), "--address", cfg.Address, "--id", id)
		p := supervisor.ProcessSpec{Path: cfg.Worker[0], Args: args, Stderr: cfg.Stderr, Grace: cfg.Grace}
		c, err := supervisor.StartProcess(p)
		if err != nil {
			cfg.Events.Emit("worker_start_failed", map[string]any{"path": path, "worker": id, "error": err.Error()})
			return nil, err
		}
		cfg.Events.Emit("worker_process", map[string]any{"path": path, "worker": id, "pid": c.Pid()})
		return c, nil
	}
}
