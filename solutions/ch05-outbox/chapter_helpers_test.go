// Helpers the tests of this chapter's exercises share. The checker places this file beside an
// exercise's tests, in the same package, so the tests call these names directly. It names
// nothing of any answer: each exercise's visible tests adapt its answer to these helpers.
package main_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"
)

// obCall runs f, turning a panic of the learner's code into a test failure that names the call.
func obCall(t *testing.T, what string, f func()) {
	t.Helper()
	var panicked any
	func() {
		defer func() { panicked = recover() }()
		f()
	}()
	if panicked != nil {
		t.Fatalf("%s panicked: %v", what, panicked)
	}
}

// obIsError reports whether target is err, or is in the chain that err's Unwrap methods give,
// compared by identity: unlike errors.Is it never asks an error's own Is method (a learner's
// error type could claim to be any error).
func obIsError(err, target error) bool {
	for range 64 {
		if err == nil {
			return false
		}
		if err == target {
			return true
		}
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				if obIsError(inner, target) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		default:
			return false
		}
	}
	return false
}

// --- 01-idempotency-keys ---

// ikDigest is the hash the middleware computes of a request's body: SHA-256 of its bytes, in hex.
func ikDigest(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// ikDecision is a decision of the learner's Begin, in the helpers' terms.
type ikDecision struct {
	Outcome string
	Status  int
	Body    string
	Token   int64
}

// ikKeys is the learner's Keys as the helpers drive it (the visible tests adapt it): begin
// takes the request's body, and the adapter passes its hash.
type ikKeys interface {
	begin(now int64, key *string, body, method, path string) ikDecision
	finish(now, token int64, status int, body string)
	fail(token int64)
}

// ikHandler is how a vector's handler ends: Fail, or a response.
type ikHandler struct {
	Status *int    `json:"status"`
	Body   *string `json:"body"`
	Fail   bool    `json:"fail"`
}

// ikExpect is what a vector's step expects its client to get.
type ikExpect struct {
	Status        int     `json:"status"`
	Body          *string `json:"body"`
	Replayed      bool    `json:"replayed"`
	HandlerCalled bool    `json:"handler_called"`
}

// ikStep is one step of an idempotency_key vector: a request, or the end of a held one.
type ikStep struct {
	AtMS    int64 `json:"at_ms"`
	Request *struct {
		ID     string  `json:"id"`
		Key    *string `json:"key"`
		Method string  `json:"method"`
		Path   string  `json:"path"`
		Body   string  `json:"body"`
	} `json:"request"`
	Handler *ikHandler `json:"handler"`
	Hold    bool       `json:"hold"`
	Finish  string     `json:"finish"`
	Expect  *ikExpect  `json:"expect"`
}

// ikCase is one idempotency_key conformance vector.
type ikCase struct {
	Name   string `json:"name"`
	Config struct {
		Required bool  `json:"required"`
		TTLMS    int64 `json:"ttl_ms"`
		LeaseMS  int64 `json:"lease_ms"`
	} `json:"config"`
	Steps []ikStep `json:"steps"`
}

// ikEnd ends the handler of a request that ran as h says; what its client gets.
func ikEnd(keys ikKeys, now, token int64, h ikHandler) ikExpect {
	if h.Fail {
		keys.fail(token)
		return ikExpect{Status: 500, HandlerCalled: true}
	}
	keys.finish(now, token, *h.Status, *h.Body)
	return ikExpect{Status: *h.Status, Body: h.Body, HandlerCalled: true}
}

// ikShow prints what a client got, as a vector says it.
func ikShow(e ikExpect) string {
	body := "(none)"
	if e.Body != nil {
		body = fmt.Sprintf("%q", *e.Body)
	}
	return fmt.Sprintf("{status %d, body %s, replayed %v, handler called %v}",
		e.Status, body, e.Replayed, e.HandlerCalled)
}

// ikRun replays every case of vectorsJSON (an exercise's embedded vectors), one subtest each,
// on a new Keys from newKeys. A key the replayer does not know fails the test: a vector is
// never half-checked.
func ikRun(t *testing.T, vectorsJSON string, newKeys func(t *testing.T, required bool, ttlMS, leaseMS int64) ikKeys) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(vectorsJSON)))
	dec.DisallowUnknownFields()
	var cases []ikCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("the embedded vectors do not parse: %v", err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			keys := newKeys(t, c.Config.Required, c.Config.TTLMS, c.Config.LeaseMS)
			type running struct {
				token   int64
				handler ikHandler
			}
			held := map[string]running{}
			for i, step := range c.Steps {
				where := fmt.Sprintf("%s, step %d at %d ms", c.Name, i+1, step.AtMS)
				var got ikExpect
				if step.Request == nil {
					r, ok := held[step.Finish]
					if !ok {
						t.Fatalf("%s: finishes %q, which is not running", where, step.Finish)
					}
					delete(held, step.Finish)
					got = ikEnd(keys, step.AtMS, r.token, r.handler)
				} else {
					req := step.Request
					d := keys.begin(step.AtMS, req.Key, req.Body, req.Method, req.Path)
					switch {
					case d.Outcome == "run" && step.Hold:
						held[req.ID] = running{d.Token, *step.Handler}
						continue
					case step.Hold:
						t.Fatalf("%s: request %s got %+v: want it to run (its handler is still running when the next step comes)", where, req.ID, d)
					case d.Outcome == "run":
						got = ikEnd(keys, step.AtMS, d.Token, *step.Handler)
					case d.Outcome == "replay":
						got = ikExpect{Status: d.Status, Body: &d.Body, Replayed: true}
					default:
						got = ikExpect{Status: d.Status}
					}
				}
				want := *step.Expect
				if want.Body == nil {
					got.Body = nil // the middleware's own answer: its body is not specified
				}
				if ikShow(got) != ikShow(want) {
					t.Fatalf("%s: the client got %s, want %s", where, ikShow(got), ikShow(want))
				}
			}
		})
	}
}

