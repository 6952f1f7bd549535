package schema

import (
	"errors"
	"strings"
)

// ErrInvalidSchema is wrapped by every error of [Parse]: a registry answers
// such a schema 422, never "compatible".
var ErrInvalidSchema = errors.New("invalid Avro schema")

// Schema is one parsed Avro schema: a primitive, a named type (record, enum,
// fixed), an array, a map or a union. A named type referenced twice (or
// recursively) is the same *Schema, so resolution can tell it is already
// being compared. A Schema is immutable once parsed and safe to share.
type Schema struct {
	typ      string   // "int", ..., "record", "error", "enum", "fixed", "array", "map", "union"
	name     string   // the full name of a named type
	aliases  []string // full names, sorted
	fields   []*Field
	symbols  []string
	enumDef  *string // the enum's default symbol
	size     int
	items    *Schema // array items, map values
	branches []*Schema
	logical  []prop // logicalType and its parameters, kept for the canonical form
	local    map[*Schema]bool
}

// prop is one logical-type attribute (logicalType, precision, scale).
type prop struct {
	key   string
	value any
}

// Field is one field of a record.
type Field struct {
	name       string
	aliases    []string
	typ        *Schema
	def        any
	hasDefault bool
	order      string
}

// Type is the schema's type: a primitive's name, or "record", "error",
// "enum", "fixed", "array", "map", "union".
func (s *Schema) Type() string { return s.typ }

// FullName is a named type's full name (namespace.name), "" for the others:
// a registry's record-name subject strategy names subjects by it.
func (s *Schema) FullName() string { return s.name }

// String is the canonical form (see [Schema.Canonical]).
func (s *Schema) String() string { return s.Canonical() }

func (s *Schema) isNamed() bool {
	switch s.typ {
	case "record", "error", "enum", "fixed":
		return true
	}
	return false
}

func (s *Schema) isRecord() bool { return s.typ == "record" || s.typ == "error" }

// shortName is the name without its namespace: resolution matches named
// types on it, whatever their namespaces.
func shortName(full string) string {
	return full[strings.LastIndexByte(full, '.')+1:]
}
