package swarm

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"twinbook/internal/flakypb"
)

// FlakyCall is how one Flaky.Call ended on the server.
type FlakyCall struct {
	// Payload is the request's payload (the worker sends its task id).
	Payload string
	// Deadline is the time the call had left when it arrived; HasDeadline is
	// false when the caller set none.
	Deadline    time.Duration
	HasDeadline bool
	// Stopped is true when the caller's deadline or cancellation ended the
	// call before its delay was up: the work stopped.
	Stopped bool
}

// MaxFlakyCalls is how many calls a FlakyServer remembers: a long-running
// server must not grow without bound.
const MaxFlakyCalls = 10000

// FlakyServer is the flaky.v1 dependency the flaky kind calls: it echoes,
// fails with the code SetMode (or the request) asks for, waits delay_ms
// unless the call ends first, and records every call so that a test can see
// whether a deadline reached it and stopped it.
type FlakyServer struct {
	flakypb.UnimplementedFlakyServer
	served atomic.Int64

	mu      sync.Mutex
	code    codes.Code
	message string
	calls   []FlakyCall
	ended   chan struct{} // signalled (not closed) after each call is recorded
}

// NewFlakyServer returns a healthy server.
func NewFlakyServer() *FlakyServer {
	return &FlakyServer{ended: make(chan struct{}, 1)}
}

// Calls returns the calls recorded so far.
func (s *FlakyServer) Calls() []FlakyCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FlakyCall(nil), s.calls...)
}

// Ended receives after each recorded call (a poke: read Calls after it).
func (s *FlakyServer) Ended() <-chan struct{} { return s.ended }

// Call implements flaky.v1.Flaky.Call.
func (s *FlakyServer) Call(ctx context.Context, req *flakypb.CallRequest) (*flakypb.CallResponse, error) {
	n := s.served.Add(1)
	rec := FlakyCall{Payload: req.GetPayload()}
	if d, ok := ctx.Deadline(); ok {
		rec.Deadline, rec.HasDeadline = time.Until(d), true
	}
	err := s.fail(req.GetFailCode())
	if err == nil && req.GetDelayMs() > 0 {
		timer := time.NewTimer(time.Duration(req.GetDelayMs()) * time.Millisecond)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			rec.Stopped = true
			err = status.FromContextError(ctx.Err()).Err()
		}
	}
	s.mu.Lock()
	s.calls = append(s.calls, rec)
	if len(s.calls) > MaxFlakyCalls {
		s.calls = append(s.calls[:0], s.calls[len(s.calls)-MaxFlakyCalls:]...)
	}
	s.mu.Unlock()
	select {
	case s.ended <- struct{}{}:
	default:
	}
	if err != nil {
		return nil, err
	}
	return &flakypb.CallResponse{Payload: req.GetPayload(), Served: n}, nil
}

// SetMode implements flaky.v1.Flaky.SetMode.
func (s *FlakyServer) SetMode(_ context.Context, req *flakypb.SetModeRequest) (*flakypb.SetModeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.code
	s.code, s.message = codes.Code(req.GetCode()), req.GetMessage()
	return &flakypb.SetModeResponse{PreviousCode: int32(prev)}, nil
}

func (s *FlakyServer) fail(requested int32) error {
	s.mu.Lock()
	code, msg := s.code, s.message
	s.mu.Unlock()
	if requested != 0 {
		code, msg = codes.Code(requested), "failing as the request asked"
	}
	if code != codes.OK {
		return status.Error(code, msg)
	}
	return nil
}
