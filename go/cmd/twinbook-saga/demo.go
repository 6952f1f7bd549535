package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"twinbook/saga"
	"twinbook/store"
)

// Steps of the demo's order saga; the last has no compensation (nothing
// after it can fail).
var Steps = []string{"reserve", "charge", "ship", "notify"}

// Always is a failure count no retry outlives.
const Always = 1 << 20

// Failures is how many times the participant fails the attempts of key
// before it succeeds: saga i's plan, by i % 5 (the same in Python).
//
//	1: charge's action always fails   -> compensated (reserve undone)
//	2: ship's action fails once       -> completed after one retry
//	3: ship's action always fails, reserve's compensation fails twice
//	                                  -> compensated (charge, reserve undone)
//	4: reserve's action always fails  -> compensated, nothing to undo
//	0: nothing fails                  -> completed
func Failures(key string) int {
	parts := strings.Split(key, ":")
	i, err := strconv.Atoi(strings.TrimPrefix(parts[0], "s"))
	if len(parts) != 3 || err != nil {
		return 0
	}
	switch step := parts[1] + ":" + parts[2]; {
	case i%5 == 1 && step == "charge:action":
		return Always
	case i%5 == 2 && step == "ship:action":
		return 1
	case i%5 == 3 && step == "ship:action":
		return Always
	case i%5 == 3 && step == "reserve:compensation":
		return 2
	case i%5 == 4 && step == "reserve:action":
		return Always
	}
	return 0
}

const demoSchema = `
CREATE TABLE IF NOT EXISTS demo_calls (key TEXT NOT NULL, attempt INTEGER NOT NULL, PRIMARY KEY (key, attempt));
CREATE TABLE IF NOT EXISTS demo_effects (key TEXT PRIMARY KEY, seq INTEGER NOT NULL);`

// errScripted is the participant's planned failure.
var errScripted = errors.New("scripted failure")

// Participant handles one call in one transaction: it records the call,
// fails it if the plan says so, and otherwise applies its effect unless the
// key's effect is there already (a repetition after a crash).
func Participant(db *store.DB) saga.Func {
	return func(ctx context.Context, c saga.Call) error {
		failed := false
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM demo_calls WHERE key = ?`), c.Key).Scan(&n); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO demo_calls (key, attempt) VALUES (?, ?)`), c.Key, n+1); err != nil {
				return err
			}
			if n < Failures(c.Key) {
				failed = true // committed: the call is recorded, and failed
				return nil
			}
			_, err := tx.ExecContext(ctx, db.Rebind(`
				INSERT INTO demo_effects (key, seq)
				SELECT ?, COALESCE(MAX(seq), 0) + 1 FROM demo_effects WHERE true
				ON CONFLICT (key) DO NOTHING`), c.Key)
			return err
		})
		if err == nil && failed {
			return errScripted
		}
		return err
	}
}

// Orchestrator returns the demo's orchestrator on db, its tables created.
func Orchestrator(ctx context.Context, db *store.DB) (*saga.Orchestrator, error) {
	if _, err := db.ExecContext(ctx, demoSchema); err != nil {
		return nil, fmt.Errorf("demo tables: %w", err)
	}
	log, err := saga.NewStoreLog(ctx, db)
	if err != nil {
		return nil, err
	}
	call := Participant(db)
	def := saga.Definition{ID: "demo-order"}
	for i, name := range Steps {
		s := saga.Step{Name: name, Retries: 1, Action: call, Compensation: call}
		if i == len(Steps)-1 {
			s.Compensation = nil
		}
		def.Steps = append(def.Steps, s)
	}
	return saga.New(def, log, saga.Options{Backoff: saga.NoBackoff})
}
