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
// tests. Expired records are removed when their key is next used.
type Memory struct {
	mu      sync.Mutex
	records map[Scope]*memRecord
}

// NewMemory returns empty in-memory records.
func NewMemory() *Memory {
	return &Memory{records: make(map[Scope]*memRecord)}
}

// Begin implements [Records].
func (m *Memory) Begin(_ context.Context, s Scope, fingerprint string, now time.Time, ttl, lease time.Duration) (Decision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
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
