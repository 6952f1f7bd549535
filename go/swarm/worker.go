package swarm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"twinbook/breaker"
	"twinbook/breaker/breakergrpc"
	"twinbook/internal/flakypb"
	pb "twinbook/internal/swarmpb"
)

// ErrCoordinatorGone is wrapped by the error a [Worker] returns when it
// could not reach its coordinator in WorkerConfig.Attempts tries in a row.
var ErrCoordinatorGone = errors.New("swarm: the coordinator is gone")

// ErrWorkerConfig is wrapped by the errors of [NewWorker] for a bad config.
var ErrWorkerConfig = errors.New("swarm: invalid worker config")

// WorkerConfig is a worker's flags.
type WorkerConfig struct {
	// Address is the coordinator's host:port.
	Address string
	// ID names the worker among the coordinator's workers.
	ID string
	// Kinds are the task kinds it runs: square, sleep, flaky.
	Kinds []string
	// Credits is how many tasks it runs at once, >= 1.
	Credits int
	// Heartbeat is how often it names its running tasks; default 1s. Keep
	// it well under the coordinator's lease.
	Heartbeat time.Duration
	// Flaky is the flaky.v1 server's host:port, for the flaky kind.
	Flaky string
	// Breaker guards the calls to Flaky; zero: [DefaultWorkerBreaker].
	Breaker breaker.Config
	// Attempts bounds the tries in a row to reach the coordinator before
	// Run gives up with ErrCoordinatorGone; default 5.
	Attempts int
	// Backoff is the wait between those tries; default 200ms.
	Backoff time.Duration
	// Events receives the worker's events; nil: none.
	Events *EventLog
}

// DefaultWorkerBreaker is the breaker each worker puts in front of its
// dependency: its own, so that an outage trips the breakers of the workers
// that see it and costs each of them a few calls, not a pile of timeouts.
func DefaultWorkerBreaker() breaker.Config {
	cfg := breaker.DefaultConfig()
	cfg.Name = "flaky"
	cfg.WindowSize, cfg.MinimumCalls = 4, 4
	cfg.WaitInOpen = 5 * time.Second
	cfg.HalfOpenPermittedCalls = 1
	return cfg
}

// Worker runs tasks for a coordinator: Hello with its kinds, credits as it
// has room, heartbeats, each task under its own context with the task's
// budget as deadline, cancelled when the coordinator sends Cancel.
type Worker struct {
	cfg   WorkerConfig
	kinds map[string]Kind
	flaky *grpc.ClientConn // nil without the flaky kind

	sendMu sync.Mutex // one sender at a time on a gRPC stream

	mu      sync.Mutex
	stream  pb.Coordinator_WorkClient // nil between sessions
	running map[string]context.CancelFunc
	most    int
	freed   int           // room freed since the last Credit of this session
	results []*pb.Result  // ended tasks' results, for the session's sender
	wake    chan struct{} // a result is waiting (a token, never blocks)
	tasks   sync.WaitGroup
}

// NewWorker checks cfg and prepares the worker's kinds.
func NewWorker(cfg WorkerConfig) (*Worker, error) {
	if cfg.ID == "" {
		return nil, fmt.Errorf("%w: the worker id is empty", ErrWorkerConfig)
	}
	if cfg.Credits < 1 {
		return nil, fmt.Errorf("%w: credits must be >= 1, got %d", ErrWorkerConfig, cfg.Credits)
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 200 * time.Millisecond
	}
	w := &Worker{
		cfg: cfg, kinds: make(map[string]Kind), running: make(map[string]context.CancelFunc),
		wake: make(chan struct{}, 1),
	}
	for _, k := range cfg.Kinds {
		switch k {
		case "square":
			w.kinds[k] = Square
		case "sleep":
			w.kinds[k] = Sleep
		case "flaky":
			if cfg.Flaky == "" {
				return nil, fmt.Errorf("%w: the flaky kind needs the flaky server's address", ErrWorkerConfig)
			}
			bcfg := cfg.Breaker
			if bcfg.SlidingWindow == "" {
				bcfg = DefaultWorkerBreaker()
			}
			cb, err := breaker.New(bcfg)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrWorkerConfig, err)
			}
			conn, err := grpc.NewClient(cfg.Flaky,
				grpc.WithTransportCredentials(insecure.NewCredentials()),
				grpc.WithUnaryInterceptor(breakergrpc.UnaryClientInterceptor(cb)))
			if err != nil {
				return nil, fmt.Errorf("%w: flaky server %q: %w", ErrWorkerConfig, cfg.Flaky, err)
			}
			w.flaky = conn
			w.kinds[k] = Flaky(flakypb.NewFlakyClient(conn))
		default:
			return nil, fmt.Errorf("%w: unknown kind %q (square, sleep, flaky)", ErrWorkerConfig, k)
		}
	}
	if len(w.kinds) == 0 {
		return nil, fmt.Errorf("%w: no kinds", ErrWorkerConfig)
	}
	return w, nil
}

