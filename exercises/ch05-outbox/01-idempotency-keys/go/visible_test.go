// Visible tests for the idempotency keys: run them with the check cell.
package main_test

import (
	. "answer"
	"fmt"
	"strings"
	"testing"
)

// keysRun is the learner's Keys as the tests drive it: requests go in with their body, Keys
// gets its hash; a panic of the learner's code is a test failure that names the call.
type keysRun struct {
	t    *testing.T
	keys *Keys
}

func newKeysRun(t *testing.T, required bool, ttlMS, leaseMS int64) *keysRun {
	t.Helper()
	var keys *Keys
	obCall(t, fmt.Sprintf("NewKeys(%v, %d, %d)", required, ttlMS, leaseMS), func() {
		keys = NewKeys(required, ttlMS, leaseMS)
	})
	if keys == nil {
		t.Fatalf("NewKeys(%v, %d, %d) returned nil", required, ttlMS, leaseMS)
	}
	return &keysRun{t: t, keys: keys}
}

// begin calls Begin with the request (key nil: no header) and the hash of body.
func (r *keysRun) begin(now int64, key *string, body, method, path string) (d ikDecision) {
	r.t.Helper()
	req := Request{Method: method, Path: path, BodyHash: ikDigest(body)}
	shown := "no key"
	if key != nil {
		req.Key, req.HasKey, shown = *key, true, fmt.Sprintf("key %q", *key)
	}
	obCall(r.t, fmt.Sprintf("Begin(%d, {%s %s %s, hash of %q})", now, shown, method, path, body), func() {
		got := r.keys.Begin(now, req)
		d = ikDecision{got.Outcome, got.Status, got.Body, got.Token}
	})
	return d
}

func (r *keysRun) finish(now, token int64, status int, body string) {
	r.t.Helper()
	obCall(r.t, fmt.Sprintf("Finish(%d, %d, %d, %q)", now, token, status, body), func() {
		r.keys.Finish(now, token, status, body)
	})
}

func (r *keysRun) fail(token int64) {
	r.t.Helper()
	obCall(r.t, fmt.Sprintf("Fail(%d)", token), func() { r.keys.Fail(token) })
}

// post is a POST /orders with key and body at now.
func (r *keysRun) post(now int64, key, body string) ikDecision {
	r.t.Helper()
	return r.begin(now, &key, body, "POST", "/orders")
}

// expect checks a decision; why is the rule that says so.
func (r *keysRun) expect(got, want ikDecision, what, why string) {
	r.t.Helper()
	if got != want {
		r.t.Fatalf("%s got %+v, want %+v: %s", what, got, want, why)
	}
}

func run(token int64) ikDecision                { return ikDecision{Outcome: Run, Token: token} }
func refuse(status int) ikDecision              { return ikDecision{Outcome: Refuse, Status: status} }
func replay(status int, body string) ikDecision { return ikDecision{Replay, status, body, 0} }

func TestARetryReplaysTheFirstResponse(t *testing.T) {
	r := newKeysRun(t, true, 1000, 100)
	r.expect(r.post(0, "k1", "{}"), run(1), "the first request with key k1", "it runs, with token 1")
	r.finish(5, 1, 201, "order 1")
	r.expect(r.post(10, "k1", "{}"), replay(201, "order 1"), "a retry of k1 with the same body",
		"the stored response, without running the handler again")
}

func TestTokensCountTheRequestsThatRun(t *testing.T) {
	r := newKeysRun(t, false, 1000, 100)
	r.expect(r.post(0, "a", "{}"), run(1), "key a", "the first token is 1")
	r.expect(r.begin(0, nil, "{}", "POST", "/orders"), run(0), "no key (optional)",
		"a request without a key runs with token 0: it marks nothing")
	r.expect(r.post(0, "b", "{}"), run(2), "key b", "tokens count the requests that mark a key")
	r.expect(r.post(0, "c", "{}"), run(3), "key c", "tokens count the requests that mark a key")
}

func TestAMissingOrMalformedKeyIs400(t *testing.T) {
	r := newKeysRun(t, true, 1000, 100)
	r.expect(r.begin(0, nil, "{}", "POST", "/orders"), refuse(400), "no key (required)", "400")
	for _, key := range []string{"", strings.Repeat("x", 256), "tab\there", "caf\u00e9"} {
		r.expect(r.post(0, key, "{}"), refuse(400), fmt.Sprintf("key %q", key), "a malformed key")
	}
	r = newKeysRun(t, false, 1000, 100)
	r.expect(r.post(0, "", "{}"), refuse(400), `key "" (optional)`, "empty is malformed, not missing")
}

func TestAnotherBodyWithTheSameKeyIs422(t *testing.T) {
	r := newKeysRun(t, true, 1000, 100)
	r.post(0, "k1", `{"qty":1}`)
	r.finish(1, 1, 201, "order 1")
	r.expect(r.post(2, "k1", `{"qty":2}`), refuse(422), "k1 with another body", "the key was reused")
	r.expect(r.post(3, "k1", `{"qty":1}`), replay(201, "order 1"), "k1 with the first body again",
		"a 422 stores nothing: the first body still replays")
}

func TestARequestInProgressGets409UntilItsLeaseRunsOut(t *testing.T) {
	r := newKeysRun(t, true, 1000, 100)
	r.post(0, "k1", "{}")
	r.expect(r.post(99, "k1", "{}"), refuse(409), "k1 at 99 ms, still running", "the lease (100 ms) holds")
	r.expect(r.post(100, "k1", "{}"), run(2), "k1 at 100 ms", "the lease has run out: the key is taken")
}

func TestAFailedHandlerReleasesTheKey(t *testing.T) {
	r := newKeysRun(t, true, 1000, 100)
	r.post(0, "k1", "{}")
	r.fail(1)
	r.expect(r.post(1, "k1", "another body"), run(2), "k1 after Fail(1)",
		"a failure stores nothing and frees the key")
}

func TestAStoredResponseIsForgottenAfterTTL(t *testing.T) {
	r := newKeysRun(t, true, 1000, 100)
	r.post(0, "k1", "{}")
	r.finish(10, 1, 200, "ok")
	r.expect(r.post(1009, "k1", "{}"), replay(200, "ok"), "k1 at 1009 ms", "stored at 10, ttl 1000: kept")
	r.expect(r.post(1010, "k1", "{}"), run(2), "k1 at 1010 ms", "stored at 10, ttl 1000: forgotten")
}
