package registry_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"twinbook/registry"
)

const (
	orderV1 = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}`
	// The same schema as orderV1, spelled differently: whitespace, key order, a full name.
	orderV1Respelled = `{ "fields": [ {"type": "string", "name": "id"} ], "name": "shop.Order", "type": "record" }`
	orderV2          = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int","default":1}]}`
	// orderV3 adds a field without a default: a BACKWARD reader cannot read v2's records.
	orderV3    = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int","default":1},{"name":"note","type":"string"}]}`
	money      = `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`
	invoiceRef = `{"type":"record","name":"Invoice","namespace":"shop","fields":[{"name":"total","type":"shop.Money"}]}`
)

// body wraps a schema text in a register/lookup request body.
func body(schema string, extra ...string) string {
	b, _ := json.Marshal(schema)
	return `{"schema":` + string(b) + strings.Join(extra, "") + `}`
}

func newServer(t *testing.T, store registry.Store) *httptest.Server {
	t.Helper()
	svc, err := registry.New(context.Background(), store, registry.AvroChecker{}, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.NewHandler(svc))
	t.Cleanup(srv.Close)
	return srv
}

// call sends one request and returns the status and the body as JSON (or
// as a string when it is not JSON).
func call(t *testing.T, srv *httptest.Server, method, path, reqBody, contentType string) (int, any, http.Header) {
	t.Helper()
	var rd io.Reader
	if reqBody != "" {
		rd = strings.NewReader(reqBody)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType == "" {
		contentType = registry.ContentType
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		v = string(raw)
	}
	return resp.StatusCode, v, resp.Header
}

// step is one request of a scenario and what must come back: the status
// and either the whole body (want) or Confluent's error code (code).
type step struct {
	name, method, path, body, contentType string
	status                                int
	want                                  any
	code                                  int
}

func num(n int) float64 { return float64(n) }

func errCode(v any) int {
	m, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	c, _ := m["error_code"].(float64)
	return int(c)
}

func runSteps(t *testing.T, srv *httptest.Server, steps []step) {
	t.Helper()
	for _, s := range steps {
		status, got, header := call(t, srv, s.method, s.path, s.body, s.contentType)
		if status != s.status {
			t.Errorf("%s: %s %s: status %d, want %d (body %v)", s.name, s.method, s.path, status, s.status, got)
			continue
		}
		if ct := header.Get("Content-Type"); ct != registry.ContentType {
			t.Errorf("%s: Content-Type %q, want %q", s.name, ct, registry.ContentType)
		}
		if s.code != 0 {
			if c := errCode(got); c != s.code {
				t.Errorf("%s: error_code %d, want %d (body %v)", s.name, c, s.code, got)
			}
			if m, _ := got.(map[string]any); m["message"] == "" || m["message"] == nil {
				t.Errorf("%s: error without a message: %v", s.name, got)
			}
			continue
		}
		if s.want != nil && !reflect.DeepEqual(got, s.want) {
			t.Errorf("%s: %s %s: got %#v, want %#v", s.name, s.method, s.path, got, s.want)
		}
	}
}

// routeSteps is one registry's life, request by request: every route and
// every error code, in an order where each step's answer is known.
func routeSteps() []step {
	obj := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	list := func(xs ...any) []any { return append([]any{}, xs...) }
	return []step{
		{name: "root", method: "GET", path: "/", status: 200, want: obj()},
		{name: "types", method: "GET", path: "/schemas/types", status: 200, want: list("AVRO")},
		{name: "no subjects yet", method: "GET", path: "/subjects", status: 200, want: list()},
		{name: "global level default", method: "GET", path: "/config", status: 200, want: obj("compatibilityLevel", "BACKWARD")},
		{name: "register v1", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV1), status: 200, want: obj("id", num(1))},
		{name: "same schema respelled: same id, no version", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV1Respelled), status: 200, want: obj("id", num(1))},
		{name: "same schema in another subject: same id", method: "POST", path: "/subjects/audit-value/versions", body: body(orderV1), contentType: "application/json", status: 200, want: obj("id", num(1))},
		{name: "empty references: same id", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV1, `,"references":[]`), status: 200, want: obj("id", num(1))},
		{name: "explicit AVRO type", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV1, `,"schemaType":"AVRO"`), status: 200, want: obj("id", num(1))},
		{name: "octet-stream accepted", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV1), contentType: "application/octet-stream", status: 200, want: obj("id", num(1))},
		{name: "register v2 (backward compatible)", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV2), status: 200, want: obj("id", num(2))},
		{name: "incompatible v3 refused", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV3), status: 409, code: 409},
		{name: "versions", method: "GET", path: "/subjects/orders-value/versions", status: 200, want: list(num(1), num(2))},
		{name: "subjects", method: "GET", path: "/subjects", status: 200, want: list("audit-value", "orders-value")},
		{name: "subject prefix", method: "GET", path: "/subjects?subjectPrefix=orders", status: 200, want: list("orders-value")},
		{name: "version 1", method: "GET", path: "/subjects/orders-value/versions/1", status: 200, want: obj("subject", "orders-value", "version", num(1), "id", num(1), "schema", orderV1)},
		{name: "latest", method: "GET", path: "/subjects/orders-value/versions/latest", status: 200, want: obj("subject", "orders-value", "version", num(2), "id", num(2), "schema", orderV2)},
		{name: "-1 is latest", method: "GET", path: "/subjects/orders-value/versions/-1", status: 200, want: obj("subject", "orders-value", "version", num(2), "id", num(2), "schema", orderV2)},
		{name: "raw schema", method: "GET", path: "/subjects/orders-value/versions/1/schema", status: 200, want: mustJSON(orderV1)},
		{name: "schema by id", method: "GET", path: "/schemas/ids/2", status: 200, want: obj("schema", orderV2)},
		{name: "raw schema by id", method: "GET", path: "/schemas/ids/1/schema", status: 200, want: mustJSON(orderV1)},
		{name: "id versions", method: "GET", path: "/schemas/ids/1/versions", status: 200, want: list(obj("subject", "audit-value", "version", num(1)), obj("subject", "orders-value", "version", num(1)))},
		{name: "id subjects", method: "GET", path: "/schemas/ids/1/subjects", status: 200, want: list("audit-value", "orders-value")},
		{name: "unknown id", method: "GET", path: "/schemas/ids/99", status: 404, code: 40403},
		{name: "id not a number", method: "GET", path: "/schemas/ids/x", status: 404, code: 40403},
		{name: "unknown subject", method: "GET", path: "/subjects/nope/versions", status: 404, code: 40401},
		{name: "unknown subject version", method: "GET", path: "/subjects/nope/versions/1", status: 404, code: 40401},
		{name: "unknown version", method: "GET", path: "/subjects/orders-value/versions/7", status: 404, code: 40402},
		{name: "invalid version", method: "GET", path: "/subjects/orders-value/versions/abc", status: 422, code: 42202},
		{name: "version 0 invalid", method: "GET", path: "/subjects/orders-value/versions/0", status: 422, code: 42202},
		{name: "invalid schema", method: "POST", path: "/subjects/orders-value/versions", body: body(`{"type":"record","name":"X"}`), status: 422, code: 42201},
		{name: "schema not JSON", method: "POST", path: "/subjects/orders-value/versions", body: body(`{not json`), status: 422, code: 42201},
		{name: "empty schema", method: "POST", path: "/subjects/orders-value/versions", body: `{}`, status: 422, code: 42201},
		{name: "unsupported type", method: "POST", path: "/subjects/orders-value/versions", body: body(`syntax = "proto3";`, `,"schemaType":"PROTOBUF"`), status: 422, code: 42201},
		{name: "malformed JSON body", method: "POST", path: "/subjects/orders-value/versions", body: `{"schema": `, status: 400, code: 400},
		{name: "body of the wrong shape", method: "POST", path: "/subjects/orders-value/versions", body: `{"schema": 5}`, status: 422, code: 422},
		{name: "unsupported media type", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV1), contentType: "text/plain", status: 415, code: 415},
		{name: "lookup", method: "POST", path: "/subjects/orders-value", body: body(orderV1Respelled), status: 200, want: obj("subject", "orders-value", "version", num(1), "id", num(1), "schema", orderV1)},
		{name: "lookup: schema not in subject", method: "POST", path: "/subjects/orders-value", body: body(orderV3), status: 404, code: 40403},
		{name: "lookup: unknown subject", method: "POST", path: "/subjects/nope", body: body(orderV1), status: 404, code: 40401},
		{name: "compatible with latest", method: "POST", path: "/compatibility/subjects/orders-value/versions/latest", body: body(orderV2), status: 200, want: obj("is_compatible", true)},
		{name: "incompatible with latest", method: "POST", path: "/compatibility/subjects/orders-value/versions/latest", body: body(orderV3), status: 200, want: obj("is_compatible", false)},
		{name: "verbose", method: "POST", path: "/compatibility/subjects/orders-value/versions/2?verbose=true", body: body(orderV2), status: 200, want: obj("is_compatible", true, "messages", list())},
		{name: "against every version", method: "POST", path: "/compatibility/subjects/orders-value/versions", body: body(orderV3), status: 200, want: obj("is_compatible", false)},
		{name: "compatibility: new subject", method: "POST", path: "/compatibility/subjects/fresh/versions/latest", body: body(orderV3), status: 200, want: obj("is_compatible", true)},
		{name: "compatibility: unknown version", method: "POST", path: "/compatibility/subjects/orders-value/versions/9", body: body(orderV2), status: 404, code: 40402},
		{name: "compatibility: invalid schema", method: "POST", path: "/compatibility/subjects/orders-value/versions/latest", body: body(`"nope"`), status: 422, code: 42201},
		{name: "subject level not set", method: "GET", path: "/config/orders-value", status: 404, code: 40408},
		{name: "subject level defaults to global", method: "GET", path: "/config/orders-value?defaultToGlobal=true", status: 200, want: obj("compatibilityLevel", "BACKWARD")},
		{name: "invalid level", method: "PUT", path: "/config/orders-value", body: `{"compatibility":"SIDEWAYS"}`, status: 422, code: 42203},
		{name: "level missing", method: "PUT", path: "/config", body: `{}`, status: 422, code: 42203},
		{name: "set subject level", method: "PUT", path: "/config/orders-value", body: `{"compatibility":"NONE"}`, status: 200, want: obj("compatibility", "NONE")},
		{name: "subject level", method: "GET", path: "/config/orders-value", status: 200, want: obj("compatibilityLevel", "NONE")},
		{name: "v3 under NONE", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV3), status: 200, want: obj("id", num(3))},
		{name: "delete subject level", method: "DELETE", path: "/config/orders-value", status: 200, want: obj("compatibilityLevel", "NONE")},
		{name: "set global level", method: "PUT", path: "/config", body: `{"compatibility":"FULL_TRANSITIVE"}`, status: 200, want: obj("compatibility", "FULL_TRANSITIVE")},
		{name: "global level", method: "GET", path: "/config", status: 200, want: obj("compatibilityLevel", "FULL_TRANSITIVE")},
		{name: "reset global level", method: "DELETE", path: "/config", status: 200, want: obj("compatibilityLevel", "FULL_TRANSITIVE")},
		{name: "global level back to default", method: "GET", path: "/config", status: 200, want: obj("compatibilityLevel", "BACKWARD")},
		{name: "mode", method: "GET", path: "/mode", status: 200, want: obj("mode", "READWRITE")},
		{name: "register money", method: "POST", path: "/subjects/money/versions", body: body(money), status: 200, want: obj("id", num(4))},
		{name: "register with a reference", method: "POST", path: "/subjects/invoice/versions", body: body(invoiceRef, `,"references":[{"name":"shop.Money","subject":"money","version":1}]`), status: 200, want: obj("id", num(5))},
		{name: "unresolved reference", method: "POST", path: "/subjects/invoice2/versions", body: body(invoiceRef), status: 422, code: 42201},
		{name: "reference to a missing version", method: "POST", path: "/subjects/invoice2/versions", body: body(invoiceRef, `,"references":[{"name":"shop.Money","subject":"money","version":9}]`), status: 422, code: 42201},
		{name: "referenced by", method: "GET", path: "/subjects/money/versions/1/referencedby", status: 200, want: list(num(5))},
		{name: "schema by id with references", method: "GET", path: "/schemas/ids/5", status: 200, want: obj("schema", invoiceRef, "references", list(obj("name", "shop.Money", "subject", "money", "version", num(1))))},
		{name: "a referenced version cannot go", method: "DELETE", path: "/subjects/money/versions/1", status: 422, code: 42206},
		{name: "permanent delete before soft", method: "DELETE", path: "/subjects/orders-value/versions/1?permanent=true", status: 404, code: 40407},
		{name: "soft delete version 1", method: "DELETE", path: "/subjects/orders-value/versions/1", status: 200, want: num(1)},
		{name: "soft delete it again", method: "DELETE", path: "/subjects/orders-value/versions/1", status: 404, code: 40406},
		{name: "versions without the deleted", method: "GET", path: "/subjects/orders-value/versions", status: 200, want: list(num(2), num(3))},
		{name: "versions with the deleted", method: "GET", path: "/subjects/orders-value/versions?deleted=true", status: 200, want: list(num(1), num(2), num(3))},
		{name: "deleted version hidden", method: "GET", path: "/subjects/orders-value/versions/1", status: 404, code: 40402},
		{name: "deleted version shown", method: "GET", path: "/subjects/orders-value/versions/1?deleted=true", status: 200, want: obj("subject", "orders-value", "version", num(1), "id", num(1), "schema", orderV1)},
		{name: "id of a soft-deleted version still resolves", method: "GET", path: "/schemas/ids/1", status: 200, want: obj("schema", orderV1)},
		{name: "hard delete version 1", method: "DELETE", path: "/subjects/orders-value/versions/1?permanent=true", status: 200, want: num(1)},
		{name: "hard-deleted version gone", method: "GET", path: "/subjects/orders-value/versions/1?deleted=true", status: 404, code: 40402},
		{name: "permanent subject delete before soft", method: "DELETE", path: "/subjects/orders-value?permanent=true", status: 404, code: 40405},
		{name: "soft delete subject", method: "DELETE", path: "/subjects/orders-value", status: 200, want: list(num(2), num(3))},
		{name: "soft delete subject again", method: "DELETE", path: "/subjects/orders-value", status: 404, code: 40404},
		{name: "subject gone from the list", method: "GET", path: "/subjects", status: 200, want: list("audit-value", "invoice", "money")},
		{name: "listed with deleted", method: "GET", path: "/subjects?deleted=true", status: 200, want: list("audit-value", "invoice", "money", "orders-value")},
		{name: "soft-deleted subject's versions", method: "GET", path: "/subjects/orders-value/versions", status: 404, code: 40401},
		{name: "hard delete subject", method: "DELETE", path: "/subjects/orders-value?permanent=true", status: 200, want: list(num(2), num(3))},
		{name: "gone even with deleted", method: "GET", path: "/subjects?deleted=true", status: 200, want: list("audit-value", "invoice", "money")},
		{name: "hard-deleted ids are gone", method: "GET", path: "/schemas/ids/3", status: 404, code: 40403},
		{name: "an id still used elsewhere stays", method: "GET", path: "/schemas/ids/1", status: 200, want: obj("schema", orderV1)},
		{name: "delete an unknown subject", method: "DELETE", path: "/subjects/nope", status: 404, code: 40401},
		{name: "re-register after a hard delete: version 1 again", method: "POST", path: "/subjects/orders-value/versions", body: body(orderV2), status: 200, want: obj("id", num(6))},
		{name: "associations: 404 for the client's fallback", method: "GET", path: "/associations/resources/default/orders?resourceType=topic", status: 404, code: 404},
		{name: "unknown route", method: "GET", path: "/nothing/here", status: 404, code: 404},
		{name: "wrong method", method: "PUT", path: "/subjects", body: "{}", status: 405, code: 405},
	}
}