// --- 02-inbox ---

// errCommitFailed is the test database's commit error (it was told to fail): nothing was written.
var errCommitFailed = errors.New("the commit failed")

// errEffectFailed is an effect's own error, which Deliver must return.
var errEffectFailed = errors.New("the effect failed")

// obGate makes the first n callers wait for each other (at most 10 s), so that goroutines
// that deliver at once really are inside Deliver at once.
type obGate struct {
	mu      sync.Mutex
	n, seen int
	all     chan struct{}
}

func newObGate(n int) *obGate { return &obGate{n: n, all: make(chan struct{})} }

func (g *obGate) wait() {
	g.mu.Lock()
	g.seen++
	mine := g.seen
	if mine == g.n {
		close(g.all)
	}
	g.mu.Unlock()
	if mine <= g.n {
		select {
		case <-g.all:
		case <-time.After(10 * time.Second): // fewer came than expected: the counts say so
		}
	}
}

// obDB is the tests' database: rows, one writer at a time (a lock, as SQLite's write lock),
// all or nothing (a transaction whose function fails, or whose commit fails, leaves the rows
// as they were). commits keeps a copy of the rows after each commit. With together > 0, the
// first together transactions wait for each other before they take the lock and again after
// they end: a check made outside the transaction, or in one of its own, is seen by every
// goroutine before any of them writes, every time.
type obDB struct {
	mu           sync.Mutex
	rows         map[string]int64
	commits      []map[string]int64
	failCommit   bool
	inside       bool
	enter, leave *obGate
}

func newObDB(rows map[string]int64, together int) *obDB {
	db := &obDB{rows: maps.Clone(rows)}
	if db.rows == nil {
		db.rows = map[string]int64{}
	}
	if together > 0 {
		db.enter, db.leave = newObGate(together), newObGate(together)
	}
	return db
}

// inTx runs fn in a transaction; the learner's InTx is this method's value.
func (db *obDB) inTx(fn func(tx map[string]int64) error) (err error) {
	if db.enter != nil {
		db.enter.wait()
		defer db.leave.wait()
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	snapshot := maps.Clone(db.rows)
	db.inside = true
	defer func() {
		db.inside = false
		if p := recover(); p != nil {
			db.rows = snapshot
			panic(p)
		}
		if err != nil {
			clear(db.rows)
			maps.Copy(db.rows, snapshot)
		}
	}()
	if err = fn(db.rows); err != nil {
		return err
	}
	if db.failCommit {
		return errCommitFailed
	}
	db.commits = append(db.commits, maps.Clone(db.rows))
	return nil
}

// snapshot is a copy of the rows, taken under the database's lock.
func (db *obDB) snapshot() map[string]int64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	return maps.Clone(db.rows)
}

