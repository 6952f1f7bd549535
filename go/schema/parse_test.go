package schema_test

import (
	"errors"
	"strings"
	"testing"

	"twinbook/schema"
)

func TestParseRejectsInvalidSchemasNamingTheFault(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // parts of the message: where and what
	}{
		{"not JSON", `{"type": `, []string{"not JSON"}},
		{"text after the schema", `"int" "long"`, []string{"not JSON", "text after"}},
		{"bare word", `int`, []string{"not JSON"}},
		{"a number", `3`, []string{"at schema", "not 3"}},
		{"unknown type name", `"strng"`, []string{"at schema", `unknown type name "strng"`}},
		{"unknown type in a field", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": "Missing"}]}`,
			[]string{"at R.a", `unknown type name "Missing"`}},
		{"no type", `{"name": "R"}`, []string{"at schema", "no type"}},
		{"type not a string", `{"type": {"type": "int"}}`, []string{"at schema", "not a type name"}},
		{"record without fields", `{"type": "record", "name": "R"}`, []string{"at R", "needs fields"}},
		{"fields not an array", `{"type": "record", "name": "R", "fields": {}}`, []string{"at R", "needs fields"}},
		{"record without a name", `{"type": "record", "fields": []}`, []string{"at schema", "needs a name"}},
		{"invalid name", `{"type": "record", "name": "1R", "fields": []}`, []string{`invalid name "1R"`}},
		{"invalid namespace", `{"type": "record", "name": "R", "namespace": "a..b", "fields": []}`, []string{`invalid namespace "a..b"`}},
		{"a primitive as a name", `{"type": "fixed", "name": "int", "size": 1}`, []string{`primitive type name "int"`}},
		{"field not an object", `{"type": "record", "name": "R", "fields": ["a"]}`, []string{"at R.fields[0]", "a field is an object"}},
		{"invalid field name", `{"type": "record", "name": "R", "fields": [{"name": "a-b", "type": "int"}]}`, []string{"at R.fields[0]", `invalid field name "a-b"`}},
		{"field without type", `{"type": "record", "name": "R", "fields": [{"name": "a"}]}`, []string{"at R.a", "needs a type"}},
		{"duplicate field", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "long"}]}`,
			[]string{"at R.a", `duplicate field name "a"`}},
		{"bad order", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "order": "up"}]}`, []string{"at R.a", `order "up"`}},
		{"bad default", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": "x"}]}`,
			[]string{"at R.a", `default "x" does not match the field's type "int"`}},
		{"union default of the second branch", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "int"], "default": 1}]}`,
			[]string{"at R.a", "default 1", `first branch "null"`}},
		{"nested default in a namespace", `{"type": "record", "name": "R", "namespace": "n", "fields": [{"name": "in", "type": {"type": "record", "name": "I", "fields": [{"name": "b", "type": "boolean", "default": 0}]}}]}`,
			[]string{"at n.I.b", "default 0"}},
		{"enum without symbols", `{"type": "enum", "name": "E"}`, []string{"at E", "needs symbols"}},
		{"duplicate symbol", `{"type": "enum", "name": "E", "symbols": ["A", "A"]}`, []string{"at E", `duplicate enum symbol "A"`}},
		{"invalid symbol", `{"type": "enum", "name": "E", "symbols": ["A", "B C"]}`, []string{"at E", `invalid enum symbol "B C"`}},
		{"enum default not a symbol", `{"type": "enum", "name": "E", "symbols": ["A"], "default": "B"}`, []string{"at E", `enum default "B"`}},
		{"fixed without size", `{"type": "fixed", "name": "F"}`, []string{"at F", "needs a size"}},
		{"fixed size negative", `{"type": "fixed", "name": "F", "size": -1}`, []string{"at F", "size -1"}},
		{"fixed size 2.0", `{"type": "fixed", "name": "F", "size": 2.0}`, []string{"at F", "size 2.0"}},
		{"array without items", `{"type": "array"}`, []string{"at schema", "needs items"}},
		{"map without values", `{"type": "map"}`, []string{"at schema", "needs values"}},
		{"bad items", `{"type": "array", "items": "nope"}`, []string{"at schema.items", "nope"}},
		{"union in a union", `["null", ["int"]]`, []string{"at schema[1]", "union may not hold a union"}},
		{"duplicate union branch", `["int", "long", "int"]`, []string{"at schema[2]", "already has a branch int"}},
		{"named type defined twice", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "fixed", "name": "F", "size": 1}}, {"name": "b", "type": {"type": "fixed", "name": "F", "size": 2}}]}`,
			[]string{"at F", `"F" is defined twice`}},
		{"bad alias", `{"type": "record", "name": "R", "aliases": ["ok", "not ok"], "fields": []}`, []string{"at R", `invalid alias "not ok"`}},
		{"bad field alias", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "aliases": ["b.c"]}]}`, []string{"at R.a", `invalid alias "b.c"`}},
		{"a name in another namespace is not found", `{"type": "record", "name": "a.R", "fields": [{"name": "x", "type": {"type": "fixed", "name": "b.F", "size": 1}}, {"name": "y", "type": "F"}]}`,
			[]string{"at a.R.y", `unknown type name "F"`}},
	}
	deep := strings.Repeat(`{"type": "array", "items": `, schema.MaxDepth) + `"int"` + strings.Repeat("}", schema.MaxDepth)
	tests = append(tests, struct {
		name, text string
		want       []string
	}{"nested too deeply", deep, []string{"nested deeper than 128"}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := schema.Parse(tt.text)
			if err == nil {
				t.Fatalf("parsed as %s; want an error", s.Canonical())
			}
			if !errors.Is(err, schema.ErrInvalidSchema) {
				t.Errorf("error %v does not wrap ErrInvalidSchema", err)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not say %q", err, part)
				}
			}
		})
	}
}

func TestParseAcceptsMaxDepth(t *testing.T) {
	n := schema.MaxDepth - 1
	deep := strings.Repeat(`{"type": "array", "items": `, n) + `"int"` + strings.Repeat("}", n)
	s, err := schema.Parse(deep)
	if err != nil || !schema.CanRead(s, s) {
		t.Fatalf("a schema %d deep: %v", schema.MaxDepth, err)
	}
}

func TestParseAcceptsValidSchemas(t *testing.T) {
	tests := []struct{ name, text, typ, fullName string }{
		{"primitive", `"int"`, "int", ""},
		{"primitive object", `{"type": "string", "doc": "ignored"}`, "string", ""},
		{"record with no fields", `{"type": "record", "name": "R", "fields": []}`, "record", "R"},
		{"error is a record", `{"type": "error", "name": "Oops", "fields": []}`, "error", "Oops"},
		{"namespace attribute", `{"type": "enum", "name": "E", "namespace": "a.b", "symbols": []}`, "enum", "a.b.E"},
		{"dotted name wins over namespace", `{"type": "fixed", "name": "x.F", "namespace": "a", "size": 0}`, "fixed", "x.F"},
		{"empty namespace is the null one", `{"type": "record", "name": "R", "namespace": "", "fields": []}`, "record", "R"},
		{"recursive", `{"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"], "default": null}]}`, "record", "L"},
		{"reference by object", `{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "fixed", "name": "F", "size": 1}}, {"name": "b", "type": {"type": "F"}}]}`, "record", "R"},
		{"nested type inherits the namespace", `{"type": "record", "name": "n.R", "fields": [{"name": "a", "type": {"type": "fixed", "name": "F", "size": 1}}, {"name": "b", "type": "n.F"}]}`, "record", "n.R"},
		{"union", `["null", "string", {"type": "array", "items": "int"}]`, "union", ""},
		{"empty union", `[]`, "union", ""},
		{"logical type with bad parameters is its base type", `{"type": "bytes", "logicalType": "decimal"}`, "bytes", ""},
		{"defaults of every kind", `{"type": "record", "name": "R", "fields": [
			{"name": "a", "type": "int", "default": -2147483648}, {"name": "b", "type": "long", "default": 9223372036854775807},
			{"name": "c", "type": "float", "default": 1}, {"name": "d", "type": "double", "default": 1.5e3},
			{"name": "e", "type": "bytes", "default": "\u00ff"}, {"name": "f", "type": {"type": "fixed", "name": "F", "size": 2}, "default": "ab"},
			{"name": "g", "type": {"type": "map", "values": "boolean"}, "default": {"k": true}},
			{"name": "h", "type": ["string", "null"], "default": "s"}, {"name": "i", "type": "null", "default": null}]}`, "record", "R"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := schema.Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if s.Type() != tt.typ || s.FullName() != tt.fullName {
				t.Errorf("type %q name %q, want %q %q", s.Type(), s.FullName(), tt.typ, tt.fullName)
			}
		})
	}
}

func TestParseWithReferences(t *testing.T) {
	money, err := schema.Parse(`{"type": "record", "name": "shop.Money", "fields": [{"name": "cents", "type": "long"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	order, err := schema.Parse(`{"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "total", "type": "Money"}]}`, money)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"record","name":"shop.Order","fields":[{"name":"total","type":"shop.Money"}]}`; order.Canonical() != want {
		t.Errorf("canonical %s, want %s (a referenced type is named, not copied)", order.Canonical(), want)
	}
	// A reference of a reference is in sight too, and two references may
	// bring the same type.
	invoice, err := schema.Parse(`{"type": "record", "name": "shop.Invoice", "fields": [{"name": "order", "type": "shop.Order"}, {"name": "fee", "type": "shop.Money"}]}`, order, money)
	if err != nil {
		t.Fatal(err)
	}
	if !schema.CanRead(invoice, invoice) {
		t.Error("a schema with references does not read itself")
	}
	if _, err := schema.Parse(`"shop.Money"`); err == nil {
		t.Error("a referenced name resolved without the reference")
	}
	if _, err := schema.Parse(`{"type": "fixed", "name": "shop.Money", "size": 8}`, money); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Errorf("redefining a referenced type: err = %v, want defined twice", err)
	}
	other, _ := schema.Parse(`{"type": "fixed", "name": "shop.Money", "size": 8}`)
	if _, err := schema.Parse(`"int"`, money, other); err == nil || !strings.Contains(err.Error(), "two different definitions") {
		t.Errorf("two references disagreeing: err = %v", err)
	}
	if _, err := schema.Parse(`"int"`, nil); err == nil {
		t.Error("a nil reference was accepted")
	}
}