func mustJSON(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v
}

// replayedPaths are GETs whose answers must not change when a registry
// restarts on the log routeSteps left.
var replayedPaths = []string{
	"/subjects", "/subjects?deleted=true", "/subjects/orders-value/versions", "/subjects/orders-value/versions/latest",
	"/subjects/audit-value/versions/1", "/schemas/ids/1", "/schemas/ids/3", "/schemas/ids/5", "/schemas/ids/6",
	"/config", "/config/orders-value", "/subjects/money/versions/1/referencedby", "/schemas/ids/1/versions",
}

func TestRoutes(t *testing.T) {
	runSteps(t, newServer(t, registry.NewMemoryStore()), routeSteps())
}

// TestRestartReplaysTheLog builds a second service on the first one's log:
// every answer is the same, as after a registry restarts on its topic.
func TestRestartReplaysTheLog(t *testing.T) {
	store := registry.NewMemoryStore()
	first := newServer(t, store)
	runSteps(t, first, routeSteps())
	second := newServer(t, store)
	for _, path := range replayedPaths {
		s1, b1, _ := call(t, first, "GET", path, "", "")
		s2, b2, _ := call(t, second, "GET", path, "", "")
		if s1 != s2 || !reflect.DeepEqual(b1, b2) {
			t.Errorf("GET %s: before the restart %d %v, after %d %v", path, s1, b1, s2, b2)
		}
	}
	// The id sequence goes on where it was.
	_, got, _ := call(t, second, "POST", "/subjects/new/versions", body(`"string"`), "")
	if want := map[string]any{"id": num(7)}; !reflect.DeepEqual(got, want) {
		t.Errorf("first id after the restart: %v, want %v", got, want)
	}
}