// obEffect is a message's effect: it adds amount to the row account, and counts its calls and
// those made outside a transaction of db. fail: it returns errEffectFailed after writing.
type obEffect struct {
	db             *obDB
	account        string
	amount         int64
	fail           bool
	mu             sync.Mutex
	calls, outside int
}

func (e *obEffect) apply(tx map[string]int64) error {
	e.mu.Lock()
	e.calls++
	if !e.db.inside {
		e.outside++
	}
	e.mu.Unlock()
	tx[e.account] += e.amount
	if e.fail {
		return errEffectFailed
	}
	return nil
}

// obShow prints rows in key order.
func obShow(rows map[string]int64) string {
	return fmt.Sprint(rows) // fmt prints a map's keys sorted
}

// --- 04-saga-compensation ---

// sgMaxAttempts is the number of attempts after which a scripted participant stops a saga
// that does not end (it panics, and the test fails naming the call).
const sgMaxAttempts = 1000

// sgParticipant is the services a saga calls, scripted: script maps "step:kind" to the
// results of its attempts in order ("ok" or "fail"; an attempt past the list succeeds). It
// logs every attempt ("reserve:action ok") and its idempotency key.
type sgParticipant struct {
	script map[string][]string
	log    []string
	keys   []string
}

func newSgParticipant(script map[string][]string) *sgParticipant {
	p := &sgParticipant{script: map[string][]string{}}
	for k, v := range script {
		p.script[k] = append([]string(nil), v...)
	}
	return p
}

func (p *sgParticipant) attempt(step, kind, key string) bool {
	result := "ok"
	if results := p.script[step+":"+kind]; len(results) > 0 {
		result, p.script[step+":"+kind] = results[0], results[1:]
	}
	p.log = append(p.log, step+":"+kind+" "+result)
	p.keys = append(p.keys, key)
	if len(p.log) >= sgMaxAttempts {
		panic(fmt.Sprintf("%d attempts: the saga does not end", sgMaxAttempts))
	}
	return result == "ok"
}

// sgStep is a step of a saga vector.
type sgStep struct {
	Name    string `json:"name"`
	Retries int    `json:"retries"`
}

// sgCase is one saga conformance vector.
type sgCase struct {
	Name string `json:"name"`
	Saga struct {
		ID    string   `json:"id"`
		Steps []sgStep `json:"steps"`
	} `json:"saga"`
	Script     map[string][]string `json:"script"`
	CrashAfter []int               `json:"crash_after"`
	Expect     struct {
		Outcome string            `json:"outcome"`
		Log     []string          `json:"log"`
		Keys    map[string]string `json:"keys"`
	} `json:"expect"`
}

// sgRun replays every case of vectorsJSON (an exercise's embedded vectors, without crashes),
// one subtest each, through runSaga (the visible tests' adapter of the learner's RunSaga). A
// key the replayer does not know fails the test: a vector is never half-checked.
func sgRun(t *testing.T, vectorsJSON string, runSaga func(t *testing.T, id string, steps []sgStep, p *sgParticipant) string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(vectorsJSON)))
	dec.DisallowUnknownFields()
	var cases []sgCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("the embedded vectors do not parse: %v", err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if len(c.CrashAfter) != 0 {
				t.Fatalf("%s: a case with crashes is not this exercise's", c.Name)
			}
			p := newSgParticipant(c.Script)
			outcome := runSaga(t, c.Saga.ID, c.Saga.Steps, p)
			if fmt.Sprint(p.log) != fmt.Sprint(c.Expect.Log) {
				t.Fatalf("%s: the attempts were %q, want %q", c.Name, p.log, c.Expect.Log)
			}
			for position, key := range c.Expect.Keys {
				var n int
				if _, err := fmt.Sscan(position, &n); err != nil || n < 1 || n > len(p.keys) {
					t.Fatalf("%s: expect.keys position %q is not an attempt", c.Name, position)
				}
				if p.keys[n-1] != key {
					t.Fatalf("%s: attempt %d carried the key %q, want %q", c.Name, n, p.keys[n-1], key)
				}
			}
			if outcome != c.Expect.Outcome {
				t.Fatalf("%s: outcome %q, want %q", c.Name, outcome, c.Expect.Outcome)
			}
		})
	}
}
