package idempotency_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"twinbook/clock"
	"twinbook/idempotency"
	"twinbook/internal/testutil"
)

// The concepts of the vectors folder idempotency/: this runner runs the
// idempotency_key cases; the saga files beside them are go/saga's.
const (
	vectorsFolder = "idempotency"
	keyConcept    = "idempotency_key"
	sagaConcept   = "saga"
)

// waitLimit bounds every wait of the runner: a middleware that hangs fails
// its case instead of the whole run.
const waitLimit = 10 * time.Second

// TestVectors replays the idempotency_key conformance vectors
// (book/appendix/spec-idempotency.md, "Conformance vectors") through the
// middleware's ServeHTTP: every *.json of $TWINBOOK_VECTORS_DIR/idempotency/
// when that variable is set, else of tests/vectors/idempotency/, one subtest
// per case and per records implementation (memory, and the store: SQLite,
// and PostgreSQL when TWINBOOK_PG is set). A case this runner cannot run,
// or a file that is not a vector file of a known concept with cases, fails.
func TestVectors(t *testing.T) {
	dir := testutil.VectorsDir(vectorsFolder)
	cases, err := testutil.LoadVectorsOf(dir, keyConcept, sagaConcept)
	if err != nil {
		t.Error(err)
	}
	kinds := recordKinds(t) // one store database for every case: see storeKinds
	withCases := map[string]bool{}
	mine := 0
	for _, vc := range cases {
		withCases[vc.File] = true
		if vc.Concept != keyConcept {
			continue
		}
		mine++
		t.Run(vc.ID(), func(t *testing.T) {
			var c keyCase
			if err := testutil.DecodeStrict(vc.Raw, &c); err != nil {
				t.Fatalf("%s: malformed case: %v", vc.File, err)
			}
			if vc.Name == "" {
				t.Fatalf("%s: a case needs a name", vc.File)
			}
			for _, kind := range kinds {
				t.Run(kind.name, func(t *testing.T) {
					if err := runKeyCase(c, kind.open(t)); err != nil {
						t.Fatalf("%s: %v", vc.File, err)
					}
				})
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		if !withCases[filepath.Base(f)] && err == nil {
			t.Errorf("%s: a vector file needs a non-empty cases list", f)
		}
	}
	if mine == 0 && os.Getenv(testutil.VectorsEnv) == "" {
		t.Errorf("no %s cases in %s", keyConcept, dir)
	}
}

type keyCase struct {
	Name   string `json:"name"`
	Config struct {
		Required *bool  `json:"required"`
		TTLMs    *int64 `json:"ttl_ms"`
		LeaseMs  *int64 `json:"lease_ms"`
	} `json:"config"`
	Steps []keyStep `json:"steps"`
}

type keyStep struct {
	AtMs    *int64      `json:"at_ms"`
	Request *keyRequest `json:"request"`
	Handler *keyHandler `json:"handler"`
	Hold    *bool       `json:"hold"`
	Finish  *string     `json:"finish"`
	Expect  *keyExpect  `json:"expect"`
}

type keyRequest struct {
	ID     string  `json:"id"`
	Key    *string `json:"key"`
	Method string  `json:"method"`
	Path   string  `json:"path"`
	Body   *string `json:"body"`
}

type keyHandler struct {
	Status *int    `json:"status"`
	Body   *string `json:"body"`
	Fail   *bool   `json:"fail"`
}

type keyExpect struct {
	Status        *int    `json:"status"`
	Body          *string `json:"body"`
	Replayed      *bool   `json:"replayed"`
	HandlerCalled *bool   `json:"handler_called"`
}

// errMalformed marks a case the runner refuses to run.
var errMalformed = errors.New("malformed case")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// plan is what the runner's handler does for one request id.
type plan struct {
	handler keyHandler
	hold    bool
	called  chan struct{} // closed when the handler is called
	release chan struct{} // closed by the finish step of a held request
	once    sync.Once
}

// harness is the handler behind the middleware and what it saw: it finds
// each request's plan by the X-Vector-Request header.
type harness struct {
	mu    sync.Mutex
	plans map[string]*plan
}

func (h *harness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	p := h.plans[r.Header.Get("X-Vector-Request")]
	h.mu.Unlock()
	if p == nil {
		http.Error(w, "no plan", http.StatusTeapot)
		return
	}
	p.once.Do(func() { close(p.called) })
	if p.hold {
		select {
		case <-p.release:
		case <-time.After(waitLimit):
			panic("held handler never released")
		}
	}
	if p.handler.Fail != nil && *p.handler.Fail {
		panic("the vector's handler fails")
	}
	w.WriteHeader(*p.handler.Status)
	_, _ = w.Write([]byte(*p.handler.Body))
}

func (p *plan) wasCalled() bool {
	select {
	case <-p.called:
		return true
	default:
		return false
	}
}

// inflight is a held request: its recorder and a channel closed when its
// ServeHTTP returned.
type inflight struct {
	plan *plan
	rec  *httptest.ResponseRecorder
	done chan struct{}
}

func msOf(at int64) time.Time { return time.UnixMilli(at) }

// runKeyCase replays one case on fresh records; nil when every expectation
// holds.
func runKeyCase(c keyCase, records idempotency.Records) (err error) {
	if c.Config.Required == nil || c.Config.TTLMs == nil || c.Config.LeaseMs == nil {
		return malformed("config needs required, ttl_ms and lease_ms")
	}
	if len(c.Steps) == 0 {
		return malformed("no steps")
	}
	cfg := idempotency.Config{
		Required: *c.Config.Required,
		TTL:      time.Duration(*c.Config.TTLMs) * time.Millisecond,
		Lease:    time.Duration(*c.Config.LeaseMs) * time.Millisecond,
	}
	clk := clock.NewManual(msOf(0))
	mw, err := idempotency.Middleware(cfg, records, clk)
	if err != nil {
		return err
	}
	h := &harness{plans: map[string]*plan{}}
	server := mw(h)
	held := map[string]*inflight{}
	defer func() {
		// Let every handler still held end, so no goroutine outlives the case.
		for _, f := range held {
			close(f.plan.release)
			<-f.done
		}
	}()
	for i, step := range c.Steps {
		where := fmt.Sprintf("step %d", i+1)
		if step.AtMs == nil {
			return malformed("%s: no at_ms", where)
		}
		clk.Set(msOf(*step.AtMs))
		if step.Finish != nil {
			if step.Request != nil || step.Handler != nil || step.Hold != nil || step.Expect == nil {
				return malformed("%s: a finish step has only at_ms, finish and expect", where)
			}
			f := held[*step.Finish]
			if f == nil {
				return malformed("%s: finish names no held request: %q", where, *step.Finish)
			}
			delete(held, *step.Finish)
			close(f.plan.release)
			select {
			case <-f.done:
			case <-time.After(waitLimit):
				return fmt.Errorf("%s: request %s did not answer within %v of its finish", where, *step.Finish, waitLimit)
			}
			if err := compare(where, step.Expect, f.rec, f.plan); err != nil {
				return err
			}
			continue
		}
		if step.Request == nil || step.Handler == nil {
			return malformed("%s: a request step needs request and handler", where)
		}
		rq, hd := step.Request, step.Handler
		fails := hd.Fail != nil && *hd.Fail
		if fails != (hd.Status == nil) || (hd.Status == nil) != (hd.Body == nil) || (hd.Fail != nil && !*hd.Fail) {
			return malformed("%s: handler must be {status, body} or {fail: true}", where)
		}
		if rq.ID == "" || rq.Method == "" || rq.Path == "" || rq.Body == nil {
			return malformed("%s: request needs id, key, method, path and body", where)
		}
		hold := step.Hold != nil && *step.Hold
		if (step.Hold != nil && !hold) || hold == (step.Expect != nil) {
			return malformed("%s: a step has expect unless it holds, and hold is true", where)
		}
		h.mu.Lock()
		if h.plans[rq.ID] != nil {
			h.mu.Unlock()
			return malformed("%s: request id %q used twice", where, rq.ID)
		}
		p := &plan{handler: *hd, hold: hold, called: make(chan struct{}), release: make(chan struct{})}
		h.plans[rq.ID] = p
		h.mu.Unlock()
		req := httptest.NewRequest(rq.Method, rq.Path, strings.NewReader(*rq.Body))
		req.Header.Set("X-Vector-Request", rq.ID)
		if rq.Key != nil {
			req.Header[idempotency.Header] = []string{*rq.Key} // as sent: no canonicalising of the value
		}
		f := &inflight{plan: p, rec: httptest.NewRecorder(), done: make(chan struct{})}
		go func() {
			defer close(f.done)
			server.ServeHTTP(f.rec, req)
		}()
		if hold {
			select {
			case <-p.called:
				held[rq.ID] = f
				continue
			case <-f.done:
				return malformed("%s: hold on a request that does not reach its handler (answered %d)", where, f.rec.Code)
			case <-time.After(waitLimit):
				return fmt.Errorf("%s: held request %s neither reached its handler nor answered", where, rq.ID)
			}
		}
		select {
		case <-f.done:
		case <-time.After(waitLimit):
			return fmt.Errorf("%s: request %s did not answer within %v", where, rq.ID, waitLimit)
		}
		if err := compare(where, step.Expect, f.rec, p); err != nil {
			return err
		}
	}
	return nil
}

// compare checks one answer against its expectation.
func compare(where string, want *keyExpect, rec *httptest.ResponseRecorder, p *plan) error {
	if want.Status == nil || want.Replayed == nil || want.HandlerCalled == nil {
		return malformed("%s: expect needs status, replayed and handler_called", where)
	}
	replayed := rec.Header().Get(idempotency.ReplayedHeader) == "true"
	called := p.wasCalled()
	var diffs []string
	if rec.Code != *want.Status {
		diffs = append(diffs, fmt.Sprintf("status %d, want %d (body %q)", rec.Code, *want.Status, rec.Body.String()))
	}
	if replayed != *want.Replayed {
		diffs = append(diffs, fmt.Sprintf("replayed %v, want %v", replayed, *want.Replayed))
	}
	if called != *want.HandlerCalled {
		diffs = append(diffs, fmt.Sprintf("handler_called %v, want %v", called, *want.HandlerCalled))
	}
	if want.Body != nil && rec.Body.String() != *want.Body {
		diffs = append(diffs, fmt.Sprintf("body %q, want %q", rec.Body.String(), *want.Body))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s: %s", where, strings.Join(diffs, "; "))
	}
	return nil
}
