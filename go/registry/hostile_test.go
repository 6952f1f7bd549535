package registry_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"twinbook/registry"
	"twinbook/schema"
)

// deepSchema is an Avro schema of arrays nested n deep: valid JSON, which a
// parser without a depth limit would recurse into without end.
func deepSchema(n int) string {
	return strings.Repeat(`{"type":"array","items":`, n) + `"int"` + strings.Repeat("}", n)
}

// TestBadInputIsANamedError: every kind of bad input gets Confluent's error
// body with its code and a message saying what is wrong, within the
// client's deadline (a hang fails the request, so the test). The Python
// twin is python/tests/registry/test_hostile.py.
func TestBadInputIsANamedError(t *testing.T) {
	srv := newServer(t, registry.NewMemoryStore())
	srv.Client().Timeout = 10 * time.Second
	runSteps(t, srv, []step{
		{name: "a subject to ask about", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV1), status: 200},
	})
	huge := `{"schema": "` + strings.Repeat(" ", 8<<20) + `\"int\""}`
	tests := []struct {
		name, method, path, body string
		status, code             int
		says                     string // a piece of the message
	}{
		{"invalid schema", "POST", "/subjects/s/versions", body(`"strng"`), 422, 42201, "strng"},
		{"not JSON", "POST", "/subjects/s/versions", `{"schema": `, 400, 400, "Malformed JSON"},
		{"schema not a string", "POST", "/subjects/s/versions", `{"schema": 5}`, 422, 422, "schema"},
		{"a list for a body", "POST", "/subjects/s/versions", `[1, 2]`, 422, 422, "Unrecognized"},
		{"no schema", "POST", "/subjects/s/versions", `{}`, 422, 42201, "empty"},
		{"unknown subject", "GET", "/subjects/nope/versions", "", 404, 40401, "nope"},
		{"unknown version", "GET", "/subjects/orders-value/versions/99", "", 404, 40402, "99"},
		{"version not a number", "GET", "/subjects/orders-value/versions/x", "", 422, 42202, "x"},
		{"unknown id", "GET", "/schemas/ids/987654", "", 404, 40403, "987654"},
		{"huge body", "POST", "/subjects/s/versions", huge, 413, 413, "larger than"},
		{"a schema 10k deep", "POST", "/subjects/s/versions", body(deepSchema(10_000)), 422, 42201, "nested deeper than"},
		{"a schema 10k deep, checked", "POST", "/compatibility/subjects/orders-value/versions/latest", body(deepSchema(10_000)), 422, 42201, "nested deeper than"},
		{"a schema past MaxDepth", "POST", "/subjects/s/versions", body(deepSchema(schema.MaxDepth + 1)), 422, 42201, "nested deeper than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got, _ := call(t, srv, tt.method, tt.path, tt.body, "")
			m, _ := got.(map[string]any)
			msg, _ := m["message"].(string)
			if status != tt.status || errCode(got) != tt.code || !strings.Contains(msg, tt.says) {
				t.Fatalf("%d %d %q, want %d %d and a message saying %q", status, errCode(got), msg, tt.status, tt.code, tt.says)
			}
		})
	}
}

// Verbose compatibility answers and the 409 of register name the rule that
// failed and where, as Confluent's registry does.
func TestIncompatibilityNamesTheRule(t *testing.T) {
	srv := newServer(t, registry.NewMemoryStore())
	runSteps(t, srv, []step{
		{name: "v1", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV1), status: 200},
		{name: "v2", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV2), status: 200},
	})
	rule := "Order.note: reader field 'note' has no default and the writer has no such field"
	_, got, _ := call(t, srv, "POST", "/compatibility/subjects/orders-value/versions/latest?verbose=true", body(orderV3), "")
	b, _ := json.Marshal(got)
	want := `{"is_compatible":false,"messages":["version 2 (BACKWARD): the new schema cannot read data written with it: ` + rule + `"]}`
	if string(b) != want {
		t.Errorf("verbose: %s\nwant      %s", b, want)
	}
	status, got, _ := call(t, srv, "POST", "/subjects/orders-value/versions", body(orderV3), "")
	msg, _ := got.(map[string]any)["message"].(string)
	if status != http.StatusConflict || errCode(got) != 409 || !strings.Contains(msg, "version 2 (BACKWARD)") || !strings.Contains(msg, rule) {
		t.Errorf("register: %d %v", status, got)
	}
	// FORWARD: the old schema must read the new one's data.
	runSteps(t, srv, []step{{name: "forward", method: "PUT", path: "/config/orders-value", body: `{"compatibility":"FORWARD"}`, status: 200}})
	enumV := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"qty","type":"long","default":1}]}`
	_, got, _ = call(t, srv, "POST", "/compatibility/subjects/orders-value/versions/latest?verbose=true", body(enumV), "")
	b, _ = json.Marshal(got)
	if !strings.Contains(string(b), `it cannot read data written with the new schema: Order.qty: the writer's 'long' cannot be read as 'int'`) {
		t.Errorf("forward verbose: %s", b)
	}
}

// A subject with an encoded '/' in its name (%2F) is one path segment.
func TestSubjectWithAnEncodedSlash(t *testing.T) {
	srv := newServer(t, registry.NewMemoryStore())
	runSteps(t, srv, []step{
		{name: "register", method: "POST", path: "/subjects/team%2Forders-value/versions", body: body(orderV1), status: 200, want: map[string]any{"id": num(1)}},
		{name: "listed", method: "GET", path: "/subjects", status: 200, want: []any{"team/orders-value"}},
		{name: "version", method: "GET", path: "/subjects/team%2Forders-value/versions/1", status: 200,
			want: map[string]any{"subject": "team/orders-value", "version": num(1), "id": num(1), "schema": orderV1}},
		{name: "lookup", method: "POST", path: "/subjects/team%2Forders-value", body: body(orderV1), status: 200,
			want: map[string]any{"subject": "team/orders-value", "version": num(1), "id": num(1), "schema": orderV1}},
		{name: "check", method: "POST", path: "/compatibility/subjects/team%2Forders-value/versions/latest", body: body(orderV2), status: 200,
			want: map[string]any{"is_compatible": true}},
		{name: "config", method: "PUT", path: "/config/team%2Forders-value", body: `{"compatibility":"NONE"}`, status: 200, want: map[string]any{"compatibility": "NONE"}},
		{name: "delete", method: "DELETE", path: "/subjects/team%2Forders-value", status: 200, want: []any{num(1)}},
	})
}
