// wrong: an enum reader with a default still refuses writer symbols it lacks
package main

import (
	"slices"
	"strings"
)

// primitives are Avro's primitive type names.
var primitives = []string{"null", "boolean", "int", "long", "float", "double", "bytes", "string"}

// promotions are the writer -> reader promotions schema resolution allows,
// and no others.
var promotions = map[[2]string]bool{
	{"int", "long"}: true, {"int", "float"}: true, {"int", "double"}: true,
	{"long", "float"}: true, {"long", "double"}: true, {"float", "double"}: true,
	{"string", "bytes"}: true, {"bytes", "string"}: true,
}

// short is a name without its namespace: "com.shop.Order" -> "Order".
func short(name any) string {
	s, _ := name.(string)
	return s[strings.LastIndex(s, ".")+1:]
}

// namedTypes adds every record, enum and fixed that schema defines to found,
// by short name, and returns found (given).
func namedTypes(schema any, found map[string]map[string]any) map[string]map[string]any {
	switch s := schema.(type) {
	case []any:
		for _, branch := range s {
			namedTypes(branch, found)
		}
	case map[string]any:
		switch s["type"] {
		case "record", "enum", "fixed":
			found[short(s["name"])] = s
		}
		switch s["type"] {
		case "record":
			fields, _ := s["fields"].([]any)
			for _, f := range fields {
				field, _ := f.(map[string]any)
				namedTypes(field["type"], found)
			}
		case "array":
			namedTypes(s["items"], found)
		case "map":
			namedTypes(s["values"], found)
		}
	}
	return found
}

// plainType returns the schema with a named reference ("Order") replaced by
// its definition, and a primitive written as an object ({"type": "int",
// "logicalType": ...}) by the primitive's name (given).
func plainType(schema any, names map[string]map[string]any) any {
	switch s := schema.(type) {
	case string:
		if !slices.Contains(primitives, s) {
			return names[short(s)]
		}
	case map[string]any:
		if t, ok := s["type"].(string); ok && slices.Contains(primitives, t) {
			return t
		}
	}
	return schema
}

// CanRead reports whether data written with the schema writer can be read
// with reader. Both are Avro schemas as encoding/json decodes them into an
// any: a string (a primitive, or a named type defined elsewhere in the same
// schema), a map[string]any, or a []any (a union).
func CanRead(reader, writer any) bool {
	return resolves(reader, writer, namedTypes(reader, map[string]map[string]any{}),
		namedTypes(writer, map[string]map[string]any{}), nil)
}

// pair is a reader's and a writer's named type, by short name.
type pair struct{ reader, writer string }

// resolves is CanRead for two parts of the schemas. comparing holds the pairs
// of named types being compared further up: the way out of a recursive type.
func resolves(reader, writer any, readerNames, writerNames map[string]map[string]any, comparing []pair) bool {
	reader = plainType(reader, readerNames)
	writer = plainType(writer, writerNames)
	if branches, ok := writer.([]any); ok { // every branch the writer may have used
		for _, w := range branches {
			if !resolves(reader, w, readerNames, writerNames, comparing) {
				return false
			}
		}
		return true
	}
	if branches, ok := reader.([]any); ok { // one reader branch is enough
		for _, r := range branches {
			if resolves(r, writer, readerNames, writerNames, comparing) {
				return true
			}
		}
		return false
	}
	r, rIsMap := reader.(map[string]any)
	w, wIsMap := writer.(map[string]any)
	if !rIsMap || !wIsMap { // a primitive on at least one side
		rs, rIsString := reader.(string)
		ws, wIsString := writer.(string)
		return rIsString && wIsString && (rs == ws || promotions[[2]string{ws, rs}])
	}
	kind := r["type"]
	if kind != w["type"] {
		return false
	}
	switch kind {
	case "array":
		return resolves(r["items"], w["items"], readerNames, writerNames, comparing)
	case "map":
		return resolves(r["values"], w["values"], readerNames, writerNames, comparing)
	}
	if !sameName(r, w) {
		return false
	}
	p := pair{short(r["name"]), short(w["name"])}
	if slices.Contains(comparing, p) {
		return true // already being compared further up: assumed compatible
	}
	comparing = append(slices.Clip(comparing), p)
	switch kind {
	case "fixed":
		return r["size"] == w["size"]
	case "enum":
		readerSymbols, _ := r["symbols"].([]any)
		writerSymbols, _ := w["symbols"].([]any)
		for _, s := range writerSymbols {
			if !slices.Contains(readerSymbols, s) {
				return false
			}
		}
		return true
	}
	fields, _ := r["fields"].([]any)
	for _, f := range fields {
		field, _ := f.(map[string]any)
		written := writerField(w, field)
		if written == nil {
			if _, ok := field["default"]; !ok {
				return false // nothing to read it from
			}
		} else if !resolves(field["type"], written["type"], readerNames, writerNames, comparing) {
			return false
		}
	}
	return true
}

// sameName reports whether two named types match: the same short name, or
// the writer's name is one of the reader's aliases.
func sameName(reader, writer map[string]any) bool {
	if short(reader["name"]) == short(writer["name"]) {
		return true
	}
	aliases, _ := reader["aliases"].([]any)
	for _, a := range aliases {
		if short(a) == short(writer["name"]) {
			return true
		}
	}
	return false
}

// writerField returns the writer's field that the reader's field reads (the
// same name, else one of the field's aliases), or nil.
func writerField(writer, field map[string]any) map[string]any {
	fields, _ := writer["fields"].([]any)
	aliases, _ := field["aliases"].([]any)
	for _, name := range append([]any{field["name"]}, aliases...) {
		for _, f := range fields {
			written, _ := f.(map[string]any)
			if written["name"] == name {
				return written
			}
		}
	}
	return nil
}
