package idempotency

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"twinbook/clock"
)

// ErrNilRecords is returned by [Middleware] when it is given no [Records].
var ErrNilRecords = errors.New("idempotency: records are nil")

// Middleware returns the Idempotency-Key middleware of the spec, keeping its
// records in records and reading the time from clk (nil: [clock.System]).
// It refuses a cfg that [Config.Validate] refuses, and nil records.
//
// The handler's answer is buffered (status, headers and body) until the
// handler returns, because it must be stored before it is sent: an answer
// streamed to the client and then lost by a crash could not be replayed.
func Middleware(cfg Config, records Records, clk clock.Clock) (func(http.Handler) http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if records == nil {
		return nil, ErrNilRecords
	}
	if clk == nil {
		clk = clock.System{}
	}
	return func(next http.Handler) http.Handler {
		return &middleware{cfg: cfg, records: records, clk: clk, next: next}
	}, nil
}

type middleware struct {
	cfg     Config
	records Records
	clk     clock.Clock
	next    http.Handler
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	values, present := r.Header[http.CanonicalHeaderKey(Header)]
	if !present {
		if m.cfg.Required {
			refuse(w, http.StatusBadRequest, "missing Idempotency-Key header: this endpoint requires one")
			return
		}
		m.passThrough(w, r)
		return
	}
	if len(values) != 1 {
		refuse(w, http.StatusBadRequest, fmt.Sprintf("%d Idempotency-Key headers, want one", len(values)))
		return
	}
	key := values[0]
	if err := CheckKey(key); err != nil {
		refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		refuse(w, http.StatusBadRequest, "reading the request body: "+err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	scope := Scope{Method: r.Method, Path: r.URL.RequestURI(), Key: key}
	// The records outlive a client that hangs up: its mark must still be
	// stored or released, so they are not tied to the request's context.
	ctx := context.WithoutCancel(r.Context())
	// docs:start idempotency-decision
	d, err := m.records.Begin(ctx, scope, Fingerprint(body),
		m.clk.Now(), m.cfg.TTL, m.cfg.Lease)
	if err != nil {
		refuse(w, http.StatusServiceUnavailable,
			"idempotency records unavailable: "+err.Error())
		return
	}
	switch d.Verdict {
	case Replay:
		if d.Response.ContentType != "" {
			w.Header().Set("Content-Type", d.Response.ContentType)
		}
		w.Header().Set(ReplayedHeader, "true")
		w.WriteHeader(d.Response.Status)
		_, _ = w.Write(d.Response.Body)
	case Mismatch:
		refuse(w, http.StatusUnprocessableEntity,
			"this Idempotency-Key was used with another request body")
	case Conflict:
		refuse(w, http.StatusConflict,
			"a request with this Idempotency-Key is in progress")
	case Acquired:
		m.handle(ctx, w, r, scope, d.Token)
	default:
		refuse(w, http.StatusInternalServerError,
			"idempotency records: unknown verdict "+d.Verdict.String())
	}
	// docs:end idempotency-decision
}

// handle runs the handler for a request that holds its key, then stores its
// answer (or, if it panicked, releases the key) and sends the answer.
func (m *middleware) handle(ctx context.Context, w http.ResponseWriter, r *http.Request, scope Scope, token string) {
	buf := &buffered{header: make(http.Header)}
	if p := run(m.next, buf, r); p != nil {
		// Release only our own mark: the records compare the token.
		_, _ = m.records.Release(ctx, scope, token)
		if p == http.ErrAbortHandler { //nolint:errorlint // a sentinel panic value, compared as net/http does
			panic(p)
		}
		refuse(w, http.StatusInternalServerError, "the handler failed; the key is released, a retry runs it again")
		return
	}
	resp := Response{Status: buf.status(), ContentType: buf.header.Get("Content-Type"), Body: buf.body.Bytes()}
	// Stored before it is sent; if the store fails the client still gets
	// the handler's answer (the spec's rule for a request that lost its key).
	_, _ = m.records.Complete(ctx, scope, token, resp, m.clk.Now())
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// passThrough calls the handler for a request without a key: nothing is
// stored, but a handler that fails before answering still gets the spec's 500.
func (m *middleware) passThrough(w http.ResponseWriter, r *http.Request) {
	tw := &tracking{ResponseWriter: w}
	if p := run(m.next, tw, r); p != nil {
		if p == http.ErrAbortHandler || tw.wrote { //nolint:errorlint // see handle
			panic(p)
		}
		refuse(w, http.StatusInternalServerError, "the handler failed")
	}
}

// run calls h and returns what it panicked with, or nil.
func run(h http.Handler, w http.ResponseWriter, r *http.Request) (p any) {
	defer func() { p = recover() }()
	h.ServeHTTP(w, r)
	return nil
}

// refuse writes one of the middleware's own answers, which are never stored.
func refuse(w http.ResponseWriter, status int, msg string) {
	http.Error(w, msg, status)
}

// buffered is an http.ResponseWriter that keeps the whole answer.
type buffered struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *buffered) Header() http.Header { return b.header }

func (b *buffered) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

func (b *buffered) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *buffered) status() int {
	if b.code == 0 {
		return http.StatusOK
	}
	return b.code
}

// tracking passes everything through and notes whether the answer started.
type tracking struct {
	http.ResponseWriter
	wrote bool
}

func (t *tracking) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *tracking) Write(p []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer (flushing a
// stream from a handler without a key).
func (t *tracking) Unwrap() http.ResponseWriter { return t.ResponseWriter }
