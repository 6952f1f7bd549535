package supervisor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"twinbook/clock"
)

// ErrGaveUp is the end of a supervisor that exceeded its restart intensity:
// it terminated its children and stopped.
var ErrGaveUp = errors.New("supervisor: gave up: more restarts than its intensity allows within its period")

// DefaultShutdownTimeout is how long a child may take to end politely
// before it is ended by force (OTP's default shutdown for a worker).
const DefaultShutdownTimeout = 5 * time.Second

// OpExit is an Event's op for a child that ended on its own (not an action
// of the supervisor's, the input it reacted to).
const OpExit Op = "exit"

// Event is one line of a running supervisor's log: a child's exit, or an
// action the supervisor took (the Tree's action log, as carried out).
type Event struct {
	At     time.Time
	Op     Op // OpExit, or the action's: OpStart, OpTerminate, OpGiveUp
	Path   string
	Reason Reason // OpExit only
}

// String is "exit b crash", "start b", "give_up /".
func (e Event) String() string {
	if e.Op == OpExit {
		return fmt.Sprintf("exit %s %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("%s %s", e.Op, e.Path)
}

// Options configure a Supervisor.
type Options struct {
	// Clock times the restarts, for the intensity; clock.System{} when nil.
	Clock clock.Clock
	// ShutdownTimeout bounds each child's polite termination;
	// DefaultShutdownTimeout when zero.
	ShutdownTimeout time.Duration
	// OnEvent, when set, is called with every event, in order, on the
	// supervisor's goroutine: it must not block for long nor call the
	// supervisor back.
	OnEvent func(Event)
}

// Supervisor runs a supervision tree over real children: it starts the
// workers, learns of their ends, and carries out what its Tree decides.
// Nested supervisors are part of the same Tree; the workers are Children
// made by StartFuncs. Every event goes through one goroutine, so the Tree is
// only ever used from one goroutine at a time.
type Supervisor struct {
	tree    *Tree
	workers map[string]StartFunc
	clock   clock.Clock
	grace   time.Duration
	onEvent func(Event)

	mu      sync.Mutex
	started bool

	ctx     context.Context // the children's; cancelled when the supervisor ends
	cancel  context.CancelFunc
	exits   chan exitEvent
	stopReq chan struct{}
	stopOne sync.Once
	queries chan func()
	quit    chan struct{} // closed when the loop ends: watchers leave
	done    chan struct{} // closed when everything has ended
	err     error

	// owned by the loop (and by Start before the loop runs)
	live    map[string]instance
	gen     uint64
	pending []string // workers whose start failed: crashed at once
	watches sync.WaitGroup
}

type instance struct {
	child Child
	gen   uint64
}

type exitEvent struct {
	path   string
	gen    uint64
	reason Reason
}

// New builds a supervisor for spec; workers holds a StartFunc for every
// worker of the tree, by path ("a", "db/conn1"), and nothing else.
func New(spec Spec, workers map[string]StartFunc, opts Options) (*Supervisor, error) {
	tree, err := NewTree(spec)
	if err != nil {
		return nil, err
	}
	want := workerPaths(spec, "")
	for _, path := range want {
		if workers[path] == nil {
			return nil, fmt.Errorf("supervisor: no StartFunc for worker %q", path)
		}
	}
	for path := range workers {
		if !slices.Contains(want, path) {
			return nil, fmt.Errorf("supervisor: a StartFunc for %q, which is not a worker of the spec", path)
		}
	}
	s := &Supervisor{
		tree: tree, workers: workers, clock: opts.Clock, grace: opts.ShutdownTimeout, onEvent: opts.OnEvent,
		exits: make(chan exitEvent), stopReq: make(chan struct{}), queries: make(chan func()),
		quit: make(chan struct{}), done: make(chan struct{}), live: map[string]instance{},
	}
	if s.clock == nil {
		s.clock = clock.System{}
	}
	if s.grace <= 0 {
		s.grace = DefaultShutdownTimeout
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

func workerPaths(spec Spec, parent string) []string {
	var out []string
	for _, c := range spec.Children {
		path := joinPath(parent, c.ID)
		if c.Spec != nil {
			out = append(out, workerPaths(*c.Spec, path)...)
		} else {
			out = append(out, path)
		}
	}
	return out
}

// Start starts every child in specification order and then supervises them
// until Stop, or until the supervisor gives up. If a worker fails to start,
// the children already started are terminated in reverse order and Start
// returns the error; so it does if ctx ends before every worker has
// started. A supervisor starts once.
func (s *Supervisor) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("supervisor: already started")
	}
	s.started = true
	actions, err := s.tree.Start(s.clock.Now())
	if err != nil {
		return err
	}
	var started []string
	for _, a := range actions {
		if a.Kind != Worker {
			s.emit(Event{Op: a.Op, Path: a.Path})
			continue
		}
		err := ctx.Err()
		if err == nil {
			err = s.startWorker(a.Path)
		}
		// reported once it runs (or failed to), as in carryOut
		s.emit(Event{Op: a.Op, Path: a.Path})
		if err != nil {
			// Undo: only the workers that did start, last first.
			for _, path := range slices.Backward(started) {
				s.emit(Event{Op: OpTerminate, Path: path})
				s.terminateWorker(path)
			}
			s.tree.Shutdown()
			s.end(err)
			return fmt.Errorf("supervisor: starting %q: %w", a.Path, err)
		}
		started = append(started, a.Path)
	}
	go s.loop()
	return nil
}

// Stop terminates every running child in reverse start order (nested
// supervisors' children first) and waits for the supervisor to end, or for
// ctx to end (the termination goes on). Stopping a supervisor that has
// already ended, or never started, returns nil.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.started {
		s.started = true
		s.end(nil)
	}
	s.mu.Unlock()
	s.stopOne.Do(func() { close(s.stopReq) })
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("supervisor: stop: %w", ctx.Err())
	}
}