// MostRunning returns the most tasks the worker ever ran at once.
func (w *Worker) MostRunning() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.most
}

// Run works for the coordinator until ctx ends (nil), the coordinator
// refuses it (its status), or the coordinator cannot be reached in
// cfg.Attempts tries in a row (ErrCoordinatorGone). Its tasks are cancelled
// and waited for before it returns.
func (w *Worker) Run(ctx context.Context) error {
	defer func() {
		w.mu.Lock()
		for _, cancel := range w.running {
			cancel()
		}
		w.mu.Unlock()
		w.tasks.Wait()
		if w.flaky != nil {
			_ = w.flaky.Close()
		}
	}()
	conn, err := grpc.NewClient(w.cfg.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("swarm: worker %s: coordinator address %q: %w", w.cfg.ID, w.cfg.Address, err)
	}
	defer conn.Close()
	client := pb.NewCoordinatorClient(conn)
	failures := 0
	for {
		established, err := w.session(ctx, ctx, client)
		if ctx.Err() != nil {
			return nil
		}
		if established {
			failures = 0
		}
		if code := status.Code(err); err != nil && code != codes.Unavailable && code != codes.Canceled {
			return fmt.Errorf("swarm: worker %s: the coordinator refused it: %w", w.cfg.ID, err)
		}
		failures++
		if failures >= w.cfg.Attempts {
			return fmt.Errorf("%w: %s did not answer %d tries in a row: %w", ErrCoordinatorGone, w.cfg.Address, failures, err)
		}
		w.cfg.Events.Emit("reconnect", map[string]any{"worker": w.cfg.ID, "failures": failures, "error": errText(err)})
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(w.cfg.Backoff):
		}
	}
}

// streamStatus is what a failed Send stands for: io.EOF only says that the
// stream ended, and gRPC gives its status (a coordinator's refusal, say) to
// the next Recv.
func streamStatus(stream pb.Coordinator_WorkClient, err error) error {
	if !errors.Is(err, io.EOF) {
		return err
	}
	if _, recvErr := stream.Recv(); recvErr != nil && !errors.Is(recvErr, io.EOF) {
		return recvErr
	}
	return err
}

// session is one Work stream; established says the stream opened.
// tasksCtx is the parent of the tasks' contexts: they outlive a session.
func (w *Worker) session(ctx, tasksCtx context.Context, client pb.CoordinatorClient) (bool, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := client.Work(sctx)
	if err != nil {
		return false, err
	}
	w.mu.Lock()
	w.stream = stream
	room := w.cfg.Credits - len(w.running)
	w.freed = 0
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.stream = nil
		w.results = nil // a result the session did not send is lost with it, as a send would be
		w.mu.Unlock()
	}()
	kinds := make([]string, 0, len(w.kinds))
	for k := range w.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	hello := &pb.WorkerMessage{Kind: &pb.WorkerMessage_Hello{Hello: &pb.Hello{WorkerId: w.cfg.ID, Kinds: kinds, Language: "go"}}}
	if err := w.sendOn(stream, hello); err != nil {
		return false, streamStatus(stream, err)
	}
	w.cfg.Events.Emit("connected", map[string]any{"worker": w.cfg.ID, "kinds": strings.Join(kinds, ","), "credits": room})
	if room > 0 {
		if err := w.sendOn(stream, credit(room)); err != nil {
			return true, streamStatus(stream, err)
		}
	}
	beats, sender := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(beats)
		w.heartbeat(sctx, stream)
	}()
	go func() {
		defer close(sender)
		w.sendResults(sctx, stream)
	}()
	defer func() { cancel(); <-beats; <-sender }()
	for {
		msg, err := stream.Recv()
		if err != nil {
			return true, err
		}
		switch m := msg.GetKind().(type) {
		case *pb.CoordinatorMessage_Task:
			w.start(tasksCtx, m.Task)
		case *pb.CoordinatorMessage_Cancel:
			w.cancel(m.Cancel.GetTaskId())
		}
	}
}

func credit(n int) *pb.WorkerMessage {
	return &pb.WorkerMessage{Kind: &pb.WorkerMessage_Credit{Credit: &pb.Credit{Tasks: int32(n)}}}
}

// heartbeat names the running tasks every cfg.Heartbeat until ctx ends.
func (w *Worker) heartbeat(ctx context.Context, stream pb.Coordinator_WorkClient) {
	tick := time.NewTicker(w.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		w.mu.Lock()
		ids := make([]string, 0, len(w.running))
		for id := range w.running {
			ids = append(ids, id)
		}
		w.mu.Unlock()
		sort.Strings(ids)
		if w.sendOn(stream, &pb.WorkerMessage{Kind: &pb.WorkerMessage_Heartbeat{Heartbeat: &pb.Heartbeat{Running: ids}}}) != nil {
			return
		}
	}
}

// sendOn sends one message on stream; gRPC allows one sender at a time.
func (w *Worker) sendOn(stream pb.Coordinator_WorkClient, m *pb.WorkerMessage) error {
	w.sendMu.Lock()
	defer w.sendMu.Unlock()
	return stream.Send(m)
}

