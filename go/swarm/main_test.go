package swarm_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// bin holds the swarm's programs, built once for the package's tests.
var bin string

// TestMain builds go/cmd's swarm programs into a temporary directory, runs
// the tests, and fails the run if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "swarm-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	build := exec.Command("go", "build", "-o", dir, "twinbook/cmd/swarm-coordinator", "twinbook/cmd/swarm-worker", "twinbook/cmd/swarm-flaky")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the swarm programs:", err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// python is the project's venv Python (make setup), which runs twinbook.swarm.
func python(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs("../../.venv/bin/python")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the Python workers need the project's venv (make setup): %v", err)
	}
	return p
}
