package swarm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "twinbook/internal/swarmpb"
)

// CoordinatorConfig says how long leases last and where events go.
type CoordinatorConfig struct {
	// Lease is how long a worker holds a task without a heartbeat naming it,
	// and how long a worker may stay silent before it is reported silent and
	// given no new tasks. Default 10s.
	Lease time.Duration
	// Events receives the coordinator's events; nil: none.
	Events *EventLog
	// MaxFinished is how many finished tasks it remembers; default
	// MaxFinishedTasks.
	MaxFinished int
}

// MaxFinishedTasks is how many finished tasks a coordinator remembers by default, for
// duplicate ids and late results; older ones are forgotten, first finished
// first, so that a long-running coordinator does not grow without bound.
const MaxFinishedTasks = 100_000

// MaxTaskIDLen bounds a SubmitRequest's task_id: an id is a name, not a payload.
const MaxTaskIDLen = 128

// Coordinator is the swarm.v1.Coordinator service: a queue of tasks, the
// workers' sessions and their credits, leases renewed by heartbeats, and the
// results by task id. Its methods are safe for concurrent use. Close stops
// its lease checker.
type Coordinator struct {
	pb.UnimplementedCoordinatorServer

	lease       time.Duration
	events      *EventLog
	maxFinished int

	mu         sync.Mutex
	sessions   map[string]*session // by worker id; the newest session of each
	tasks      map[string]*task    // every task ever submitted, for duplicate ids
	queue      []*task             // waiting for a worker with credit
	held       map[string]*task    // handed out, lease running
	finished   []*task             // in the order they finished, up to MaxFinishedTasks
	nextID     int
	duplicates int

	stop chan struct{}
	done chan struct{}
}

// session is one worker's Work stream as the coordinator sees it.
type session struct {
	id       string
	language string
	kinds    map[string]bool
	credits  int              // granted and not yet used
	held     map[string]*task // tasks handed out on this session, lease running
	lastSeen time.Time
	silent   bool // missed its heartbeats: no new tasks until it speaks again
	gone     bool // its stream ended
	out      *outbox
}

// task is one submitted task.
type task struct {
	id       string
	kind     string
	input    []byte
	deadline time.Time // zero: none
	attempt  int32
	holder   *session // nil while queued or finished
	leaseEnd time.Time
	finished bool
	byWorker bool          // finished by a worker's result, not by its caller giving up
	done     chan struct{} // closed when finished
	resp     *pb.SubmitResponse
	err      error
}

// NewCoordinator returns a coordinator and starts its lease checker.
func NewCoordinator(cfg CoordinatorConfig) *Coordinator {
	if cfg.Lease <= 0 {
		cfg.Lease = 10 * time.Second
	}
	if cfg.MaxFinished <= 0 {
		cfg.MaxFinished = MaxFinishedTasks
	}
	c := &Coordinator{
		lease:       cfg.Lease,
		events:      cfg.Events,
		maxFinished: cfg.MaxFinished,
		sessions:    make(map[string]*session),
		tasks:       make(map[string]*task),
		held:        make(map[string]*task),
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
	}
	go c.checkLeases()
	return c
}

// Close stops the lease checker; sessions end with their streams.
func (c *Coordinator) Close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	<-c.done
}

// Duplicates returns how many results arrived for tasks that had already
// ended (a task that ran twice after its lease ran out).
func (c *Coordinator) Duplicates() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.duplicates
}

// Work is one worker's session: Hello first, then Credit, Heartbeat and
// Result messages; tasks and cancels go back on the same stream.
func (c *Coordinator) Work(stream pb.Coordinator_WorkServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	hello := first.GetHello()
	if hello == nil {
		return status.Error(codes.InvalidArgument, "swarm: a worker's first message must be a Hello")
	}
	if hello.GetWorkerId() == "" {
		return status.Error(codes.InvalidArgument, "swarm: hello.worker_id is empty")
	}
	s := &session{
		id:       hello.GetWorkerId(),
		language: hello.GetLanguage(),
		kinds:    make(map[string]bool),
		held:     make(map[string]*task),
		lastSeen: time.Now(),
		out:      newOutbox(),
	}
	for _, k := range hello.GetKinds() {
		s.kinds[k] = true
	}
	c.mu.Lock()
	if old := c.sessions[s.id]; old != nil && !old.gone {
		c.mu.Unlock()
		return status.Errorf(codes.AlreadyExists, "swarm: worker %q is already connected", s.id)
	}
	c.sessions[s.id] = s
	c.mu.Unlock()
	c.events.Emit("hello", map[string]any{"worker": s.id, "kinds": hello.GetKinds(), "language": s.language})

	sent := make(chan error, 1)
	go func() { sent <- s.out.drain(stream.Context(), stream.Send) }()
	err = c.receive(s, stream)

	c.mu.Lock()
	s.gone = true
	s.credits = 0
	held := len(s.held)
	c.mu.Unlock()
	s.out.close()
	<-sent
	c.events.Emit("worker_gone", map[string]any{"worker": s.id, "held": held, "error": errText(err)})
	return err
}