// sendResults is a session's one sender of results: it sends every result
// that has piled up since it last woke, then one Credit for the room they
// freed, until ctx ends. A task's goroutine only queues its result: under
// load many results go out per wake-up and gRPC writes them together, and
// the credits they free go in one message.
//
// Credit is granted in batches of at least a quarter of the worker's credits:
// fewer messages at full load, and never a stall, since the coordinator still
// holds credits - running - freed > 0 whenever freed is below it.
func (w *Worker) sendResults(ctx context.Context, stream pb.Coordinator_WorkClient) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		w.mu.Lock()
		results := w.results
		w.results = nil
		grant := 0
		if w.freed >= max(1, w.cfg.Credits/4) {
			grant, w.freed = w.freed, 0
		}
		w.mu.Unlock()
		for _, r := range results {
			if w.sendOn(stream, &pb.WorkerMessage{Kind: &pb.WorkerMessage_Result{Result: r}}) != nil {
				return
			}
		}
		if grant > 0 && w.sendOn(stream, credit(grant)) != nil {
			return
		}
	}
}

// start runs a task in its own goroutine, under a context that ends at the
// task's budget or when the coordinator cancels it.
//
// The context keeps parent's values but not its cancellation: Run cancels
// every running task itself when it ends (w.running), and a context that
// is not a cancelable parent's child is not registered with it, so that
// tasks starting and ending by the thousand do not all queue on its lock.
func (w *Worker) start(parent context.Context, t *pb.Task) {
	base := context.WithoutCancel(parent)
	var ctx context.Context
	var cancel context.CancelFunc
	if t.GetBudgetMs() > 0 {
		ctx, cancel = context.WithTimeout(base, time.Duration(t.GetBudgetMs())*time.Millisecond)
	} else {
		ctx, cancel = context.WithCancel(base)
	}
	w.mu.Lock()
	if _, dup := w.running[t.GetTaskId()]; dup {
		w.mu.Unlock()
		cancel()
		w.cfg.Events.Emit("already_running", map[string]any{"worker": w.cfg.ID, "task": t.GetTaskId()})
		return
	}
	w.running[t.GetTaskId()] = cancel
	n := len(w.running)
	w.most = max(w.most, n)
	w.mu.Unlock()
	w.cfg.Events.Emit("task_start", map[string]any{
		"worker": w.cfg.ID, "task": t.GetTaskId(), "kind": t.GetKind(), "attempt": t.GetAttempt(),
		"budget_ms": t.GetBudgetMs(), "running": n, "credits": w.cfg.Credits,
	})
	w.tasks.Add(1)
	go func() {
		defer w.tasks.Done()
		w.run(ctx, cancel, t)
	}()
}

// run runs one task, then queues its result and the room it freed for the
// session's sender.
func (w *Worker) run(ctx context.Context, cancel context.CancelFunc, t *pb.Task) {
	began := time.Now()
	var out []byte
	var err error
	if kind := w.kinds[t.GetKind()]; kind != nil {
		out, err = kind(ctx, t.GetTaskId(), t.GetInput())
	} else {
		err = status.Errorf(codes.FailedPrecondition, "worker %s does not run kind %q", w.cfg.ID, t.GetKind())
	}
	stopped := ctx.Err() != nil
	cancel()
	r := &pb.Result{TaskId: t.GetTaskId()}
	outcome := "ok"
	if err != nil {
		st := status.Convert(err)
		if ctxErr := ctx.Err(); ctxErr != nil && st.Code() == codes.Unknown {
			st = status.FromContextError(ctxErr)
		}
		outcome = st.Code().String()
		// The call may report the deadline before the task's own timer fires.
		stopped = stopped || st.Code() == codes.Canceled || st.Code() == codes.DeadlineExceeded
		r.Outcome = &pb.Result_Error{Error: &pb.TaskError{Code: int32(st.Code()), Message: st.Message()}}
	} else {
		r.Outcome = &pb.Result_Output{Output: out}
	}
	w.mu.Lock()
	delete(w.running, t.GetTaskId())
	n := len(w.running)
	w.mu.Unlock()
	// logged before the result leaves, so that the log has it once the coordinator does
	w.cfg.Events.Emit("task_end", map[string]any{
		"worker": w.cfg.ID, "task": t.GetTaskId(), "outcome": outcome, "stopped": stopped,
		"elapsed_ms": time.Since(began).Milliseconds(), "running": n,
	})
	w.mu.Lock()
	w.freed++
	if w.stream != nil { // between sessions the result is dropped and its lease runs out
		w.results = append(w.results, r)
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // the sender has a token already: it sends this result with the others
	}
}

// cancel stops a running task; a task that already ended is left alone.
func (w *Worker) cancel(id string) {
	w.mu.Lock()
	cancel := w.running[id]
	w.mu.Unlock()
	w.cfg.Events.Emit("cancel", map[string]any{"worker": w.cfg.ID, "task": id, "running": cancel != nil})
	if cancel != nil {
		cancel()
	}
}
