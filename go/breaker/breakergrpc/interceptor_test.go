package breakergrpc_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"twinbook/breaker"
	"twinbook/breaker/breakergrpc"
	"twinbook/clock"
	"twinbook/internal/flakypb"
	"twinbook/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// flakyServer implements the Flaky service (proto/flaky/v1/flaky.proto):
// it answers, or fails with the code a request or SetMode asks for.
type flakyServer struct {
	flakypb.UnimplementedFlakyServer
	mu      sync.Mutex
	code    codes.Code
	message string
	served  atomic.Int64
}

func (s *flakyServer) fail(requested int32) error {
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

func (s *flakyServer) Call(ctx context.Context, req *flakypb.CallRequest) (*flakypb.CallResponse, error) {
	n := s.served.Add(1)
	if err := s.fail(req.GetFailCode()); err != nil {
		return nil, err
	}
	if d := time.Duration(req.GetDelayMs()) * time.Millisecond; d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	return &flakypb.CallResponse{Payload: req.GetPayload(), Served: n}, nil
}

func (s *flakyServer) Watch(req *flakypb.WatchRequest, stream grpc.ServerStreamingServer[flakypb.CallResponse]) error {
	n := s.served.Add(1)
	if err := s.fail(req.GetFailCode()); err != nil {
		return err
	}
	for range req.GetCount() {
		if err := stream.Send(&flakypb.CallResponse{Payload: req.GetPayload(), Served: n}); err != nil {
			return err
		}
	}
	return nil
}

func (s *flakyServer) SetMode(_ context.Context, req *flakypb.SetModeRequest) (*flakypb.SetModeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.code
	s.code, s.message = codes.Code(req.GetCode()), req.GetMessage()
	return &flakypb.SetModeResponse{PreviousCode: int32(prev)}, nil
}

// fixture is a real gRPC server on a loopback TCP port, a client through a
// breaker, and a control client without one.
type fixture struct {
	server  *flakyServer
	client  flakypb.FlakyClient // through the breaker
	control flakypb.FlakyClient // straight to the server
	cb      *breaker.Breaker
	clock   *clock.Manual
}

func newFixture(t *testing.T, opts ...breakergrpc.Option) *fixture {
	t.Helper()
	lis := testutil.Loopback(t)
	f := &fixture{server: new(flakyServer)}
	srv := grpc.NewServer()
	flakypb.RegisterFlakyServer(srv, f.server)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)

	f.cb, f.clock = testutil.MiddlewareBreaker(t, 10*time.Second, nil)
	dial := func(extra ...grpc.DialOption) *grpc.ClientConn {
		conn, err := grpc.NewClient(lis.Addr().String(),
			append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, extra...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	f.client = flakypb.NewFlakyClient(dial(
		grpc.WithUnaryInterceptor(breakergrpc.UnaryClientInterceptor(f.cb, opts...)),
		grpc.WithStreamInterceptor(breakergrpc.StreamClientInterceptor(f.cb, opts...)),
	))
	f.control = flakypb.NewFlakyClient(dial())
	return f
}

func (f *fixture) setMode(t *testing.T, code codes.Code) {
	t.Helper()
	if _, err := f.control.SetMode(context.Background(), &flakypb.SetModeRequest{Code: int32(code), Message: "told to"}); err != nil {
		t.Fatal(err)
	}
}

func TestUnaryClassifiesByCode(t *testing.T) {
	tests := []struct {
		code   codes.Code
		failed bool
	}{
		{codes.OK, false},
		{codes.Unavailable, true},
		{codes.Internal, true},
		{codes.Unknown, true},
		{codes.ResourceExhausted, true},
		{codes.InvalidArgument, false},
		{codes.NotFound, false},
		{codes.PermissionDenied, false},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.code.String(), func(t *testing.T) {
			f.cb.Reset()
			_, err := f.client.Call(context.Background(), &flakypb.CallRequest{Payload: "x", FailCode: int32(tt.code)})
			if status.Code(err) != tt.code {
				t.Fatalf("err = %v, want code %s", err, tt.code)
			}
			want := 0
			if tt.failed {
				want = 1
			}
			if m := f.cb.Metrics(); m.Calls != 1 || m.Failed != want {
				t.Errorf("breaker saw %d calls, %d failed; want 1, %d", m.Calls, m.Failed, want)
			}
		})
	}
}

func TestUnaryTripsAndRecovers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.setMode(t, codes.Unavailable)
	for range 4 {
		if _, err := f.client.Call(ctx, &flakypb.CallRequest{}); status.Code(err) != codes.Unavailable {
			t.Fatalf("err = %v, want Unavailable from the server", err)
		}
	}
	if s := f.cb.State(); s != breaker.Open {
		t.Fatalf("state %s after four Unavailable, want open", s)
	}
	served := f.server.served.Load()
	_, err := f.client.Call(ctx, &flakypb.CallRequest{})
	var oe *breaker.OpenError
	if status.Code(err) != codes.Unavailable || !errors.Is(err, breaker.ErrOpen) || !errors.As(err, &oe) || oe.RetryAfter != 10*time.Second {
		t.Fatalf("err = %v, want the breaker's rejection as Unavailable, 10s to wait", err)
	}
	if f.server.served.Load() != served {
		t.Error("an open breaker let a call reach the server")
	}

	f.setMode(t, codes.OK)
	f.clock.Advance(10 * time.Second)
	resp, err := f.client.Call(ctx, &flakypb.CallRequest{Payload: "probe"})
	if err != nil || resp.GetPayload() != "probe" {
		t.Fatalf("trial call = %v, %v", resp, err)
	}
	if s := f.cb.State(); s != breaker.Closed {
		t.Errorf("state %s after a good trial call, want closed", s)
	}
}

