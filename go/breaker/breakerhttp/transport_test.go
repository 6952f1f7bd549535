package breakerhttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"twinbook/breaker"
	"twinbook/breaker/breakerhttp"
	"twinbook/clock"
	"twinbook/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// flakyServer is a real HTTP server on loopback that answers with the status
// it was last told to, or drops the connection, or hangs until the request
// is canceled.
type flakyServer struct {
	*httptest.Server
	mode   atomic.Pointer[any] // an int status, or "drop", or "hang"
	served atomic.Int64
}

func newFlakyServer(t *testing.T) *flakyServer {
	t.Helper()
	s := new(flakyServer)
	s.set(http.StatusOK)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.served.Add(1)
		switch mode := (*s.mode.Load()).(type) {
		case int:
			w.WriteHeader(mode)
			io.WriteString(w, http.StatusText(mode))
		case string:
			if mode == "hang" {
				<-r.Context().Done()
				return
			}
			conn, _, err := w.(http.Hijacker).Hijack() // "drop": close without a response
			if err == nil {
				conn.Close()
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *flakyServer) set(mode any) { s.mode.Store(&mode) }

func newClient(t *testing.T, change func(*breaker.Config), tr func(*breakerhttp.Transport)) (*http.Client, *breaker.Breaker, *clock.Manual) {
	t.Helper()
	cb, clk := testutil.MiddlewareBreaker(t, 30*time.Second, change)
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	transport := &breakerhttp.Transport{Breaker: cb, Base: base}
	if tr != nil {
		tr(transport)
	}
	return &http.Client{Transport: transport}, cb, clk
}

// get requests url and reads the whole body; it returns the status (0 on
// error) and the error.
func get(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func TestTransportClassifies(t *testing.T) {
	tests := []struct {
		name       string
		mode       any
		wantFailed int // of 3 requests
		wantErr    bool
	}{
		{"2xx is a success", http.StatusOK, 0, false},
		{"4xx is a success", http.StatusNotFound, 0, false},
		{"429 is a success by default", http.StatusTooManyRequests, 0, false},
		{"5xx is a failure", http.StatusServiceUnavailable, 3, false},
		{"500 is a failure", http.StatusInternalServerError, 3, false},
		{"a dropped connection is a failure", "drop", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFlakyServer(t)
			srv.set(tt.mode)
			client, cb, _ := newClient(t, func(c *breaker.Config) { c.FailureRateThreshold = 100; c.MinimumCalls = 100 }, nil)
			for range 3 {
				status, err := get(context.Background(), client, srv.URL)
				if (err != nil) != tt.wantErr {
					t.Fatalf("status %d, err %v; want an error: %v", status, err, tt.wantErr)
				}
				if err == nil && status != tt.mode {
					t.Fatalf("status %d, want %v", status, tt.mode)
				}
			}
			if m := cb.Metrics(); m.Calls != 3 || m.Failed != tt.wantFailed {
				t.Errorf("breaker saw %d calls, %d failed; want 3, %d", m.Calls, m.Failed, tt.wantFailed)
			}
		})
	}
}

func TestTransportTripsAndRecovers(t *testing.T) {
	srv := newFlakyServer(t)
	client, cb, clk := newClient(t, nil, nil)

	srv.set(http.StatusBadGateway)
	for range 4 {
		if status, err := get(context.Background(), client, srv.URL); err != nil || status != http.StatusBadGateway {
			t.Fatalf("= %d, %v; want the 502 through", status, err)
		}
	}
	if cb.State() != breaker.Open {
		t.Fatalf("state %s after four 502s, want open", cb.State())
	}
	srv.set(http.StatusOK)
	served := srv.served.Load()
	_, err := get(context.Background(), client, srv.URL)
	var oe *breaker.OpenError
	if !errors.Is(err, breaker.ErrOpen) || !errors.As(err, &oe) || oe.RetryAfter != 30*time.Second {
		t.Fatalf("err = %v, want the breaker's rejection with 30s to wait", err)
	}
	if srv.served.Load() != served {
		t.Error("an open breaker let a request reach the server")
	}

	clk.Advance(30 * time.Second) // half-open: one trial request, which succeeds
	if status, err := get(context.Background(), client, srv.URL); err != nil || status != http.StatusOK {
		t.Fatalf("trial request = %d, %v", status, err)
	}
	if cb.State() != breaker.Closed {
		t.Errorf("state %s after a good trial, want closed", cb.State())
	}
}

func TestTransportIgnoresTheCallersCancellation(t *testing.T) {
	srv := newFlakyServer(t)
	srv.set("hang")
	client, cb, _ := newClient(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := get(ctx, client, srv.URL); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the caller's cancellation", err)
	}
	if m := cb.Metrics(); m.Calls != 0 {
		t.Errorf("the caller's own cancellation was recorded: %+v", m)
	}
}

func TestTransportCountsTheCallersDeadline(t *testing.T) {
	srv := newFlakyServer(t)
	srv.set("hang")
	client, cb, _ := newClient(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := get(ctx, client, srv.URL); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	if m := cb.Metrics(); m.Calls != 1 || m.Failed != 1 {
		t.Errorf("a server too slow for the caller's deadline: %+v, want one failure", m)
	}
}

func TestTransportCustomFailures(t *testing.T) {
	srv := newFlakyServer(t)
	srv.set(http.StatusTooManyRequests)
	client, cb, _ := newClient(t, nil, func(tr *breakerhttp.Transport) {
		tr.IsFailureResponse = func(r *http.Response) bool {
			return r.StatusCode == http.StatusTooManyRequests || r.StatusCode >= 500
		}
	})
	get(context.Background(), client, srv.URL)
	if m := cb.Metrics(); m.Failed != 1 {
		t.Errorf("429 with a custom IsFailureResponse: %+v, want one failure", m)
	}
}

func TestTransportClosesTheBodyOfARejectedRequest(t *testing.T) {
	srv := newFlakyServer(t)
	client, cb, _ := newClient(t, nil, nil)
	cb.ForceOpen()
	body := &closeCounter{Reader: strings.NewReader("payload")}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, body)
	if _, err := client.Do(req); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("err = %v, want ErrOpen", err)
	}
	if body.closed.Load() == 0 {
		t.Error("the rejected request's body was not closed")
	}
}

type closeCounter struct {
	io.Reader
	closed atomic.Int64
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }
