package schema

import (
	"encoding/json"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"
)

// validDefault says whether a JSON value (decoded with UseNumber) is a
// valid default for a field of type s, as Avro's parser checks it: a
// union's default belongs to its first branch, bytes and fixed are strings
// of code points 0-255 (a fixed one of exactly its size), an enum's is one
// of its symbols, a record's gives every field without a default of its own.
func validDefault(s *Schema, v any) bool {
	switch s.typ {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "int":
		_, ok := jsonInt(v, -1<<31, 1<<31-1)
		return ok
	case "long":
		_, ok := jsonInt(v, -1<<63, 1<<63-1)
		return ok
	case "float", "double":
		_, ok := v.(json.Number)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "bytes":
		str, ok := v.(string)
		return ok && byteString(str)
	case "fixed":
		str, ok := v.(string)
		return ok && byteString(str) && utf8.RuneCountInString(str) == s.size
	case "enum":
		str, ok := v.(string)
		return ok && slices.Contains(s.symbols, str)
	case "array":
		list, ok := v.([]any)
		for _, item := range list {
			ok = ok && validDefault(s.items, item)
		}
		return ok
	case "map":
		obj, ok := v.(map[string]any)
		for _, value := range obj {
			ok = ok && validDefault(s.items, value)
		}
		return ok
	case "union":
		return len(s.branches) > 0 && validDefault(s.branches[0], v)
	case "record", "error":
		obj, ok := v.(map[string]any)
		for _, f := range s.fields {
			value, given := obj[f.name]
			ok = ok && ((given && validDefault(f.typ, value)) || (!given && f.hasDefault))
		}
		return ok
	}
	return false
}

// byteString: every code point stands for one byte (0-255), Avro's JSON
// spelling of bytes.
func byteString(s string) bool {
	for _, r := range s {
		if r > 0xFF {
			return false
		}
	}
	return true
}

// jsonInt reads a JSON integer (no fraction, no exponent: 1.0 is a double)
// within [lo, hi].
func jsonInt(v any, lo, hi int64) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok || strings.ContainsAny(string(n), ".eE") {
		return 0, false
	}
	i, ok := new(big.Int).SetString(string(n), 10)
	if !ok || !i.IsInt64() || i.Int64() < lo || i.Int64() > hi {
		return 0, false
	}
	return i.Int64(), true
}
