package saga_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"twinbook/internal/testutil"
	"twinbook/saga"
)

// The saga conformance vectors (the saga section of
// book/appendix/spec-idempotency.md) share tests/vectors/idempotency/ with
// the idempotency-key vectors: this runner loads the folder with both
// concepts and runs the saga cases, on every kind of Log.

const (
	sagaConcept = "saga"
	keyConcept  = "idempotency_key"
	// maxAttempts stops a run that would not end (a compensation failing
	// forever in a malformed script, or a broken orchestrator).
	maxAttempts = 1000
)

// errMalformed marks a case the spec calls malformed, as opposed to one the
// orchestrator got wrong.
var errMalformed = errors.New("malformed case")

type vectorCase struct {
	Name       string              `json:"name"`
	Saga       *vectorSaga         `json:"saga"`
	Script     map[string][]string `json:"script"`
	CrashAfter []int               `json:"crash_after"`
	Expect     *vectorExpect       `json:"expect"`
}

type vectorSaga struct {
	ID    *string      `json:"id"`
	Steps []vectorStep `json:"steps"`
}

type vectorStep struct {
	Name    *string `json:"name"`
	Retries *int    `json:"retries"`
}

type vectorExpect struct {
	Outcome string            `json:"outcome"`
	Log     []string          `json:"log"`
	Keys    map[string]string `json:"keys"`
}

// logKind gives each test an empty log: prepare runs once per top-level
// test (a store is one database for all its subtests: creating a
// PostgreSQL database per case would cost more than the cases) and returns
// fresh, which empties it for one subtest and returns reopen, how to reach
// the log again as a restarted process would (the same MemoryLog, or a new
// StoreLog on the same database).
type logKind struct {
	name    string
	prepare func(t *testing.T) (fresh func(t *testing.T) (reopen func() saga.Log))
}

// logKinds are the Logs every case runs on; storelog_test.go adds the store.
var logKinds = []logKind{
	{"memory", func(*testing.T) func(*testing.T) func() saga.Log {
		return func(*testing.T) func() saga.Log {
			log := saga.NewMemoryLog()
			return func() saga.Log { return log }
		}
	}},
}

// emptyLog is a fresh log of kind for a test with no subtests.
func emptyLog(t *testing.T, kind logKind) saga.Log { return kind.prepare(t)(t)() }

// TestVectors replays every saga case of $TWINBOOK_VECTORS_DIR/idempotency/
// (or the project's tests/vectors/idempotency/), one subtest per case and
// kind of Log. A file of an unknown concept, or without cases, fails; a
// file of idempotency keys is the idempotency package's.
func TestVectors(t *testing.T) {
	dir := testutil.VectorsDir("idempotency")
	cases, err := testutil.LoadVectorsOf(dir, keyConcept, sagaConcept)
	if err != nil {
		t.Error(err)
	}
	checkFiles(t, dir, cases)
	fresh := make([]func(*testing.T) func() saga.Log, len(logKinds))
	for i, kind := range logKinds {
		fresh[i] = kind.prepare(t)
	}
	ran := 0
	for _, vc := range cases {
		if vc.Concept != sagaConcept {
			continue
		}
		ran++
		for i, kind := range logKinds {
			t.Run(vc.ID()+"/"+kind.name, func(t *testing.T) {
				if vc.Name == "" {
					t.Fatalf("%s: a case needs a name", vc.File)
				}
				if err := runRaw(t, vc.Raw, fresh[i](t)); err != nil {
					t.Fatalf("%s: %v", vc.File, err)
				}
			})
		}
	}
	if ran == 0 && os.Getenv(testutil.VectorsEnv) == "" {
		t.Errorf("no saga cases in %s", dir)
	}
}

