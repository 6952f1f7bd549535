package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"twinbook/saga"
	"twinbook/store"
	"twinbook/store/storetest"
)

// runMainEnv makes the test binary act as the command, so that the crash
// test kills a real process without building one.
const runMainEnv = "TWINBOOK_SAGA_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		if err := run(os.Args[1:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "twinbook-saga:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// KillsEnv sets how many times the crash test kills the command: 10 by
// default (make test's short run); a benchmark's full run asks for more,
// and gets 4 sagas per kill so that the kills land before the end.
const KillsEnv = "TWINBOOK_SAGA_KILLS"

var kills, sagas = killsAndSagas()

func killsAndSagas() (int, int) {
	k, err := strconv.Atoi(os.Getenv(KillsEnv))
	if err != nil || k < 1 {
		k = 10
	}
	return k, max(40, 4*k)
}

// wantCounts is the last run's line for n sagas: the plan compensates the
// sagas whose number is 1, 3 or 4 modulo 5.
func wantCounts(n int) string {
	compensated := 0
	for i := range n {
		if m := i % 5; m == 1 || m == 3 || m == 4 {
			compensated++
		}
	}
	return fmt.Sprintf(`{"compensated":%d,"completed":%d}`, compensated, n-compensated)
}

func command(ctx context.Context, url string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-store", url, "-sagas", fmt.Sprint(sagas), "-timeout", "10m")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	return cmd
}

// TestKilledAtRandomMomentsEverySagaEndsAndEachEffectIsAppliedOnce starts
// the command, SIGKILLs it when the participant has seen a random number of
// further calls (10 times), then lets a last start finish. Every saga must
// end as its plan says, with each effect applied once, compensations after
// the actions and in reverse order.
func TestKilledAtRandomMomentsEverySagaEndsAndEachEffectIsAppliedOnce(t *testing.T) {
	url := storetest.URL(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute+time.Duration(kills)*time.Second)
	defer cancel()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	killed := 0
	for killed < kills {
		before := count(ctx, t, db, "demo_calls")
		target := before + 2 + rng.IntN(9) // 2..10 more calls: 6 per kill of ~18 per 4 sagas
		cmd := command(ctx, url)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if finished := waitForCalls(ctx, t, db, target, done); finished {
			t.Fatalf("the run ended before kill %d: %s", killed+1, stderr.String())
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		<-done
		killed++
	}
	var out bytes.Buffer
	cmd := command(ctx, url)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("the last run: %v: %s", err, out.String())
	}
	if got, want := strings.TrimSpace(out.String()), wantCounts(sagas); got != want {
		t.Fatalf("the last run printed %s, want %s", got, want)
	}
	checkEffects(ctx, t, db)
}

// waitForCalls polls until the participant has seen target calls (false),
// or the command exited (true); the test's deadline bounds it.
func waitForCalls(ctx context.Context, t *testing.T, db *store.DB, target int, done chan error) bool {
	for {
		select {
		case err := <-done:
			done <- err
			return true
		case <-ctx.Done():
			t.Fatal("timed out waiting for the participant's calls")
		default:
		}
		if count(ctx, t, db, "demo_calls") >= target {
			return false
		}
		time.Sleep(time.Millisecond) // the poll's pace, not a synchronisation
	}
}

func count(ctx context.Context, t *testing.T, db *store.DB, table string) int {
	var n int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
	if err != nil && strings.Contains(err.Error(), "no such table") || err != nil && strings.Contains(err.Error(), "does not exist") {
		return 0 // the first run has not created it yet
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantEffects is saga i's effects in the order they must be applied.
func wantEffects(i int) []string {
	failed := map[int]int{1: 1, 3: 2, 4: 0}
	k, compensated := failed[i%5]
	var keys []string
	for j, step := range Steps {
		if compensated && j == k {
			break
		}
		keys = append(keys, saga.Key(fmt.Sprintf("s%d", i), step, saga.Action))
	}
	if compensated {
		for j := k - 1; j >= 0; j-- {
			keys = append(keys, saga.Key(fmt.Sprintf("s%d", i), Steps[j], saga.Compensation))
		}
	}
	return keys
}

func checkEffects(ctx context.Context, t *testing.T, db *store.DB) {
	rows, err := db.QueryContext(ctx, `SELECT key FROM demo_effects ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	perSaga := map[string][]string{}
	total := 0
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			t.Fatal(err)
		}
		id := key[:strings.IndexByte(key, ':')]
		perSaga[id] = append(perSaga[id], key)
		total++
	}
	rows.Close()
	for i := range sagas {
		id := fmt.Sprintf("s%d", i)
		if got, want := perSaga[id], wantEffects(i); !slices.Equal(got, want) {
			t.Errorf("saga %s: effects %v, want %v", id, got, want)
		}
		delete(perSaga, id)
	}
	if len(perSaga) != 0 {
		t.Errorf("effects of sagas never run: %v", perSaga)
	}
	log, err := saga.NewStoreLog(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := log.Unfinished(ctx, "demo-order"); err != nil || len(ids) != 0 {
		t.Errorf("unfinished after the last run: %v %v", ids, err)
	}
	// Calls that reached the effect once more than needed: the repetitions
	// after kills that the deduplication absorbed.
	var succeeded int
	for key := range keysOf(ctx, t, db) {
		var n int
		_ = db.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM demo_calls WHERE key = ?`), key).Scan(&n)
		succeeded += max(0, n-min(Failures(key), n))
	}
	summary, _ := json.Marshal(map[string]int{"kills": kills, "effects": total, "duplicates_absorbed": succeeded - total})
	t.Logf("%s", summary)
}

func keysOf(ctx context.Context, t *testing.T, db *store.DB) map[string]bool {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT key FROM demo_calls`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys[k] = true
	}
	return keys
}

func TestRunRefusesAMissingOrBadStore(t *testing.T) {
	var out bytes.Buffer
	if err := run(nil, &out); err == nil || !strings.Contains(err.Error(), "-store is required") {
		t.Fatalf("no -store: %v", err)
	}
	if err := run([]string{"-store", "mysql://x"}, &out); !errors.Is(err, store.ErrBadURL) {
		t.Fatalf("a bad URL: want store.ErrBadURL, got %v", err)
	}
	if out.Len() != 0 {
		t.Fatalf("printed %q", out.String())
	}
}
