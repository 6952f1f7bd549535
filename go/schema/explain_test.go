package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"twinbook/internal/testutil"
	"twinbook/schema"
)

func TestExplainNamesTheRuleAndThePath(t *testing.T) {
	order := func(fields string) string {
		return `{"type": "record", "name": "Order", "namespace": "shop", "fields": [` + fields + `]}`
	}
	tests := []struct {
		name, reader, writer string
		want                 string // the whole "path: reason"
	}{
		{"a field without default", order(`{"name": "id", "type": "string"}, {"name": "qty", "type": "int"}`),
			order(`{"name": "id", "type": "string"}`),
			"Order.qty: reader field 'qty' has no default and the writer has no such field"},
		{"an enum symbol", `{"type": "enum", "name": "Colour", "symbols": ["RED"]}`,
			`{"type": "enum", "name": "Colour", "symbols": ["RED", "BLUE"]}`,
			"Colour: writer symbol 'BLUE' is not in the reader's enum (RED), which has no default"},
		{"no promotion", order(`{"name": "qty", "type": "int"}`), order(`{"name": "qty", "type": "long"}`),
			"Order.qty: the writer's 'long' cannot be read as 'int'"},
		{"array items", `{"type": "array", "items": "int"}`, `{"type": "array", "items": "string"}`,
			"array[]: the writer's 'string' cannot be read as 'int'"},
		{"map values in a field", order(`{"name": "m", "type": {"type": "map", "values": "int"}}`),
			order(`{"name": "m", "type": {"type": "map", "values": "double"}}`),
			"Order.m{}: the writer's 'double' cannot be read as 'int'"},
		{"a writer union branch", `["null", "int"]`, `["null", "int", "string"]`,
			"union<2>: no branch of the reader's union reads the writer's 'string'"},
		{"names", order(``), `{"type": "record", "name": "Invoice", "fields": []}`,
			"Order: the writer's record 'Invoice' does not match the reader's record 'Order' by name or alias"},
		{"fixed sizes", `{"type": "fixed", "name": "F", "size": 4}`, `{"type": "fixed", "name": "F", "size": 8}`,
			"F: the writer's fixed size 8 differs from the reader's 4"},
		{"kinds", `{"type": "map", "values": "int"}`, `{"type": "array", "items": "int"}`,
			"map: the writer's 'array' cannot be read as 'map'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reader, writer := mustParse(t, tt.reader), mustParse(t, tt.writer)
			in := schema.Explain(reader, writer)
			if in == nil {
				t.Fatalf("Explain = nil, want %q", tt.want)
			}
			if in.String() != tt.want {
				t.Fatalf("Explain = %q, want %q", in, tt.want)
			}
			if schema.CanRead(reader, writer) {
				t.Fatal("CanRead = true")
			}
		})
	}
	if in := schema.Explain(mustParse(t, `"long"`), mustParse(t, `"int"`)); in != nil {
		t.Errorf("a promotion explained as %v", in)
	}
	if in := schema.Explain(nil, mustParse(t, `"int"`)); in == nil {
		t.Error("a nil reader explained as compatible")
	}
}

// TestExplainVectorsAgreeWithCanRead: on every pair of every vector (both
// directions for the registry cases), Explain is nil exactly when CanRead
// is true.
func TestExplainVectorsAgreeWithCanRead(t *testing.T) {
	cases, err := loadVectors(testutil.VectorsDir("avro"))
	if err != nil {
		t.Fatal(err)
	}
	pairs := 0
	for _, vc := range cases {
		var c struct {
			Reader, Writer, Candidate json.RawMessage
			Existing                  []json.RawMessage
		}
		if err := json.Unmarshal(vc.Raw, &c); err != nil {
			t.Fatal(err)
		}
		var raws [][2]json.RawMessage
		if vc.Concept == "avro_resolution" {
			raws = append(raws, [2]json.RawMessage{c.Reader, c.Writer})
		}
		for _, old := range c.Existing {
			raws = append(raws, [2]json.RawMessage{c.Candidate, old}, [2]json.RawMessage{old, c.Candidate})
		}
		for _, rw := range raws {
			reader, err1 := schema.Parse(string(rw[0]))
			writer, err2 := schema.Parse(string(rw[1]))
			if err1 != nil || err2 != nil {
				continue // invalid schemas are never compared
			}
			pairs++
			in := schema.Explain(reader, writer)
			if can := schema.CanRead(reader, writer); can != (in == nil) {
				t.Errorf("%s: CanRead = %v, Explain = %v", vc.Name, can, in)
			}
			if in != nil && (in.Reason == "" || strings.Contains(in.Path, " ")) {
				t.Errorf("%s: a poor explanation %q", vc.Name, in)
			}
		}
	}
	if pairs < 80 {
		t.Errorf("only %d pairs compared", pairs)
	}
}
