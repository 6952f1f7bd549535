package breaker

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Breaker is a circuit breaker: it watches the outcomes of calls to a
// dependency and, when too many fail or are slow, refuses calls for a while
// instead of piling more work onto something that is struggling.
//
// Build one with [New]; run calls through it with [Execute], [Typed.Execute],
// [Breaker.Acquire] or [Breaker.Allow]. A Breaker is safe for concurrent use.
// In the closed state neither asking for permission nor recording a result
// takes a lock.
type Breaker struct {
	// phase is the current state with everything that lives only as long as
	// it does. Every transition installs a new phase, so a permission can tell
	// whether a transition happened since it was granted by comparing
	// pointers (the spec's generations).
	phase atomic.Pointer[phase]

	name         string
	tl           timeline
	window       WindowType
	windowSize   int
	stripes      int
	closedLimits thresholds
	trialLimits  thresholds
	permits      int
	slow         int64 // ns; strictly longer is slow
	waitInOpen   int64 // ns
	maxWaitHalf  int64 // ns; 0: none
	isFailure    func(error) bool
	isIgnored    func(error) bool
	recordCancel bool

	subs         atomic.Pointer[[]*subscriber]
	notPermitted stripedCounter

	// mu orders transitions and the delivery of their events.
	mu          sync.Mutex
	queue       []Event
	dispatching bool
}

// phase is one stay in one state.
type phase struct {
	state State
	since int64        // when it began, on the breaker's time axis
	count *countWindow // Closed with a count window
	time  *timeWindow  // Closed with a time window
	trial *trial       // HalfOpen
}

// trial is HalfOpen's bookkeeping: permits granted and not given back (in
// flight or recorded), and the counts of the recorded ones.
type trial struct {
	mu      sync.Mutex
	granted int
	counts  counts
}

// New validates cfg and returns a closed Breaker, or a [*ConfigError] naming
// the first bad field.
func New(cfg Config) (*Breaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Breaker{
		name:        cfg.Name,
		tl:          newTimeline(cfg.Clock),
		window:      cfg.SlidingWindow,
		windowSize:  cfg.WindowSize,
		permits:     cfg.HalfOpenPermittedCalls,
		slow:        int64(cfg.SlowCallDuration),
		waitInOpen:  int64(cfg.WaitInOpen),
		maxWaitHalf: int64(cfg.MaxWaitInHalfOpen),
		isFailure:   cfg.IsFailure,
		isIgnored:   cfg.IsIgnored,

		recordCancel: cfg.RecordCallerCancellation,
	}
	minimum := cfg.MinimumCalls
	if cfg.SlidingWindow == CountWindow {
		minimum = min(minimum, cfg.WindowSize)
	}
	b.closedLimits = thresholds{minimum: uint64(minimum), failure: cfg.FailureRateThreshold, slow: cfg.SlowCallRateThreshold}
	b.trialLimits = thresholds{minimum: uint64(cfg.HalfOpenPermittedCalls), failure: cfg.FailureRateThreshold, slow: cfg.SlowCallRateThreshold}
	b.stripes = timeStripes(runtime.GOMAXPROCS(0), cfg.WindowSize)
	b.phase.Store(b.newPhase(Closed, b.tl.now()))
	return b, nil
}

// timeStripes is how many call counters a time window keeps per bucket:
// four per core (goroutines pick theirs by a hash, see stripe, so fewer
// would collide often), a power of two, at most 16, and fewer for windows
// so long that the counters would pass 64Ki (4 MiB).
func timeStripes(procs, seconds int) int {
	n := 1 << bits.Len(uint(4*procs-1))
	for n > 16 || (n > 1 && n*seconds > 1<<16) {
		n /= 2
	}
	return n
}

func (b *Breaker) newPhase(s State, since int64) *phase {
	p := &phase{state: s, since: since}
	switch s {
	case Closed:
		if b.window == CountWindow {
			p.count = newCountWindow(b.windowSize, b.closedLimits)
		} else {
			p.time = newTimeWindow(b.windowSize, b.stripes, b.closedLimits)
		}
	case HalfOpen:
		p.trial = new(trial)
	}
	return p
}

// Name returns the breaker's Config.Name.
func (b *Breaker) Name() string { return b.name }

// State returns the current state, after applying every time-driven
// transition that is due.
func (b *Breaker) State() State {
	p := b.phase.Load()
	if p.state == Open || p.state == HalfOpen {
		p = b.advance(b.tl.now())
	}
	return p.state
}

// ---------------------------------------------------------------------------
// Permissions