// receive reads a session's messages until its stream ends; a nil error is
// the worker closing its side.
func (c *Coordinator) receive(s *session, stream pb.Coordinator_WorkServer) error {
	for {
		msg, err := stream.Recv()
		if err != nil {
			if errors.Is(err, context.Canceled) || status.Code(err) == codes.Canceled {
				return nil
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := c.handle(s, msg); err != nil {
			return err
		}
	}
}

// handle applies one worker message; an error ends the session.
func (c *Coordinator) handle(s *session, msg *pb.WorkerMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.lastSeen = time.Now()
	if s.silent {
		s.silent = false
		c.events.Emit("worker_back", map[string]any{"worker": s.id})
	}
	switch m := msg.GetKind().(type) {
	case *pb.WorkerMessage_Credit:
		n := m.Credit.GetTasks()
		if n <= 0 {
			return status.Errorf(codes.InvalidArgument, "swarm: credit.tasks must be > 0, got %d", n)
		}
		s.credits += int(n)
		if c.events != nil { // building the fields costs, even for no log
			c.events.Emit("credit", map[string]any{"worker": s.id, "tasks": n, "credits": s.credits})
		}
		c.dispatch()
	case *pb.WorkerMessage_Heartbeat:
		end := time.Now().Add(c.lease)
		for _, id := range m.Heartbeat.GetRunning() {
			if t := s.held[id]; t != nil {
				t.leaseEnd = end
			}
		}
	case *pb.WorkerMessage_Result:
		c.result(s, m.Result)
	case *pb.WorkerMessage_Hello:
		return status.Error(codes.InvalidArgument, "swarm: a second Hello on the same session")
	default:
		return status.Error(codes.InvalidArgument, "swarm: an empty WorkerMessage")
	}
	return nil
}

// docs:start first-result

// result records a worker's result: the first for a task wins, the others
// are counted as duplicates and dropped. Called with c.mu held.
func (c *Coordinator) result(s *session, r *pb.Result) {
	t := c.tasks[r.GetTaskId()]
	if t == nil {
		c.events.Emit("unknown_result",
			map[string]any{"worker": s.id, "task": r.GetTaskId()})
		return
	}
	delete(s.held, t.id)
	if t.finished && !t.byWorker {
		// Its caller gave up (or its deadline passed) and the worker answered anyway.
		c.events.Emit("late_result", map[string]any{"worker": s.id, "task": t.id})
		return
	}
	if t.finished {
		c.duplicates++
		c.events.Emit("duplicate",
			map[string]any{"worker": s.id, "task": t.id, "duplicates": c.duplicates})
		return
	}
	// docs:end first-result
	other := t.holder
	t.byWorker = true
	if e := r.GetError(); e != nil {
		c.finish(t, nil, status.Error(codes.Code(e.GetCode()), e.GetMessage()))
	} else {
		c.finish(t, &pb.SubmitResponse{TaskId: t.id, Output: r.GetOutput(), WorkerId: s.id, Attempts: t.attempt}, nil)
	}
	outcome := "ok"
	if t.err != nil {
		outcome = status.Code(t.err).String()
	}
	if c.events != nil { // building the fields costs, even for no log
		c.events.Emit("result", map[string]any{"worker": s.id, "task": t.id, "attempt": t.attempt, "outcome": outcome})
	}
	if other != nil && other != s {
		// The task's lease ran out and another worker has it now: it can stop.
		c.sendCancel(other, t.id)
	}
}

// finish ends a task with a response or an error. Called with c.mu held.
func (c *Coordinator) finish(t *task, resp *pb.SubmitResponse, err error) {
	if t.finished {
		return
	}
	t.finished, t.resp, t.err = true, resp, err
	c.remember(t)
	if t.holder != nil {
		delete(t.holder.held, t.id)
		t.holder = nil
	}
	delete(c.held, t.id)
	c.queue = slices.DeleteFunc(c.queue, func(q *task) bool { return q == t })
	close(t.done)
}

// remember keeps a finished task, forgetting the oldest beyond
// its MaxFinished. Called with c.mu held.
func (c *Coordinator) remember(t *task) {
	c.finished = append(c.finished, t)
	if len(c.finished) > c.maxFinished {
		old := c.finished[0]
		c.finished[0] = nil
		c.finished = c.finished[1:]
		if c.tasks[old.id] == old {
			delete(c.tasks, old.id)
		}
	}
}

// sendCancel tells a worker to stop a task. Called with c.mu held.
func (c *Coordinator) sendCancel(s *session, id string) {
	delete(s.held, id)
	s.out.push(&pb.CoordinatorMessage{Kind: &pb.CoordinatorMessage_Cancel{Cancel: &pb.Cancel{TaskId: id}}})
	c.events.Emit("cancel", map[string]any{"worker": s.id, "task": id})
}

// dispatch hands queued tasks to workers with credit, oldest task first, to
// the worker with the most credit left. Called with c.mu held.
// docs:start dispatch
func (c *Coordinator) dispatch() {
	now := time.Now()
	kept := c.queue[:0]
	for _, t := range c.queue {
		if !t.deadline.IsZero() && !now.Before(t.deadline) {
			t.finished, t.err = true, status.Error(codes.DeadlineExceeded,
				"swarm: the task's deadline passed in the queue")
			c.remember(t)
			close(t.done)
			continue
		}
		var best *session
		for _, s := range c.sessions {
			if s.gone || s.silent || s.credits == 0 || !s.kinds[t.kind] {
				continue
			}
			if best == nil || s.credits > best.credits {
				best = s
			}
		}
		if best == nil {
			kept = append(kept, t)
			continue
		}
		c.assign(best, t, now)
	}
	clear(c.queue[len(kept):])
	c.queue = kept
}

// docs:end dispatch

// assign hands t to s, spending one of its credits. Called with c.mu held.
func (c *Coordinator) assign(s *session, t *task, now time.Time) {
	s.credits--
	t.attempt++
	t.holder = s
	t.leaseEnd = now.Add(c.lease)
	s.held[t.id] = t
	c.held[t.id] = t
	var budget int64
	if !t.deadline.IsZero() {
		budget = max(1, t.deadline.Sub(now).Milliseconds())
	}
	s.out.push(&pb.CoordinatorMessage{Kind: &pb.CoordinatorMessage_Task{Task: &pb.Task{
		TaskId: t.id, Kind: t.kind, Input: t.input, BudgetMs: budget,
		LeaseMs: c.lease.Milliseconds(), Attempt: t.attempt,
	}}})
	if c.events != nil { // building the fields costs, even for no log
		c.events.Emit("assign", map[string]any{
			"worker": s.id, "task": t.id, "attempt": t.attempt, "held": len(s.held),
			"credits": s.credits, "budget_ms": budget,
		})
	}
}

// checkLeases runs until Close: silent workers and expired leases.
func (c *Coordinator) checkLeases() {
	defer close(c.done)
	tick := time.NewTicker(max(c.lease/5, 5*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case now := <-tick.C:
			c.expire(now)
		}
	}
}

// expire reports workers silent for longer than a lease and puts the tasks
// whose lease ran out back at the head of the queue, to be handed out again.
// docs:start expire
func (c *Coordinator) expire(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sessions {
		if !s.gone && !s.silent && now.Sub(s.lastSeen) > c.lease {
			s.silent = true
			c.events.Emit("worker_silent",
				map[string]any{"worker": s.id, "held": len(s.held)})
		}
	}
	var again []*task
	for _, t := range c.held {
		if now.After(t.leaseEnd) {
			again = append(again, t)
		}
	}
	slices.SortFunc(again, byLeaseEnd)
	for _, t := range again {
		c.events.Emit("lease_expired",
			map[string]any{"worker": t.holder.id, "task": t.id, "attempt": t.attempt})
		delete(t.holder.held, t.id)
		delete(c.held, t.id)
		t.holder = nil
	}
	if len(again) > 0 || len(c.queue) > 0 {
		c.queue = append(again, c.queue...)
		c.dispatch()
	}
}

// docs:end expire

// byLeaseEnd orders tasks by the end of their leases, the earliest first.
func byLeaseEnd(a, b *task) int { return a.leaseEnd.Compare(b.leaseEnd) }

// Submit runs one task on some worker and waits for its result; the call's
// deadline is the task's.
func (c *Coordinator) Submit(ctx context.Context, req *pb.SubmitRequest) (*pb.SubmitResponse, error) {
	if req.GetKind() == "" {
		return nil, status.Error(codes.InvalidArgument, "swarm: submit: kind is empty")
	}
	if len(req.GetTaskId()) > MaxTaskIDLen {
		return nil, status.Errorf(codes.InvalidArgument, "swarm: submit: task_id is longer than %d bytes", MaxTaskIDLen)
	}
	t, created, err := c.enqueue(ctx, req)
	if err != nil {
		return nil, err
	}
	select {
	case <-t.done:
		return t.resp, t.err
	case <-ctx.Done():
		if !created {
			// Another caller submitted this id: its task, its deadline, its cancel.
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		c.cancel(t, ctx.Err())
		<-t.done
		if t.err != nil {
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		return t.resp, nil // the result came first
	}
}

// enqueue finds the task of req's id, or queues a new one (created).
func (c *Coordinator) enqueue(ctx context.Context, req *pb.SubmitRequest) (t *task, created bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t = c.tasks[req.GetTaskId()]; t != nil && req.GetTaskId() != "" {
		c.events.Emit("same_task", map[string]any{"task": t.id})
		return t, false, nil
	}
	if !c.canRun(req.GetKind()) {
		return nil, false, status.Errorf(codes.FailedPrecondition, "swarm: no worker runs tasks of kind %q", req.GetKind())
	}
	id := req.GetTaskId()
	if id == "" {
		for {
			c.nextID++
			id = "t" + strconv.Itoa(c.nextID)
			if c.tasks[id] == nil {
				break
			}
		}
	}
	t = &task{id: id, kind: req.GetKind(), input: req.GetInput(), done: make(chan struct{})}
	if d, ok := ctx.Deadline(); ok {
		t.deadline = d
	}
	c.tasks[id] = t
	c.queue = append(c.queue, t)
	if c.events != nil { // building the fields costs, even for no log
		c.events.Emit("submit", map[string]any{"task": id, "kind": t.kind})
	}
	c.dispatch()
	return t, true, nil
}

// canRun reports whether a connected worker said it runs kind. Called with
// c.mu held.
func (c *Coordinator) canRun(kind string) bool {
	for _, s := range c.sessions {
		if !s.gone && s.kinds[kind] {
			return true
		}
	}
	return false
}

// cancel ends a task whose caller gave up, and tells its worker.
func (c *Coordinator) cancel(t *task, cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.finished {
		return
	}
	holder := t.holder
	c.finish(t, nil, status.FromContextError(cause).Err())
	c.events.Emit("submit_ended", map[string]any{"task": t.id, "cause": cause.Error()})
	if holder != nil {
		c.sendCancel(holder, t.id)
	}
}

// outbox queues a session's outgoing messages for its one sending goroutine
// (a gRPC stream allows one sender at a time), without blocking the
// coordinator's lock on a slow stream.
type outbox struct {
	mu     sync.Mutex
	msgs   []*pb.CoordinatorMessage
	wake   chan struct{}
	closed bool
}

func newOutbox() *outbox { return &outbox{wake: make(chan struct{}, 1)} }

func (o *outbox) push(m *pb.CoordinatorMessage) {
	o.mu.Lock()
	if !o.closed {
		o.msgs = append(o.msgs, m)
	}
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// drain sends queued messages until the outbox is closed or ctx ends.
func (o *outbox) drain(ctx context.Context, send func(*pb.CoordinatorMessage) error) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-o.wake:
		}
		o.mu.Lock()
		msgs, closed := o.msgs, o.closed
		o.msgs = nil
		o.mu.Unlock()
		for _, m := range msgs {
			if err := send(m); err != nil {
				return fmt.Errorf("swarm: send: %w", err)
			}
		}
		if closed {
			return nil
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