// TestVectorsRejectMalformedCases: every case of the malformed fixtures is
// refused as malformed (their expectations are otherwise right, so a runner
// that checked only the log would pass them).
func TestVectorsRejectMalformedCases(t *testing.T) {
	_, here, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(here), "..", "..", "tests", "fixtures", "vectors-malformed", "idempotency")
	cases, err := testutil.LoadVectorsOf(dir, keyConcept, sagaConcept)
	if err != nil || len(cases) < 10 {
		t.Fatalf("malformed fixtures: %d cases, %v", len(cases), err)
	}
	for _, vc := range cases {
		t.Run(vc.ID(), func(t *testing.T) {
			log := emptyLog(t, logKinds[0])
			err := runRaw(t, vc.Raw, func() saga.Log { return log })
			if !errors.Is(err, errMalformed) {
				t.Fatalf("want a malformed-case error, got %v", err)
			}
		})
	}
}

func checkFiles(t *testing.T, dir string, cases []testutil.VectorCase) {
	names := map[string]string{}
	for _, c := range cases {
		if where, dup := names[c.Name]; dup && c.Name != "" {
			t.Errorf("%s: case %q: the name is already used in %s", c.File, c.Name, where)
		}
		names[c.Name] = c.File
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		var file struct {
			Cases []json.RawMessage `json:"cases"`
		}
		data, err := os.ReadFile(f)
		if err == nil && json.Unmarshal(data, &file) == nil && len(file.Cases) == 0 {
			t.Errorf("%s: malformed file: no cases", f)
		}
	}
}

func runRaw(t *testing.T, raw json.RawMessage, reopen func() saga.Log) error {
	var c vectorCase
	if err := testutil.DecodeStrict(raw, &c); err != nil {
		return fmt.Errorf("%w: %v", errMalformed, err)
	}
	return runCase(t, c, reopen)
}

// crash is what the participant panics with to kill "the process".
type crash struct{ position int }

// runaway is what it panics with to stop a run that does not end.
type runaway struct{}

// participant is the runner's side of the saga: it takes script entries,
// records every attempt itself (it does not trust the orchestrator's log)
// and crashes at the case's positions.
type participant struct {
	script  map[string][]string
	crashAt map[int]bool
	log     []string
	keys    []string
}

func (p *participant) call(_ context.Context, c saga.Call) error {
	key := c.Step + ":" + string(c.Kind)
	result := "ok"
	if rest := p.script[key]; len(rest) > 0 {
		result, p.script[key] = rest[0], rest[1:]
	}
	p.log = append(p.log, key+" "+result)
	p.keys = append(p.keys, c.Key)
	if p.crashAt[len(p.log)] {
		p.log[len(p.log)-1] = key + " crashed"
		panic(crash{len(p.log)})
	}
	if len(p.log) >= maxAttempts {
		panic(runaway{})
	}
	if result == "fail" {
		return errors.New("scripted failure")
	}
	return nil
}

func definition(c vectorCase, p *participant) (string, saga.Definition, error) {
	if c.Saga == nil || c.Expect == nil {
		return "", saga.Definition{}, fmt.Errorf("%w: a case needs saga and expect", errMalformed)
	}
	if c.Saga.ID == nil || *c.Saga.ID == "" {
		return "", saga.Definition{}, fmt.Errorf("%w: saga.id must be a non-empty string", errMalformed)
	}
	def := saga.Definition{ID: "vector"}
	kinds := map[string]bool{}
	for i, s := range c.Saga.Steps {
		if s.Name == nil {
			return "", def, fmt.Errorf("%w: step %d has no name", errMalformed, i)
		}
		retries := 0
		if s.Retries != nil {
			retries = *s.Retries
		}
		def.Steps = append(def.Steps, saga.Step{Name: *s.Name, Retries: retries, Action: p.call, Compensation: p.call})
		kinds[*s.Name+":action"], kinds[*s.Name+":compensation"] = true, true
	}
	if err := def.Validate(); err != nil {
		return "", def, fmt.Errorf("%w: %v", errMalformed, err)
	}
	for key, results := range c.Script {
		if !kinds[key] {
			return "", def, fmt.Errorf("%w: script key %q names no step:action or step:compensation", errMalformed, key)
		}
		for _, r := range results {
			if r != "ok" && r != "fail" {
				return "", def, fmt.Errorf("%w: script %q: result %q is not ok or fail", errMalformed, key, r)
			}
		}
	}
	for i, n := range c.CrashAfter {
		if n < 1 || (i > 0 && n <= c.CrashAfter[i-1]) {
			return "", def, fmt.Errorf("%w: crash_after %v: distinct positions >= 1, ascending", errMalformed, c.CrashAfter)
		}
	}
	if c.Expect.Outcome != string(saga.Completed) && c.Expect.Outcome != string(saga.Compensated) {
		return "", def, fmt.Errorf("%w: expect.outcome %q is not completed or compensated", errMalformed, c.Expect.Outcome)
	}
	if c.Expect.Log == nil {
		return "", def, fmt.Errorf("%w: no expect.log", errMalformed)
	}
	return *c.Saga.ID, def, nil
}

