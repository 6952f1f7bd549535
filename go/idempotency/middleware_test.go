package idempotency_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"twinbook/clock"
	"twinbook/idempotency"
	"twinbook/internal/testutil"
)

func TestConfigIsValidatedWithNamedErrors(t *testing.T) {
	tests := []struct {
		name  string
		cfg   idempotency.Config
		field string
	}{
		{"zero TTL", idempotency.Config{TTL: 0, Lease: time.Second}, "TTL"},
		{"negative TTL", idempotency.Config{TTL: -time.Second, Lease: time.Second}, "TTL"},
		{"zero lease", idempotency.Config{TTL: time.Second, Lease: 0}, "Lease"},
		{"negative lease", idempotency.Config{TTL: time.Second, Lease: -1}, "Lease"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := idempotency.Middleware(tt.cfg, idempotency.NewMemory(), nil)
			if !errors.Is(err, idempotency.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("err = %v, want ErrInvalidConfig naming %s", err, tt.field)
			}
		})
	}
	if _, err := idempotency.Middleware(idempotency.DefaultConfig(), nil, nil); !errors.Is(err, idempotency.ErrNilRecords) {
		t.Fatalf("nil records: err = %v, want ErrNilRecords", err)
	}
	if err := idempotency.DefaultConfig().Validate(); err != nil {
		t.Fatalf("the default config is refused: %v", err)
	}
}

func TestCheckKey(t *testing.T) {
	tests := []struct {
		key   string
		fault string // "" = valid
	}{
		{"k", ""},
		{strings.Repeat("k", 255), ""},
		{"a b ~!", ""},
		{"", "empty"},
		{strings.Repeat("k", 256), "256 bytes"},
		{"clé", "0xC3"},
		{"k\x01", "0x01"},
		{"k\x7f", "0x7F"},
		{"k\t", "0x09"},
	}
	for _, tt := range tests {
		err := idempotency.CheckKey(tt.key)
		if tt.fault == "" {
			if err != nil {
				t.Errorf("CheckKey(%q) = %v, want nil", tt.key, err)
			}
			continue
		}
		if !errors.Is(err, idempotency.ErrMalformedKey) || !strings.Contains(err.Error(), tt.fault) {
			t.Errorf("CheckKey(%q) = %v, want ErrMalformedKey naming %q", tt.key, err, tt.fault)
		}
	}
}

// newServer wraps h in the middleware over records on a manual clock.
func newServer(t testing.TB, cfg idempotency.Config, records idempotency.Records, h http.Handler) http.Handler {
	t.Helper()
	mw, err := idempotency.Middleware(cfg, records, clock.NewManual(time.UnixMilli(0)))
	if err != nil {
		t.Fatal(err)
	}
	return mw(h)
}

func post(key, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/orders", strings.NewReader(body))
	r.Header.Set(idempotency.Header, key)
	return r
}

// TestBadInputIsAnsweredWithANamedFault: a malformed key gets 400 and a
// body that says what is wrong with it; another body for a key gets 422
// naming that; neither reaches the handler, on every records kind.
func TestBadInputIsAnsweredWithANamedFault(t *testing.T) {
	for _, kind := range recordKinds(t) {
		t.Run(kind.name, func(t *testing.T) {
			var calls atomic.Int32
			h := newServer(t, idempotency.Config{Required: true, TTL: time.Hour, Lease: time.Minute}, kind.open(t),
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					calls.Add(1)
					w.WriteHeader(http.StatusCreated)
				}))
			tests := []struct {
				name   string
				req    *http.Request
				status int
				says   string
			}{
				{"missing", httptest.NewRequest(http.MethodPost, "/orders", nil), 400, "missing Idempotency-Key"},
				{"empty", post("", "{}"), 400, "empty"},
				{"too long", post(strings.Repeat("x", 256), "{}"), 400, "256 bytes"},
				{"control", post("a\x02", "{}"), 400, "0x02"},
				{"first", post("k1", `{"qty":1}`), 201, ""},
				{"other body", post("k1", `{"qty":2}`), 422, "another request body"},
			}
			for _, tt := range tests {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, tt.req)
				if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.says) {
					t.Errorf("%s: %d %q, want %d naming %q", tt.name, rec.Code, rec.Body.String(), tt.status, tt.says)
				}
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("handler called %d times, want 1", n)
			}
			two := post("k2", "{}")
			two.Header.Add(idempotency.Header, "k3")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, two)
			if rec.Code != 400 || !strings.Contains(rec.Body.String(), "2 Idempotency-Key headers") {
				t.Errorf("two keys: %d %q, want 400 naming them", rec.Code, rec.Body.String())
			}
		})
	}
}

// TestFiftyIdenticalRequestsAtOnceRunTheHandlerOnce sends 50 identical
// requests at once over real HTTP, twice: once with a handler that answers
// at once (the others get 409 or the replay, as they race), and once with a
// handler that waits until the 49 others have been answered, which proves
// they overlapped it (each of them then gets 409). Either way the handler
// runs once and its answer goes to one client.
func TestFiftyIdenticalRequestsAtOnceRunTheHandlerOnce(t *testing.T) {
	const n = 50
	for _, kind := range recordKinds(t) {
		for _, waits := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/handler_waits=%v", kind.name, waits), func(t *testing.T) {
				fiftyAtOnce(t, n, kind.open(t), waits)
			})
		}
	}
}

