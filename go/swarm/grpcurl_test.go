package swarm_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// grpcurl runs the pinned grpcurl (go/tools, installed by make setup) against
// address; data, when not nil, is the request (-d).
func grpcurl(t *testing.T, address string, data any, args ...string) (string, string, error) {
	t.Helper()
	path, err := filepath.Abs("../../.venv/bin/grpcurl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("grpcurl is missing (make setup installs it from go/tools): %v", err)
	}
	argv := []string{"-plaintext", "-max-time", "10"}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		argv = append(argv, "-d", string(b))
	}
	cmd := exec.Command(path, append(append(argv, address), args...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// TestGrpcurl: a client that knows nothing of our .proto lists the services by
// reflection, checks health and submits a task, against both coordinators.
// grpcio serves reflection v1alpha only; grpcurl falls back to it.
func TestGrpcurl(t *testing.T) {
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			coord := coordinator(t, p.coord, 10000)
			worker(t, p.workers, coord.address, "w", "heartbeat-ms", "200")
			coord.waitEvent(t, "credit", "worker", "w")

			out, errOut, err := grpcurl(t, coord.address, nil, "list")
			if err != nil {
				t.Fatalf("list: %v: %s", err, errOut)
			}
			for _, svc := range []string{"swarm.v1.Coordinator", "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} {
				if !strings.Contains(out, svc+"\n") {
					t.Errorf("list lacks %s:\n%s", svc, out)
				}
			}
			for _, svc := range []string{"", "swarm.v1.Coordinator"} {
				out, errOut, err := grpcurl(t, coord.address, map[string]string{"service": svc}, "grpc.health.v1.Health/Check")
				if err != nil || !strings.Contains(out, `"SERVING"`) {
					t.Errorf("health of %q: %v %s %s", svc, err, out, errOut)
				}
			}
			req := map[string]string{"kind": "square", "input": base64.StdEncoding.EncodeToString([]byte("12"))}
			out, errOut, err = grpcurl(t, coord.address, req, "swarm.v1.Coordinator/Submit")
			if err != nil {
				t.Fatalf("submit: %v: %s", err, errOut)
			}
			var reply map[string]any
			if err := json.Unmarshal([]byte(out), &reply); err != nil {
				t.Fatal(err)
			}
			if got, _ := base64.StdEncoding.DecodeString(reply["output"].(string)); string(got) != "144" {
				t.Errorf("submit: %s", out)
			}
			_, errOut, err = grpcurl(t, coord.address, map[string]string{"kind": "nope"}, "swarm.v1.Coordinator/Submit")
			if err == nil || !strings.Contains(errOut, "FailedPrecondition") {
				t.Errorf("unknown kind: %v %s", err, errOut)
			}
		})
	}
}