// Permission is the right to make one call, granted by [Breaker.Acquire].
// Report how the call ended with [Permission.Complete], exactly once. A
// Permission is a small value: keeping and finishing one allocates nothing.
type Permission struct {
	b     *Breaker
	p     *phase // the phase that granted it
	start int64
}

// docs:start acquire

// Acquire asks for permission to make one call now. It returns an
// [*OpenError] (errors.Is(err, ErrOpen)) when the breaker refuses.
func (b *Breaker) Acquire() (Permission, error) {
	p := b.phase.Load()
	if p.state == Closed { // nothing time-driven ever leaves Closed
		return Permission{b: b, p: p, start: b.tl.now()}, nil
	}
	return b.acquireSlow()
}

func (b *Breaker) acquireSlow() (Permission, error) {
	now := b.tl.now()
	p := b.advance(now)
	switch p.state {
	case Closed, Disabled:
		return Permission{b: b, p: p, start: now}, nil
	case HalfOpen:
		if p.trial.take(b.permits) {
			return Permission{b: b, p: p, start: now}, nil
		}
	}
	return Permission{}, b.reject(p, now)
}

// docs:end acquire

func (t *trial) take(permits int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.granted >= permits {
		return false
	}
	t.granted++
	return true
}

func (b *Breaker) reject(p *phase, now int64) error {
	err := &OpenError{Name: b.name, State: p.state}
	switch p.state {
	case Open:
		err.RetryAfter = durationOf(p.since + b.waitInOpen - now)
	case ForcedOpen:
		err.RetryAfter = Forever
	}
	b.notPermitted.add()
	if b.subscribed() {
		b.publish(Event{Type: EventNotPermitted, Name: b.name, At: b.tl.at(now), State: p.state, Err: err})
	}
	return err
}

// Complete reports how the call ended. Its duration is the time since Acquire;
// a result whose permission was granted before the breaker's latest
// transition is discarded.
func (p Permission) Complete(o Outcome) { p.CompleteErr(o, nil) }

// CompleteErr is Complete with the call's error, which subscribers see in the
// outcome's [Event]. (Use [Breaker.Classify] to turn an error into an
// Outcome.)
func (p Permission) CompleteErr(o Outcome, err error) {
	if p.b != nil {
		p.b.done(p.p, p.start, o, err)
	}
}

// Allow is the two-step form as a function: it returns done, to be called
// exactly once with the call's outcome (later calls do nothing), or the
// rejection. Allow allocates done; [Breaker.Acquire] is the allocation-free
// form of the same thing.
func (b *Breaker) Allow() (done func(Outcome), err error) {
	perm, err := b.Acquire()
	if err != nil {
		return nil, err
	}
	a := &allowance{perm: perm}
	return a.done, nil
}

type allowance struct {
	perm Permission
	used atomic.Bool
}

func (a *allowance) done(o Outcome) {
	if a.used.CompareAndSwap(false, true) {
		a.perm.Complete(o)
	}
}

// docs:start record

func (b *Breaker) done(p *phase, start int64, o Outcome, err error) {
	end := b.tl.now()
	switch p.state {
	case Closed:
		if b.phase.Load() != p {
			b.discarded(p, start, end, o, err)
			return
		}
		if o == Ignored {
			b.outcome(p, start, end, o, err)
			return
		}
		bits := outcomeBits(o == Failure, end-start > b.slow)
		b.outcome(p, start, end, o, err)
		var trips bool
		if p.count != nil {
			trips = p.count.record(bits)
		} else {
			trips = p.time.record(bits, end)
		}
		if trips {
			b.transition(p, Open, end)
		}
		// docs:end record
		// docs:start record-half-open
	case HalfOpen:
		if b.advance(end) != p { // late: HalfOpen has ended, maybe just now
			b.discarded(p, start, end, o, err)
			return
		}
		b.outcome(p, start, end, o, err)
		if decided, c := p.trial.record(o, end-start > b.slow, b.permits); decided {
			to := Closed
			if b.trialLimits.trips(c) {
				to = Open
			}
			b.transition(p, to, end)
		}
	case Disabled: // records nothing, but subscribers still hear of the call
		b.outcome(p, start, end, o, err)
	}
	// Open and ForcedOpen grant no permissions.
}

// docs:end record-half-open

// docs:start half-open-trial

// record adds one trial outcome (an ignored one gives its permit back) and
// reports whether all the trial calls are now in, with their counts.
func (t *trial) record(o Outcome, slow bool, permits int) (bool, counts) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if o == Ignored {
		t.granted--
		return false, t.counts
	}
	t.counts.calls++
	if o == Failure {
		t.counts.failed++
	}
	if slow {
		t.counts.slow++
	}
	return t.counts.calls == uint64(permits), t.counts
}