// Done is closed when the supervisor has ended (stopped or given up) and
// every child and goroutine of its has too.
func (s *Supervisor) Done() <-chan struct{} { return s.done }

// Err is nil while the supervisor runs and after Stop, ErrGaveUp once it
// has given up, and Start's error when a child failed to start.
func (s *Supervisor) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Running lists the running workers and nested supervisors by path, in
// start order (see Tree.Running); nil once the supervisor has ended.
func (s *Supervisor) Running() []string {
	var out []string
	s.inLoop(func() { out = s.tree.Running() })
	return out
}

// Child returns the current instance of the worker at path, if it runs.
func (s *Supervisor) Child(path string) (Child, bool) {
	var c Child
	var ok bool
	s.inLoop(func() {
		inst, found := s.live[path]
		c, ok = inst.child, found
	})
	return c, ok
}

// inLoop runs f on the supervisor's goroutine, unless it has ended.
func (s *Supervisor) inLoop(f func()) {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		return
	}
	ran := make(chan struct{})
	select {
	case s.queries <- func() { f(); close(ran) }:
		<-ran
	case <-s.quit:
	}
}

func (s *Supervisor) loop() {
	for !s.tree.Stopped() {
		select {
		case ev := <-s.exits:
			s.exited(ev)
		case f := <-s.queries:
			f()
		case <-s.stopReq:
			s.carryOut(s.tree.Shutdown())
			s.end(nil)
			return
		}
	}
	s.end(ErrGaveUp)
}

// end runs once, when the supervisor ends: no child is left, the watchers
// leave, and Done is closed once they have.
func (s *Supervisor) end(err error) {
	s.err = err
	s.cancel()
	close(s.quit)
	s.watches.Wait()
	close(s.done)
}

// exited handles a worker's end, unless it is the end of an instance the
// supervisor has terminated or replaced since.
func (s *Supervisor) exited(ev exitEvent) {
	inst, ok := s.live[ev.path]
	if !ok || inst.gen != ev.gen {
		return
	}
	delete(s.live, ev.path)
	s.failed(ev.path, ev.reason)
	for len(s.pending) > 0 && !s.tree.Stopped() {
		path := s.pending[0]
		s.pending = s.pending[1:]
		if _, restarted := s.live[path]; restarted || !slices.Contains(s.tree.Running(), path) {
			continue
		}
		s.failed(path, Crash)
	}
	s.pending = nil
}

func (s *Supervisor) failed(path string, reason Reason) {
	now := s.clock.Now()
	s.emit(Event{At: now, Op: OpExit, Path: path, Reason: reason})
	actions, err := s.tree.Exit(path, reason, now)
	if err != nil {
		return // the tree no longer has it running: nothing to react to
	}
	s.carryOut(actions)
}

// docs:start carry-out

// carryOut does what the tree decided, in order. A worker's start is
// reported once the new instance is in place, so that whoever hears of it
// reaches the new one, not the one it replaces.
func (s *Supervisor) carryOut(actions []Action) {
	for _, a := range actions {
		if a.Kind != Worker {
			// a nested supervisor is the tree's bookkeeping
			s.emit(Event{Op: a.Op, Path: a.Path})
			continue
		}
		switch a.Op {
		case OpStart:
			err := s.startWorker(a.Path)
			s.emit(Event{Op: a.Op, Path: a.Path})
			if err != nil {
				s.pending = append(s.pending, a.Path)
			}
		case OpTerminate:
			s.emit(Event{Op: a.Op, Path: a.Path})
			s.terminateWorker(a.Path)
		}
	}
}

// docs:end carry-out

func (s *Supervisor) emit(e Event) {
	if s.onEvent == nil {
		return
	}
	if e.At.IsZero() {
		e.At = s.clock.Now()
	}
	s.onEvent(e)
}

func (s *Supervisor) startWorker(path string) error {
	child, err := s.workers[path](s.ctx)
	if err != nil {
		return err
	}
	s.gen++
	s.live[path] = instance{child: child, gen: s.gen}
	s.watches.Add(1)
	go s.watch(path, s.gen, child)
	return nil
}

// watch tells the loop when child ends, unless the supervisor ends first.
func (s *Supervisor) watch(path string, gen uint64, child Child) {
	defer s.watches.Done()
	select {
	case <-child.Done():
	case <-s.quit:
		return
	}
	select {
	case s.exits <- exitEvent{path: path, gen: gen, reason: child.Reason()}:
	case <-s.quit:
	}
}

func (s *Supervisor) terminateWorker(path string) {
	inst, ok := s.live[path]
	if !ok {
		return // its start failed, or it was already replaced
	}
	delete(s.live, path)
	ctx, cancel := context.WithTimeout(context.Background(), s.grace)
	defer cancel()
	_ = inst.child.Terminate(ctx) // ended either way
}