func fiftyAtOnce(t *testing.T, n int, records idempotency.Records, waits bool) {
	var calls, answered atomic.Int32
	othersDone := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls.Add(1)
		if waits {
			select {
			case <-othersDone:
			case <-time.After(waitLimit):
				t.Error("the other requests were not all answered while the handler ran")
			}
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(append([]byte("created "), body...))
	})
	mw, err := idempotency.Middleware(idempotency.Config{Required: true, TTL: time.Hour, Lease: time.Minute}, records, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	inner := mw(handler)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r)
		if int(answered.Add(1)) == n-1 {
			close(othersDone) // the handler's own request is the n-th
		}
	}))
	defer srv.Close()
	client := &http.Client{Timeout: 2 * waitLimit, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()
	start := make(chan struct{})
	type answer struct {
		status   int
		body     string
		replayed bool
		err      error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(`{"qty":1}`))
			req.Header.Set(idempotency.Header, "same-key")
			resp, err := client.Do(req)
			if err != nil {
				answers[i].err = err
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			answers[i] = answer{resp.StatusCode, string(body), resp.Header.Get(idempotency.ReplayedHeader) == "true", nil}
		})
	}
	close(start)
	wg.Wait()
	if got := calls.Load(); got != 1 {
		t.Fatalf("handler ran %d times, want 1", got)
	}
	var first, replays, conflicts int
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Fatalf("request %d: %v", i, a.err)
		case a.status == 201 && a.body == `created {"qty":1}` && !a.replayed:
			first++
		case a.status == 201 && a.body == `created {"qty":1}` && a.replayed:
			replays++
		case a.status == 409:
			conflicts++
		default:
			t.Fatalf("request %d: unexpected answer %+v", i, a)
		}
	}
	if first != 1 || replays+conflicts != n-1 || (waits && conflicts != n-1) {
		t.Fatalf("first %d, replays %d, conflicts %d; want 1 and %d others", first, replays, conflicts, n-1)
	}
	t.Logf("1 handler run, %d replays, %d conflicts", replays, conflicts)
}

// TestAHandlerThatPanicsWithAbortHandlerIsReleasedAndRepanics: net/http's
// own "abort this response" panic is passed on, after the key is released.
func TestAHandlerThatPanicsWithAbortHandlerIsReleasedAndRepanics(t *testing.T) {
	records := idempotency.NewMemory()
	var calls atomic.Int32
	h := newServer(t, idempotency.DefaultConfig(), records, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			panic(http.ErrAbortHandler)
		}
		w.WriteHeader(http.StatusCreated)
	}))
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler { //nolint:errorlint // a sentinel panic value
				t.Fatalf("recovered %v, want http.ErrAbortHandler", p)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), post("k", "{}"))
	}()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, post("k", "{}"))
	if rec.Code != http.StatusCreated || calls.Load() != 2 {
		t.Fatalf("retry: %d after %d calls, want 201 after 2", rec.Code, calls.Load())
	}
}

// TestAReplayCarriesTheContentType: the stored answer's Content-Type is
// sent again with the replay.
func TestAReplayCarriesTheContentType(t *testing.T) {
	h := newServer(t, idempotency.DefaultConfig(), idempotency.NewMemory(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":1}`))
	}))
	for i, replayed := range []string{"", "true"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, post("k", "{}"))
		if rec.Code != 201 || rec.Header().Get("Content-Type") != "application/json" ||
			rec.Header().Get(idempotency.ReplayedHeader) != replayed || rec.Body.String() != `{"id":1}` {
			t.Fatalf("answer %d: %d %v %q", i, rec.Code, rec.Header(), rec.Body.String())
		}
	}
}

// TestTheVectorRunnerFailsMalformedCases: the runner refuses a case it
// cannot run (a hold on a request that is refused before its handler, a
// finish of a request that is not held...) rather than passing it.
func TestTheVectorRunnerFailsMalformedCases(t *testing.T) {
	step := func(at int, id string, key string, extra string) string {
		return `{"at_ms": ` + itoa(at) + `, "request": {"id": "` + id + `", "key": "` + key +
			`", "method": "POST", "path": "/o", "body": ""}, "handler": {"status": 201, "body": "x"}` + extra + `}`
	}
	ok := `, "expect": {"status": 201, "replayed": false, "handler_called": true}`
	tests := []struct {
		name, steps, says string
	}{
		{"hold refused", step(0, "r1", "", `, "hold": true`), "hold on a request that does not reach its handler"},
		{"finish unknown", step(0, "r1", "k", ok) + `, {"at_ms": 1, "finish": "r1", "expect": {"status": 201, "replayed": false, "handler_called": true}}`, "finish names no held request"},
		{"id twice", step(0, "r1", "k", ok) + ", " + step(1, "r1", "k2", ok), "used twice"},
		{"hold with expect", step(0, "r1", "k", `, "hold": true`+ok), "expect unless it holds"},
		{"no expect", step(0, "r1", "k", ""), "expect unless it holds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := `{"name": "x", "config": {"required": false, "ttl_ms": 1000, "lease_ms": 1000}, "steps": [` + tt.steps + `]}`
			var c keyCase
			if err := testutil.DecodeStrict([]byte(raw), &c); err != nil {
				t.Fatal(err)
			}
			err := runKeyCase(c, idempotency.NewMemory())
			if !errors.Is(err, errMalformed) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v, want a malformed case naming %q", err, tt.says)
			}
		})
	}
	var c keyCase
	if err := testutil.DecodeStrict([]byte(`{"name": "x", "config": {}, "steps": [], "extra": 1}`), &c); err == nil {
		t.Fatal("a case with an unknown key decodes")
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
