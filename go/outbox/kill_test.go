package outbox_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"twinbook/inbox"
	"twinbook/kafka/kafkatest"
	"twinbook/outbox"
	"twinbook/store"
	"twinbook/store/storetest"
)

// startRelay starts go/cmd/twinbook-relay on a store's outbox and waits
// for it to say it relays.
func startRelay(t *testing.T, storeURL, bootstrap string, batch int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(relayBin, "-store", storeURL, "-bootstrap", bootstrap, "-batch", fmt.Sprint(batch), "-poll", "5ms")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line == "ready\n"
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("twinbook-relay did not start")
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("twinbook-relay did not say ready within 30s")
	}
	return cmd
}

// The kill -9 run's size: 5000 events and 10 kills by default (make
// test's short run); the benchmark's full run (tests/benchmarks/ch05.py)
// asks for 100000 events and 50 kills through these variables.
const (
	KillEventsEnv = "TWINBOOK_OUTBOX_EVENTS"
	KillsEnv      = "TWINBOOK_OUTBOX_KILLS"
)

// envInt is the positive integer the variable name holds, else def.
func envInt(name string, def int) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n < 1 {
		return def
	}
	return n
}

// kill -9 the relay at random moments while events flow: nothing is lost,
// a kill duplicates at most one batch, and behind an inbox every effect is
// applied once. (make test's short run; the benchmark runs the long one.)
func TestRelaySurvivesKill9(t *testing.T) {
	const perTx, batch = 25, 100
	events := envInt(KillEventsEnv, 5000) / perTx * perTx
	kills := envInt(KillsEnv, 10)
	// A larger run gets more time: about 2 ms an event through the inbox on a
	// loaded machine, and a relay start per kill.
	limit := deadline + time.Duration(events)*2*time.Millisecond + time.Duration(kills)*2*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	dsn := storetest.URL(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := outbox.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := inbox.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE effects (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	bootstrap := kafkatest.Bootstrap(t)
	topic := newTopic(t, ctx, bootstrap)

	// The service: orders with their events, while the relay is killed.
	writer := make(chan error, 1)
	go func() {
		for i := 0; i < events; i += perTx {
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				for j := i; j < i+perTx; j++ {
					ev := outbox.Event{ID: fmt.Sprintf("e%05d", j), Aggregate: fmt.Sprintf("o%d", j%50), Topic: topic, Type: "t"}
					if _, err := outbox.Add(ctx, tx, ev); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				writer <- err
				return
			}
		}
		writer <- nil
	}()

	// The consumer: every delivery through the inbox.
	in := inbox.New(db, "kill9")
	var deliveries atomic.Int64
	distinct := sync.Map{}
	var distinctN atomic.Int64
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	consumed := make(chan error, 1)
	consume := func() error {
		defer cl.Close()
		for distinctN.Load() < int64(events) {
			fs := cl.PollFetches(ctx)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var failed error
			fs.EachRecord(func(r *kgo.Record) {
				id := ""
				for _, h := range r.Headers {
					if h.Key == outbox.HeaderEventID {
						id = string(h.Value)
					}
				}
				deliveries.Add(1)
				if _, dup := distinct.LoadOrStore(id, true); !dup {
					distinctN.Add(1)
				}
				_, err := in.Process(ctx, id, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO effects (id, n) VALUES ($1, 1)
						ON CONFLICT (id) DO UPDATE SET n = effects.n + 1`, id)
					return err
				})
				if err != nil && failed == nil {
					failed = err
				}
			})
			if failed != nil {
				return failed
			}
		}
		return nil
	}
	go func() { consumed <- consume() }()

	// The killer: a random number of events after each start, kill -9.
	for k := range kills {
		cmd := startRelay(t, dsn, bootstrap, batch)
		target := deliveries.Load() + int64(1+rand.IntN(events/kills))
		for deliveries.Load() < target && distinctN.Load() < int64(events) && ctx.Err() == nil {
			time.Sleep(time.Millisecond) // polling the consumer's progress
		}
		// A random moment after that: often inside a batch's transaction.
		time.Sleep(time.Duration(rand.IntN(5000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("kill %d: %v", k, err)
		}
		_ = cmd.Wait()
	}
	final := startRelay(t, dsn, bootstrap, batch)
	defer func() {
		final.Process.Signal(syscall.SIGTERM)
		final.Wait()
	}()
	if err := <-writer; err != nil {
		t.Fatal(err)
	}
	if err := <-consumed; err != nil {
		t.Fatalf("consumer: %v (%d distinct of %d)", err, distinctN.Load(), events)
	}
	dups := deliveries.Load() - int64(events)
	t.Logf("%d events, %d kills: %d deliveries, %d duplicates, %d absorbed by the inbox",
		events, kills, deliveries.Load(), dups, in.Duplicates())
	// One line for the benchmark to read (tests/benchmarks/ch05.py).
	summary, _ := json.Marshal(map[string]int64{"events": int64(events), "kills": int64(kills), "batch": batch,
		"deliveries": deliveries.Load(), "lost": int64(events) - distinctN.Load(), "duplicates": dups,
		"bound": int64(kills * batch), "inbox_applied": in.Applied(), "inbox_absorbed": in.Duplicates()})
	t.Logf("kill9 %s", summary)
	if dups > int64(kills*batch) {
		t.Errorf("%d duplicates, more than %d kills x %d a batch", dups, kills, batch)
	}
	if in.Duplicates() != dups || in.Applied() != int64(events) {
		t.Errorf("inbox applied %d and absorbed %d; want %d and %d", in.Applied(), in.Duplicates(), events, dups)
	}
	var wrong int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM effects WHERE n <> 1").Scan(&wrong); err != nil || wrong != 0 {
		t.Errorf("%d effects applied other than once (%v)", wrong, err)
	}
}

// The relay program refuses what it cannot run with, saying why, at once.
func TestRelayProgramRefusesBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no store", []string{"-bootstrap", "127.0.0.1:1"}, "-store"},
		{"bad store URL", []string{"-store", "mysql://x", "-bootstrap", "127.0.0.1:1"}, "store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(relayBin, tc.args...)
			cmd.Env = append(os.Environ(), "TWINBOOK_KAFKA=")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), tc.want) {
				t.Errorf("exit %v, output %q; want exit 1 naming %q", err, out, tc.want)
			}
		})
	}
}
