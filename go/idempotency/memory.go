package idempotency

import (
	"bytes"
	"context"
	"sync"
	"time"
)

type memRecord struct {
	fingerprint string
	token       string // "" once completed
	leaseAt     time.Time
	resp        Response
	storedAt    time.Time
}

// Memory is [Records] in a map behind a mutex: for one process, and for
// tests. Every sweepEvery calls of Begin it also drops the completed
// records that have expired, so that a stream of fresh keys does not grow
// the map for ever (a mark is kept until it is completed, released or
// taken over: a request whose lease ran out may still store its answer).
type Memory struct {
	mu      sync.Mutex
	records map[Scope]*memRecord
	begins  int
}

// sweepEvery is how many Begin calls pass between two sweeps: often enough
// to bound the map, rare enough to cost nothing per request.
const sweepEvery = 1024

// NewMemory returns empty in-memory records.
func NewMemory() *Memory {
	return &Memory{records: make(map[Scope]*memRecord)}
}

// Begin implements [Records].
func (m *Memory) Begin(_ context.Context, s Scope, fingerprint string, now time.Time, ttl, lease time.Duration) (Decision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.begins++; m.begins%sweepEvery == 0 {
		for sc, rec := range m.records {
			if rec.token == "" && expired(rec.storedAt, now, ttl) {
				delete(m.records, sc)
			}
		}
	}
	if rec, ok := m.records[s]; ok {
		switch {
		case rec.token == "" && !expired(rec.storedAt, now, ttl):
			if rec.fingerprint != fingerprint {
				return Decision{Verdict: Mismatch}, nil
			}
			resp := rec.resp
			resp.Body = bytes.Clone(resp.Body)
			return Decision{Verdict: Replay, Response: resp}, nil
		case rec.token != "" && !leaseRunOut(rec.leaseAt, now, lease):
			return Decision{Verdict: Conflict}, nil
		}
	}
	token := newToken()
	m.records[s] = &memRecord{fingerprint: fingerprint, token: token, leaseAt: now}
	return Decision{Verdict: Acquired, Token: token}, nil
}

// Complete implements [Records].
func (m *Memory) Complete(_ context.Context, s Scope, token string, resp Response, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.records[s]
	if !ok || rec.token == "" || rec.token != token {
		return false, nil
	}
	resp.Body = bytes.Clone(resp.Body)
	rec.token, rec.resp, rec.storedAt = "", resp, now
	return true, nil
}

// Release implements [Records].
func (m *Memory) Release(_ context.Context, s Scope, token string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.records[s]
	if !ok || rec.token == "" || rec.token != token {
		return false, nil
	}
	delete(m.records, s)
	return true, nil
}

// Len returns how many records are kept, completed and in progress.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}
