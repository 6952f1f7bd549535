package schema_test

import (
	"testing"

	"twinbook/schema"
)

func TestCanonicalIsTheSameForTheSameSchema(t *testing.T) {
	tests := []struct{ name, a, b string }{
		{"whitespace and key order",
			`{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}`,
			`{"fields":[{"type":"int","name":"a"}],"name":"R","type":"record"}`},
		{"namespace spelling",
			`{"type": "record", "name": "R", "namespace": "n", "fields": []}`,
			`{"type": "record", "name": "n.R", "fields": []}`},
		{"primitive as object", `{"type": "int"}`, `"int"`},
		{"doc dropped", `{"type": "enum", "name": "E", "symbols": ["A"], "doc": "why"}`, `{"type": "enum", "name": "E", "symbols": ["A"]}`},
		{"ascending is the default order",
			`{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "order": "ascending"}]}`,
			`{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}`},
		{"aliases sorted and qualified",
			`{"type": "record", "name": "n.R", "aliases": ["Q", "m.P"], "fields": []}`,
			`{"type": "record", "name": "R", "namespace": "n", "aliases": ["m.P", "n.Q"], "fields": []}`},
		{"default spelling", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": "double", "default": 1.50}]}`,
			`{"type": "record", "name": "R", "fields": [{"name": "a", "type": "double", "default": 15e-1}]}`},
		{"default object key order", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "map", "values": "int"}, "default": {"y": 1, "x": 2}}]}`,
			`{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "map", "values": "int"}, "default": {"x": 2, "y": 1}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, errA := schema.Parse(tt.a)
			b, errB := schema.Parse(tt.b)
			if errA != nil || errB != nil {
				t.Fatal(errA, errB)
			}
			if a.Canonical() != b.Canonical() {
				t.Errorf("%s\n!= %s", a.Canonical(), b.Canonical())
			}
		})
	}
}

func TestCanonicalText(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"record", `{"type": "record", "name": "R", "namespace": "n", "doc": "x", "fields": [
			{"name": "a", "type": "int", "default": 1, "order": "descending", "aliases": ["z", "b"]}]}`,
			`{"type":"record","name":"n.R","fields":[{"name":"a","aliases":["b","z"],"type":"int","default":1,"order":"descending"}]}`},
		{"second use by name", `{"type": "record", "name": "R", "fields": [
			{"name": "a", "type": {"type": "fixed", "name": "F", "size": 2}}, {"name": "b", "type": "F"}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":2}},{"name":"b","type":"F"}]}`},
		{"recursive", `{"type": "record", "name": "L", "fields": [{"name": "n", "type": ["null", "L"]}]}`,
			`{"type":"record","name":"L","fields":[{"name":"n","type":["null","L"]}]}`},
		{"enum default", `{"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "B"}`,
			`{"type":"enum","name":"E","symbols":["A","B"],"default":"B"}`},
		{"empty enum", `{"type": "enum", "name": "E", "symbols": []}`, `{"type":"enum","name":"E","symbols":[]}`},
		{"logical type kept", `{"type": "bytes", "logicalType": "decimal", "scale": 2, "precision": 4}`,
			`{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`},
		{"map and array", `{"type": "map", "values": {"type": "array", "items": "long"}}`,
			`{"type":"map","values":{"type":"array","items":"long"}}`},
		{"numbers as Python writes them", `{"type": "record", "name": "R", "fields": [
			{"name": "a", "type": "double", "default": 1.0}, {"name": "b", "type": "double", "default": 1e16},
			{"name": "c", "type": "double", "default": 0.00001}, {"name": "d", "type": "long", "default": -0},
			{"name": "e", "type": "double", "default": 123.456}, {"name": "f", "type": "float", "default": 1E2}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1.0},{"name":"b","type":"double","default":1e+16},{"name":"c","type":"double","default":1e-05},{"name":"d","type":"long","default":0},{"name":"e","type":"double","default":123.456},{"name":"f","type":"float","default":100.0}]}`},
		{"strings escaped as Python writes them", `{"type": "record", "name": "R", "fields": [
			{"name": "s", "type": "string", "default": "a\"\\\n\u0001é<>&\u2028"}]}`,
			`{"type":"record","name":"R","fields":[{"name":"s","type":"string","default":"a\"\\\n\u0001é<>&` + "\u2028" + `"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := schema.Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Canonical(); got != tt.want {
				t.Errorf("Canonical()\n got %s\nwant %s", got, tt.want)
			}
			if s.String() != s.Canonical() {
				t.Error("String() is not Canonical()")
			}
			again, err := schema.Parse(s.Canonical())
			if err != nil || again.Canonical() != s.Canonical() {
				t.Errorf("the canonical form does not parse back to itself: %v", err)
			}
		})
	}
}
