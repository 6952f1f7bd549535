// Visible tests for Avro reader/writer compatibility: run them with the check cell.
//
// Schemas are written as JSON text; avExpect (the chapter's helpers) decodes them as
// encoding/json does, calls CanRead(reader, writer) and says which rule a wrong answer breaks.
package main_test

import (
	. "answer"
	"testing"
)

// expect checks CanRead(reader, writer) against want; why is the rule that says so.
func expect(t *testing.T, reader, writer string, want bool, why string) {
	t.Helper()
	avExpect(t, CanRead, reader, writer, want, why)
}

func TestPrimitivesMatchThemselvesAndPromoteOneWay(t *testing.T) {
	expect(t, `"string"`, `"string"`, true, "a primitive reads itself")
	expect(t, `"long"`, `"int"`, true, "an int is promoted to long")
	expect(t, `"double"`, `"float"`, true, "a float is promoted to double")
	expect(t, `"bytes"`, `"string"`, true, "string and bytes read each other")
	expect(t, `"int"`, `"long"`, false, "a long may not fit an int: no promotion back")
	expect(t, `"string"`, `"int"`, false, "no promotion from a number to a string")
}

func TestAReaderFieldNeedsAWriterFieldOrADefault(t *testing.T) {
	v1 := `{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}`
	withDefault := `{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"},
		{"name": "qty", "type": "int", "default": 1}]}`
	without := `{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"},
		{"name": "qty", "type": "int"}]}`
	expect(t, withDefault, v1, true, "qty is missing from the data: its default is used")
	expect(t, without, v1, false, "qty is missing from the data and has no default")
	expect(t, v1, without, true, "a writer field the reader lacks is skipped")
}

func TestFieldTypesResolveAndOrderDoesNotMatter(t *testing.T) {
	writer := `{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"},
		{"name": "qty", "type": "int"}]}`
	expect(t, `{"type": "record", "name": "Order", "fields": [{"name": "qty", "type": "long"},
		{"name": "id", "type": "string"}]}`, writer, true,
		"fields match by name, in any order, and qty's int is promoted to long")
	expect(t, `{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"},
		{"name": "qty", "type": "string"}]}`, writer, false,
		"qty is an int in the data: a string field cannot read it")
	expect(t, `{"type": "record", "name": "Invoice", "fields": [{"name": "id", "type": "string"},
		{"name": "qty", "type": "int"}]}`, writer, false,
		"a record reads only a record of the same name (or one of its aliases)")
}

func TestEnumSymbolsAndTheReaderDefault(t *testing.T) {
	small := `{"type": "enum", "name": "Size", "symbols": ["S", "M"]}`
	large := `{"type": "enum", "name": "Size", "symbols": ["S", "M", "L"]}`
	expect(t, large, small, true, "every symbol the writer knows, the reader knows")
	expect(t, small, large, false, "the writer may write L, which the reader lacks")
	expect(t, `{"type": "enum", "name": "Size", "symbols": ["S", "M"], "default": "M"}`, large, true,
		"a reader enum with a default reads an unknown symbol as the default")
}

func TestUnionsOnEitherSide(t *testing.T) {
	expect(t, `["null", "string"]`, `"string"`, true, "one reader branch reads a string")
	expect(t, `["null", "int"]`, `"string"`, false, "no reader branch reads a string")
	expect(t, `["null", "string"]`, `["string", "null"]`, true, "each writer branch is read")
	expect(t, `"string"`, `["null", "string"]`, false,
		"the writer may have written null, which a string cannot read")
}

func TestArraysMapsAndFixed(t *testing.T) {
	expect(t, `{"type": "array", "items": "long"}`, `{"type": "array", "items": "int"}`, true,
		"arrays resolve when their items do")
	expect(t, `{"type": "map", "values": "int"}`, `{"type": "map", "values": "long"}`, false,
		"maps resolve when their values do: long to int does not")
	expect(t, `{"type": "fixed", "name": "Hash", "size": 16}`, `{"type": "fixed", "name": "Hash", "size": 32}`,
		false, "a fixed reads only the same size")
}