func runCase(t *testing.T, c vectorCase, reopen func() saga.Log) error {
	p := &participant{script: map[string][]string{}, crashAt: map[int]bool{}}
	for k, v := range c.Script {
		p.script[k] = slices.Clone(v)
	}
	for _, n := range c.CrashAfter {
		p.crashAt[n] = true
	}
	id, def, err := definition(c, p)
	if err != nil {
		return err
	}
	ctx := t.Context()
	var outcome saga.State
	for crashes := 0; ; crashes++ {
		// A new orchestrator on the same store, as a restarted process would
		// build: the first runs the saga, the later ones resume it.
		log := reopen()
		o, err := saga.New(def, log, saga.Options{Backoff: saga.NoBackoff})
		if err != nil {
			return fmt.Errorf("%w: %v", errMalformed, err)
		}
		crashed, err := survive(func() error {
			if crashes == 0 {
				outcome, err = o.Run(ctx, id)
				return err
			}
			n, err := o.Resume(ctx)
			if err == nil && n != 1 {
				return fmt.Errorf("Resume finished %d sagas, want 1", n)
			}
			p, lerr := log.Load(ctx, id)
			outcome = p.State
			return errors.Join(err, lerr)
		})
		if err != nil {
			return err
		}
		if !crashed {
			break
		}
	}
	for _, n := range c.CrashAfter {
		if n > len(p.log) {
			return fmt.Errorf("%w: crash_after position %d: the run has %d attempts", errMalformed, n, len(p.log))
		}
	}
	for pos := range c.Expect.Keys {
		n, err := strconv.Atoi(pos)
		if err != nil || n < 1 || n > len(p.log) || strconv.Itoa(n) != pos {
			return fmt.Errorf("%w: expect.keys: %q is not a position in the log", errMalformed, pos)
		}
	}
	if !slices.Equal(p.log, c.Expect.Log) {
		return fmt.Errorf("expect.log:\n want %s\n got  %s", strings.Join(c.Expect.Log, ", "), strings.Join(p.log, ", "))
	}
	for pos, want := range c.Expect.Keys {
		n, _ := strconv.Atoi(pos)
		if got := p.keys[n-1]; got != want {
			return fmt.Errorf("expect.keys[%s]: want %q, got %q", pos, want, got)
		}
	}
	if string(outcome) != c.Expect.Outcome {
		return fmt.Errorf("expect.outcome: want %q, got %q", c.Expect.Outcome, outcome)
	}
	return nil
}

// survive runs f, which may "crash": it reports whether the participant's
// crash panic ended it. Any other panic goes on up.
func survive(f func() error) (crashed bool, err error) {
	defer func() {
		switch r := recover(); r.(type) {
		case nil:
		case crash:
			crashed = true
		case runaway:
			err = fmt.Errorf("more than %d attempts: the run does not end", maxAttempts)
		default:
			panic(r)
		}
	}()
	return false, f()
}
