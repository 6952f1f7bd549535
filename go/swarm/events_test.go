package swarm_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"twinbook/swarm"
)

// TestEventLogWritesWhatEncodingJSONWould: the hand-written encoder of Emit
// gives, byte for byte, the line json.Marshal gives for the same map (keys
// sorted, HTML characters and non-ASCII escaped as it escapes them), for the
// field types the swarm logs and for others (through json.Marshal).
func TestEventLogWritesWhatEncodingJSONWould(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]any
	}{
		{"no fields", nil},
		{"integers and strings", map[string]any{"worker": "w1", "task": "t42", "attempt": int32(2), "held": 3, "budget_ms": int64(950)}},
		{"booleans", map[string]any{"stopped": true, "running": false}},
		{"string slices", map[string]any{"kinds": []string{"flaky", "sleep", "square"}, "none": []string(nil), "empty": []string{}}},
		{"strings json escapes", map[string]any{"error": "rpc error: code = Unavailable desc = \"gone\" <&> \\ \n\t\x01", "ü": "grüße ☃ \u2028"}},
		{"invalid utf-8", map[string]any{"input": "a\xffb"}},
		{"other types", map[string]any{"ratio": 0.25, "nothing": nil, "nested": map[string]int{"b": 2, "a": 1}}},
		{"event and ms in fields are replaced", map[string]any{"event": "spoof", "ms": -1, "a": "z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			swarm.NewEventLog(&out).Emit("hello", tt.fields)
			line := out.String()
			if !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 {
				t.Fatalf("not one line: %q", line)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("not JSON: %v: %q", err, line)
			}
			want := map[string]any{}
			for k, v := range tt.fields {
				want[k] = v
			}
			want["event"] = "hello"
			want["ms"] = int64(got["ms"].(float64))
			wantLine, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if line != string(wantLine)+"\n" {
				t.Errorf("Emit wrote\n%s\nencoding/json writes\n%s", line, wantLine)
			}
		})
	}
}

// TestNilEventLogWritesNothing: a nil log, or one without a writer, is a no-op.
func TestNilEventLogWritesNothing(t *testing.T) {
	var none *swarm.EventLog
	none.Emit("hello", map[string]any{"a": 1}) // must not panic
	swarm.NewEventLog(nil).Emit("hello", map[string]any{"a": 1})
}
