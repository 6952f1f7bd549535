package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The test binary is the program too: run with beMain set, it runs main
// instead of the tests, so the tests drive the real program without a build.
const beMain = "TWINBOOK_KAFKA_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(beMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// env is the program's environment: this one, with beMain set, and without
// the race detector's one-second sleep at exit (this binary is built with
// -race under make test), which would otherwise time every stop.
func env() []string {
	return append(os.Environ(), beMain+"=1", "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
}

// program is a started twinbook-kafka, its stdin a pipe the test holds.
type program struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string
	done  chan error
}

func start(t *testing.T, args ...string) *program {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = env()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &program{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdout)
		p.done <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "kafka: 127.0.0.1:")
		if !ok {
			t.Fatalf("first line %q, want \"kafka: 127.0.0.1:PORT\"", line)
		}
		p.addr = "127.0.0.1:" + addr
	case <-time.After(30 * time.Second):
		t.Fatal("no first line in 30s")
	}
	return p
}

// wait returns the program's exit error once it exits, failing the test if
// it does not within 10 seconds.
func (p *program) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the program did not exit within 10s")
		return nil
	}
}

func TestServesUntilStopped(t *testing.T) {
	tests := []struct {
		name string
		stop func(p *program) error
	}{
		{"SIGTERM", func(p *program) error { return p.cmd.Process.Signal(syscall.SIGTERM) }},
		{"SIGINT", func(p *program) error { return p.cmd.Process.Signal(syscall.SIGINT) }},
		{"stdin closed", func(p *program) error { return p.stdin.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cl, err := kgo.NewClient(kgo.SeedBrokers(p.addr))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if err := cl.Ping(ctx); err != nil {
				t.Fatalf("the program's broker does not answer: %v", err)
			}
			if err := tt.stop(p); err != nil {
				t.Fatal(err)
			}
			if err := p.wait(t); err != nil {
				t.Fatalf("exit: %v, want 0", err)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		args []string
		want int // partitions of a topic a client names; 0: not created
	}{
		{nil, 3},
		{[]string{"-partitions", "5"}, 5},
		{[]string{"-no-auto-create"}, 0},
	}
	for _, tt := range tests {
		t.Run("args="+strings.Join(tt.args, " "), func(t *testing.T) {
			p := start(t, tt.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cl, err := kgo.NewClient(kgo.SeedBrokers(p.addr))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			req := kmsg.NewPtrMetadataRequest()
			topic := kmsg.NewMetadataRequestTopic()
			topic.Topic = kmsg.StringPtr("named")
			req.Topics = append(req.Topics, topic)
			req.AllowAutoTopicCreation = true
			resp, err := req.RequestWith(ctx, cl)
			if err != nil {
				t.Fatal(err)
			}
			got := resp.Topics[0]
			if tt.want == 0 {
				if got.ErrorCode != kerr.UnknownTopicOrPartition.Code {
					t.Fatalf("error code %d, want UNKNOWN_TOPIC_OR_PARTITION", got.ErrorCode)
				}
			} else if got.ErrorCode != 0 || len(got.Partitions) != tt.want {
				t.Fatalf("error code %d, %d partitions; want %d", got.ErrorCode, len(got.Partitions), tt.want)
			}
			_ = p.stdin.Close()
			if err := p.wait(t); err != nil {
				t.Fatalf("exit: %v, want 0", err)
			}
		})
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-partitions", "0"}, {"-log-level", "loud"}, {"extra"}, {"-nope"},
		{"-fail-produce", "-1"}, {"-fail-produce", "1", "-fail-produce-error", "OFFSET_OUT_OF_RANGE"}} {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = env()
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("%v: %v (%s), want exit code 2", args, err, out)
		}
	}
}