func TestUnaryIgnoresTheCallersCancellation(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := f.client.Call(ctx, &flakypb.CallRequest{DelayMs: 10_000})
	if status.Code(err) != codes.Canceled {
		t.Fatalf("err = %v, want Canceled", err)
	}
	if m := f.cb.Metrics(); m.Calls != 0 {
		t.Errorf("the caller's own cancellation was recorded: %+v", m)
	}
}

func TestUnaryCountsTheCallersDeadline(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := f.client.Call(ctx, &flakypb.CallRequest{DelayMs: 10_000})
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if m := f.cb.Metrics(); m.Calls != 1 || m.Failed != 1 {
		t.Errorf("a server too slow for the caller's deadline: %+v, want one failure", m)
	}
}

func TestCustomFailureCodes(t *testing.T) {
	f := newFixture(t, breakergrpc.WithFailureCodes(codes.InvalidArgument))
	f.client.Call(context.Background(), &flakypb.CallRequest{FailCode: int32(codes.InvalidArgument)})
	f.client.Call(context.Background(), &flakypb.CallRequest{FailCode: int32(codes.Unavailable)})
	if m := f.cb.Metrics(); m.Calls != 2 || m.Failed != 1 {
		t.Errorf("metrics %+v, want InvalidArgument alone to be a failure", m)
	}
}

func TestStream(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	read := func(req *flakypb.WatchRequest) (int, error) {
		stream, err := f.client.Watch(ctx, req)
		if err != nil {
			return 0, err
		}
		n := 0
		for {
			if _, err := stream.Recv(); err != nil {
				if errors.Is(err, io.EOF) {
					return n, nil
				}
				return n, err
			}
			n++
		}
	}
	if n, err := read(&flakypb.WatchRequest{Payload: "p", Count: 3}); n != 3 || err != nil {
		t.Fatalf("read %d, %v; want 3 messages", n, err)
	}
	if m := f.cb.Metrics(); m.Calls != 1 || m.Failed != 0 {
		t.Errorf("after a clean stream: %+v, want one success", m)
	}
	for range 3 {
		if _, err := read(&flakypb.WatchRequest{Count: 3, FailCode: int32(codes.Internal)}); status.Code(err) != codes.Internal {
			t.Fatalf("err = %v, want Internal", err)
		}
	}
	if s := f.cb.State(); s != breaker.Open {
		t.Fatalf("state %s after three failed streams of four calls, want open", s)
	}
	if _, err := f.client.Watch(ctx, &flakypb.WatchRequest{Count: 1}); !errors.Is(err, breaker.ErrOpen) || status.Code(err) != codes.Unavailable {
		t.Errorf("opening a stream through an open breaker: %v, want the rejection", err)
	}
}

func TestCanceledStreamGivesItsPermitBack(t *testing.T) {
	f := newFixture(t)
	// Half-open with one permit: trip, then wait.
	f.setMode(t, codes.Unavailable)
	for range 4 {
		f.client.Call(context.Background(), &flakypb.CallRequest{})
	}
	f.setMode(t, codes.OK)
	f.clock.Advance(10 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := f.client.Watch(ctx, &flakypb.WatchRequest{Count: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cb.Acquire(); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("the stream does not hold the only trial permit: %v", err)
	}
	cancel() // abandoned without reading: the breaker must still hear of it
	deadline := time.Now().Add(10 * time.Second)
	for {
		perm, err := f.cb.Acquire()
		if err == nil {
			perm.Complete(breaker.Success)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the canceled stream never gave its permit back")
		}
		time.Sleep(time.Millisecond)
	}
	if s := f.cb.State(); s != breaker.Closed {
		t.Errorf("state %s, want closed after the trial", s)
	}
}