// docs:end half-open-trial

// ---------------------------------------------------------------------------
// Transitions

// dueLimit bounds how many due transitions one consultation reports one by
// one; beyond it whole open/half-open cycles are skipped silently (see
// skipCycles).
const dueLimit = 10_000

// docs:start apply-due

// advance applies every time-driven transition due at or before now, each at
// the moment it was due, and returns the current phase.
func (b *Breaker) advance(now int64) *phase {
	for applied := 0; ; applied++ {
		p := b.phase.Load()
		var to State
		var at int64
		switch {
		case p.state == Open && now >= p.since+b.waitInOpen:
			to, at = HalfOpen, p.since+b.waitInOpen
		case p.state == HalfOpen && b.maxWaitHalf > 0 && now >= p.since+b.maxWaitHalf:
			to, at = Open, p.since+b.maxWaitHalf
		default:
			return p
		}
		if applied == dueLimit {
			at = b.skipCycles(p, now)
		}
		b.transition(p, to, at)
	}
}

// docs:end apply-due

// skipCycles is for a breaker left alone through more than dueLimit
// transitions of open/half-open cycles (a zero wait in Open and a tiny maximum wait in
// HalfOpen): it moves p's start forward by whole cycles, without events, to
// the last cycle that began at or before now, and returns when p's current
// stay then ends.
func (b *Breaker) skipCycles(p *phase, now int64) int64 {
	cycle := b.waitInOpen + b.maxWaitHalf
	stay := b.waitInOpen
	if p.state == HalfOpen {
		stay = b.maxWaitHalf
	}
	if n := (now - p.since - stay) / cycle; n > 0 {
		return p.since + n*cycle + stay
	}
	return p.since + stay
}

// docs:start transition

// transition moves from phase from (if it is still current) to a new phase
// in state to that began at at, and delivers the transition's event.
func (b *Breaker) transition(from *phase, to State, at int64) {
	b.mu.Lock()
	if b.phase.Load() != from {
		b.mu.Unlock()
		return
	}
	b.phase.Store(b.newPhase(to, at))
	b.queue = append(b.queue, Event{
		Type: EventTransition, Name: b.name, At: b.tl.at(at),
		State: to, From: from.state,
	})
	b.mu.Unlock()
	b.dispatch()
}

// docs:end transition

// ForceOpen moves the breaker to ForcedOpen (if it is not there already),
// where it rejects every call until Close, Disable or Reset.
func (b *Breaker) ForceOpen() { b.manual(ForcedOpen) }

// Disable moves the breaker to Disabled (if it is not there already), where
// it permits every call and records nothing until Close, ForceOpen or Reset.
func (b *Breaker) Disable() { b.manual(Disabled) }

// Close moves the breaker to Closed with an empty window (if it is not
// closed already).
func (b *Breaker) Close() { b.manual(Closed) }

func (b *Breaker) manual(to State) {
	now := b.tl.now()
	for p := b.advance(now); p.state != to; p = b.phase.Load() {
		b.transition(p, to, now)
	}
}

// Reset moves the breaker to Closed and forgets everything: the window, the
// not-permitted count, and every permission granted so far (their results
// will be discarded). It reports a transition only if the state changes, and
// always an [EventReset].
func (b *Breaker) Reset() {
	now := b.tl.now()
	b.advance(now)
	b.mu.Lock()
	from := b.phase.Load()
	b.phase.Store(b.newPhase(Closed, now))
	b.notPermitted.reset()
	at := b.tl.at(now)
	if from.state != Closed {
		b.queue = append(b.queue, Event{Type: EventTransition, Name: b.name, At: at, State: Closed, From: from.state})
	}
	b.queue = append(b.queue, Event{Type: EventReset, Name: b.name, At: at, State: Closed})
	b.mu.Unlock()
	b.dispatch()
}

// ---------------------------------------------------------------------------
// Helpers

// stripedCounter is a counter that many cores can add to at once without
// fighting over one cache line: each goroutine adds to its own cell (see
// stripe).
type stripedCounter struct {
	cells [8]paddedUint64
}

func (c *stripedCounter) add() { c.cells[stripe()&7].Add(1) }

func (c *stripedCounter) load() uint64 {
	var n uint64
	for i := range c.cells {
		n += c.cells[i].Load()
	}
	return n
}

func (c *stripedCounter) reset() {
	for i := range c.cells {
		c.cells[i].Store(0)
	}
}
