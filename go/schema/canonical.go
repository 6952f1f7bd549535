package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// Canonical is the schema's normalized text, the one a registry
// deduplicates on: parsed and written again with full names, no
// whitespace and a fixed key order, so two texts that differ only in
// whitespace, key order or how a namespace is spelt give the same string.
// What changes meaning is kept (defaults, aliases, logical types and their
// precision and scale, an enum's default, a field's order unless it is the
// default "ascending"); doc and other attributes are dropped. A named type
// is written out where it first appears and by its full name after; one
// from a reference, only by name.
//
// Key order: type, name, aliases, then fields (each: name, aliases, type,
// default, order) or symbols and default or size, or items or values, then
// logicalType, precision, scale. Default values are compact JSON with
// sorted keys, integers as integers and other numbers as their shortest
// float64 text (1.0, 1e+16), as Python's json module writes them, so both
// languages write the same string.
func (s *Schema) Canonical() string {
	return canonicalOf(s, s.local)
}

// canonicalOf writes s, defining the named types in local (all of them
// when local is nil).
func canonicalOf(s *Schema, local map[*Schema]bool) string {
	w := &canonicalWriter{local: local, written: map[*Schema]bool{}}
	w.schema(s)
	return w.b.String()
}

type canonicalWriter struct {
	b       bytes.Buffer
	local   map[*Schema]bool
	written map[*Schema]bool
}

func (w *canonicalWriter) schema(s *Schema) {
	b := &w.b
	if s.isNamed() && (w.written[s] || (w.local != nil && !w.local[s])) {
		writeString(b, s.name)
		return
	}
	switch {
	case s.typ == "union":
		b.WriteByte('[')
		for i, branch := range s.branches {
			if i > 0 {
				b.WriteByte(',')
			}
			w.schema(branch)
		}
		b.WriteByte(']')
		return
	case primitives[s.typ] && len(s.logical) == 0:
		writeString(b, s.typ)
		return
	}
	b.WriteString(`{"type":`)
	writeString(b, s.typ)
	if s.isNamed() {
		w.written[s] = true
		b.WriteString(`,"name":`)
		writeString(b, s.name)
		writeNames(b, "aliases", s.aliases)
	}
	switch s.typ {
	case "record", "error":
		b.WriteString(`,"fields":[`)
		for i, f := range s.fields {
			if i > 0 {
				b.WriteByte(',')
			}
			w.field(f)
		}
		b.WriteByte(']')
	case "enum":
		writeNames(b, "symbols", s.symbols)
		if len(s.symbols) == 0 {
			b.WriteString(`,"symbols":[]`)
		}
		if s.enumDef != nil {
			b.WriteString(`,"default":`)
			writeString(b, *s.enumDef)
		}
	case "fixed":
		fmt.Fprintf(b, `,"size":%d`, s.size)
	case "array":
		b.WriteString(`,"items":`)
		w.schema(s.items)
	case "map":
		b.WriteString(`,"values":`)
		w.schema(s.items)
	}
	for _, p := range s.logical {
		b.WriteString(`,"` + p.key + `":`)
		writeJSON(b, p.value)
	}
	b.WriteByte('}')
}

func (w *canonicalWriter) field(f *Field) {
	b := &w.b
	b.WriteString(`{"name":`)
	writeString(b, f.name)
	writeNames(b, "aliases", f.aliases)
	b.WriteString(`,"type":`)
	w.schema(f.typ)
	if f.hasDefault {
		b.WriteString(`,"default":`)
		writeJSON(b, f.def)
	}
	if f.order != "ascending" {
		b.WriteString(`,"order":`)
		writeString(b, f.order)
	}
	b.WriteByte('}')
}

func writeNames(b *bytes.Buffer, key string, names []string) {
	if len(names) == 0 {
		return
	}
	b.WriteString(`,"` + key + `":[`)
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, n)
	}
	b.WriteByte(']')
}

// writeJSON writes a decoded JSON value compactly, object keys sorted.
func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(normalNumber(string(v)))
	case string:
		writeString(b, v)
	case []any:
		b.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, item)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeJSON(b, v[k])
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

// writeString writes a JSON string escaped as Python's json.dumps does with
// ensure_ascii=False: only quotes, backslashes and control characters.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// normalNumber writes a JSON number as Python's json module would after
// reading it: an integer as its exact decimal digits, anything with a
// fraction or exponent as the float64's shortest repr (1.0, 1e+16, 1e-05).
func normalNumber(text string) string {
	if !strings.ContainsAny(text, ".eE") {
		if i, ok := new(big.Int).SetString(text, 10); ok {
			return i.String()
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return text
	}
	return pythonFloat(f)
}

// pythonFloat formats f as Python's repr(float): the shortest digits that
// read back as f, positional between 1e-4 and 1e16, else d.ddde+XX.
func pythonFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		out := digits[:1]
		if len(digits) > 1 {
			out += "." + digits[1:]
		}
		return fmt.Sprintf("%s%se%s%02d", sign, out, map[bool]string{true: "-", false: "+"}[exp < 0], abs(exp))
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
