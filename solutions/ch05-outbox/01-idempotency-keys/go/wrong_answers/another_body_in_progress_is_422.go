// wrong: compares the body before asking whether the first request is still running: 422 where the rule says 409
package main

import "sync"

// The outcomes of Begin.
const (
	Run    = "run"    // run the handler, then call Finish or Fail with the token
	Replay = "replay" // answer the stored Status and Body; the handler does not run
	Refuse = "refuse" // answer Status (400, 409 or 422); the handler does not run
)

// Request is what Begin needs of an HTTP request.
type Request struct {
	Key      string // the Idempotency-Key header's value
	HasKey   bool   // false: the request has no Idempotency-Key header
	Method   string
	Path     string
	BodyHash string // SHA-256 of the body, in hex
}

// Decision is what Begin decides for one request.
type Decision struct {
	Outcome string // Run, Replay or Refuse
	Status  int    // Replay: the stored status; Refuse: 400, 409 or 422
	Body    string // Replay: the stored body
	Token   int64  // Run with a key: 1, 2, 3... in order; Run without a key: 0
}

// Keys holds the decisions of an idempotency-key middleware, without HTTP. A
// client that got no answer sends its request again with the same
// Idempotency-Key; the server must run it once and give every retry the first
// answer. net/http runs handlers on many goroutines at once, so every method
// may be called concurrently. Times are milliseconds. The fields are a
// suggestion: change them as you like.
type Keys struct {
	mu       sync.Mutex
	required bool
	ttl      int64
	lease    int64
	records  map[scope]*record
	last     int64 // the last token given
}

// scope is what a key is unique within.
type scope struct{ method, path, key string }

// record is one scope's: in progress (token != 0) or completed (token == 0).
type record struct {
	bodyHash string
	token    int64 // the running request's; 0 once its response is stored
	at       int64 // when it was marked (in progress) or stored (completed)
	status   int
	body     string
}

// NewKeys returns the decisions of a middleware whose keys are required or
// optional, which keeps responses ttlMS and gives a running request a lease of
// leaseMS.
func NewKeys(required bool, ttlMS, leaseMS int64) *Keys {
	return &Keys{required: required, ttl: ttlMS, lease: leaseMS, records: map[scope]*record{}}
}

// Begin decides what to do with a request that arrives at now.
func (k *Keys) Begin(now int64, r Request) Decision {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !r.HasKey {
		if k.required {
			return Decision{Outcome: Refuse, Status: 400}
		}
		return Decision{Outcome: Run} // no key: run it, record nothing
	}
	if len(r.Key) < 1 || len(r.Key) > 255 {
		return Decision{Outcome: Refuse, Status: 400}
	}
	for i := 0; i < len(r.Key); i++ {
		if r.Key[i] < ' ' || r.Key[i] > '~' { // a byte of a non-ASCII rune is > '~' too
			return Decision{Outcome: Refuse, Status: 400}
		}
	}
	s := scope{r.Method, r.Path, r.Key}
	rec := k.records[s]
	if rec != nil && rec.bodyHash != r.BodyHash {
		return Decision{Outcome: Refuse, Status: 422}
	}
	if rec != nil && rec.token == 0 {
		if now-rec.at < k.ttl { // else expired: as if absent
			if rec.bodyHash != r.BodyHash {
				return Decision{Outcome: Refuse, Status: 422}
			}
			return Decision{Outcome: Replay, Status: rec.status, Body: rec.body}
		}
	} else if rec != nil && now-rec.at < k.lease {
		return Decision{Outcome: Refuse, Status: 409} // in progress, and its lease holds
	}
	k.last++
	k.records[s] = &record{bodyHash: r.BodyHash, token: k.last, at: now}
	return Decision{Outcome: Run, Token: k.last}
}

// Finish says that the request of token answered (status, body) at now: its
// response is stored if it still holds its key.
func (k *Keys) Finish(now, token int64, status int, body string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if token == 0 {
		return // a request without a key marked nothing
	}
	for _, rec := range k.records {
		if rec.token == token {
			rec.token, rec.at, rec.status, rec.body = 0, now, status, body
		}
	}
}

// Fail says that the handler of token failed: its key is released if it still
// holds it.
func (k *Keys) Fail(token int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if token == 0 {
		return
	}
	for s, rec := range k.records {
		if rec.token == token {
			delete(k.records, s)
		}
	}
}
