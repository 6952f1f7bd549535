package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
)

// Parse reads an Avro schema from its JSON text (a string, an object or an
// array, as it would be registered). The named types of refs (the
// registry's schema references, each parsed before) may be used by name;
// they are not redefined here, and the canonical form names them only.
//
// An invalid schema gets an error wrapping [ErrInvalidSchema] that names
// the place at fault (the full name of the type, the field, the union
// branch) and what is wrong: not JSON, an unknown type name, a record
// without a fields array, a default that does not match its field's type
// (a union's default, its first branch), duplicate field names or enum
// symbols, an invalid name, a fixed without a size, a named type defined
// twice.
func Parse(text string, refs ...*Schema) (*Schema, error) {
	p := &parser{names: map[string]*Schema{}, local: map[*Schema]bool{}}
	for i, ref := range refs {
		if ref == nil {
			return nil, fmt.Errorf("%w: reference %d is nil", ErrInvalidSchema, i)
		}
		if err := p.addReference(ref); err != nil {
			return nil, fmt.Errorf("%w: reference %d: %v", ErrInvalidSchema, i, err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", ErrInvalidSchema, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: not JSON: text after the schema", ErrInvalidSchema)
	}
	s, err := p.parse(v, "", "schema")
	if err != nil {
		return nil, err
	}
	// Defaults are checked last: a field's type may be the record still
	// being defined when the field is read.
	for _, d := range p.defaults {
		if !validDefault(d.field.typ, d.field.def) {
			return nil, fmt.Errorf("%w: at %s: default %s does not match the field's type %s",
				ErrInvalidSchema, d.path, jsonText(d.field.def), describe(d.field.typ))
		}
	}
	s.local = p.local
	return s, nil
}

// MaxDepth is how deeply types may nest in a schema (a record in an array
// in a union...). Real schemas stay far below it; a deeper one is refused as
// invalid rather than risking the stack of whoever reads or compares it.
const MaxDepth = 128

type parser struct {
	depth    int
	names    map[string]*Schema // every named type in sight, by full name
	local    map[*Schema]bool   // the named types this text defines
	defaults []pendingDefault
}

type pendingDefault struct {
	field *Field
	path  string
}

// addReference makes the named types of a referenced schema (and of its
// own references) visible by name. Two references may both bring the same
// type (a diamond); they must then agree on it.
func (p *parser) addReference(ref *Schema) error {
	for _, named := range namedTypes(ref) {
		if known, ok := p.names[named.name]; ok && known != named &&
			canonicalOf(known, nil) != canonicalOf(named, nil) {
			return fmt.Errorf("two different definitions of %q", named.name)
		}
		p.names[named.name] = named
	}
	return nil
}

// namedTypes lists every named type reachable from s, once each.
func namedTypes(s *Schema) []*Schema {
	var out []*Schema
	seen := map[*Schema]bool{}
	var walk func(*Schema)
	walk = func(s *Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if s.isNamed() {
			out = append(out, s)
		}
		for _, f := range s.fields {
			walk(f.typ)
		}
		walk(s.items)
		for _, b := range s.branches {
			walk(b)
		}
	}
	walk(s)
	return out
}

func (p *parser) fail(path, format string, args ...any) error {
	return fmt.Errorf("%w: at %s: %s", ErrInvalidSchema, path, fmt.Sprintf(format, args...))
}

// parse reads one schema value found at path, inside namespace.
func (p *parser) parse(v any, namespace, path string) (*Schema, error) {
	if p.depth++; p.depth > MaxDepth {
		return nil, p.fail(path, "types nested deeper than %d", MaxDepth)
	}
	defer func() { p.depth-- }()
	switch v := v.(type) {
	case string:
		return p.reference(v, namespace, path)
	case []any:
		return p.union(v, namespace, path)
	case map[string]any:
		return p.object(v, namespace, path)
	}
	return nil, p.fail(path, "a schema is a type name, an object or an array, not %s", jsonText(v))
}

// reference is a type named by a string: a primitive or a named type
// defined before (or being defined: a recursive type).
func (p *parser) reference(name, namespace, path string) (*Schema, error) {
	if primitives[name] {
		return &Schema{typ: name}, nil
	}
	if s, ok := p.names[qualify(name, namespace)]; ok {
		return s, nil
	}
	return nil, p.fail(path, "unknown type name %q", name)
}

func (p *parser) union(branches []any, namespace, path string) (*Schema, error) {
	u := &Schema{typ: "union"}
	seen := map[string]bool{}
	for i, raw := range branches {
		at := fmt.Sprintf("%s[%d]", path, i)
		b, err := p.parse(raw, namespace, at)
		if err != nil {
			return nil, err
		}
		if b.typ == "union" {
			return nil, p.fail(at, "a union may not hold a union directly")
		}
		key := b.typ
		if b.isNamed() {
			key = b.name
		}
		if seen[key] {
			return nil, p.fail(at, "the union already has a branch %s", key)
		}
		seen[key] = true
		u.branches = append(u.branches, b)
	}
	return u, nil
}

func (p *parser) object(obj map[string]any, namespace, path string) (*Schema, error) {
	raw, ok := obj["type"]
	if !ok {
		return nil, p.fail(path, "no type")
	}
	typ, isString := raw.(string)
	if !isString {
		return nil, p.fail(path, "type is %s, not a type name", jsonText(raw))
	}
	var s *Schema
	var err error
	switch {
	case primitives[typ]:
		s = &Schema{typ: typ}
	case typ == "record" || typ == "error" || typ == "enum" || typ == "fixed":
		s, err = p.named(obj, typ, namespace, path)
	case typ == "array" || typ == "map":
		s, err = p.container(obj, typ, namespace, path)
	default:
		// {"type": "Name"} refers to a named type, like "Name" does.
		return p.reference(typ, namespace, path)
	}
	if err != nil {
		return nil, err
	}
	if lt, ok := obj["logicalType"]; ok {
		s.logical = append(s.logical, prop{"logicalType", lt})
		for _, key := range []string{"precision", "scale"} {
			if v, ok := obj[key]; ok {
				s.logical = append(s.logical, prop{key, v})
			}
		}
	}
	return s, nil
}

func (p *parser) container(obj map[string]any, typ, namespace, path string) (*Schema, error) {
	key := "items"
	if typ == "map" {
		key = "values"
	}
	raw, ok := obj[key]
	if !ok {
		return nil, p.fail(path, "an %s needs %s", typ, key)
	}
	inner, err := p.parse(raw, namespace, path+"."+key)
	if err != nil {
		return nil, err
	}
	return &Schema{typ: typ, items: inner}, nil
}

// named defines a record, enum or fixed: its name is registered before its
// fields are read, so a field may refer to the record itself.
func (p *parser) named(obj map[string]any, typ, namespace, path string) (*Schema, error) {
	full, err := fullNameOf(obj, namespace)
	if err != nil {
		return nil, p.fail(path, "%v", err)
	}
	path = full
	if _, taken := p.names[full]; taken {
		return nil, p.fail(path, "the named type %q is defined twice", full)
	}
	s := &Schema{typ: typ, name: full}
	ns := namespaceOf(full)
	if s.aliases, err = aliasesOf(obj, ns, true); err != nil {
		return nil, p.fail(path, "%v", err)
	}
	switch typ {
	case "enum":
		err = p.enum(s, obj, path)
	case "fixed":
		err = p.fixed(s, obj, path)
	}
	if err != nil {
		return nil, err
	}
	p.names[full] = s
	p.local[s] = true
	if s.isRecord() {
		if err := p.fields(s, obj, ns, path); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// aliasesOf reads an aliases attribute: full names for a named type
// (qualified in its namespace), plain names for a field.
func aliasesOf(obj map[string]any, namespace string, named bool) ([]string, error) {
	raw, ok := obj["aliases"]
	if !ok {
		return nil, nil
	}
	list, isList := raw.([]any)
	if !isList {
		return nil, fmt.Errorf("aliases is %s, not an array of names", jsonText(raw))
	}
	var out []string
	for _, a := range list {
		alias, isString := a.(string)
		valid := isString && validName(alias)
		if named {
			valid = isString && validFullName(alias)
			alias = qualify(alias, namespace)
		}
		if !valid {
			return nil, fmt.Errorf("invalid alias %s", jsonText(a))
		}
		if !slices.Contains(out, alias) {
			out = append(out, alias)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (p *parser) enum(s *Schema, obj map[string]any, path string) error {
	list, ok := obj["symbols"].([]any)
	if !ok {
		return p.fail(path, "an enum needs symbols (an array of names)")
	}
	for _, raw := range list {
		sym, isString := raw.(string)
		if !isString || !validName(sym) {
			return p.fail(path, "invalid enum symbol %s", jsonText(raw))
		}
		if slices.Contains(s.symbols, sym) {
			return p.fail(path, "duplicate enum symbol %q", sym)
		}
		s.symbols = append(s.symbols, sym)
	}
	if raw, ok := obj["default"]; ok {
		def, isString := raw.(string)
		if !isString || !slices.Contains(s.symbols, def) {
			return p.fail(path, "the enum default %s is not one of its symbols", jsonText(raw))
		}
		s.enumDef = &def
	}
	return nil
}

func (p *parser) fixed(s *Schema, obj map[string]any, path string) error {
	raw, ok := obj["size"]
	if !ok {
		return p.fail(path, "a fixed needs a size")
	}
	n, isInt := jsonInt(raw, 0, 1<<31-1)
	if !isInt {
		return p.fail(path, "size %s is not a whole number >= 0", jsonText(raw))
	}
	s.size = int(n)
	return nil
}

func (p *parser) fields(s *Schema, obj map[string]any, namespace, path string) error {
	raw, ok := obj["fields"]
	list, isList := raw.([]any)
	if !ok || !isList {
		return p.fail(path, "a record needs fields (an array, which may be empty)")
	}
	s.fields = []*Field{}
	seen := map[string]bool{}
	for i, rawField := range list {
		fobj, isObj := rawField.(map[string]any)
		if !isObj {
			return p.fail(fmt.Sprintf("%s.fields[%d]", path, i), "a field is an object")
		}
		name, isString := fobj["name"].(string)
		if !isString || !validName(name) {
			return p.fail(fmt.Sprintf("%s.fields[%d]", path, i), "invalid field name %s", jsonText(fobj["name"]))
		}
		at := path + "." + name
		if seen[name] {
			return p.fail(at, "duplicate field name %q", name)
		}
		seen[name] = true
		f := &Field{name: name, order: "ascending"}
		var err error
		if f.aliases, err = aliasesOf(fobj, "", false); err != nil {
			return p.fail(at, "%v", err)
		}
		if rawOrder, ok := fobj["order"]; ok {
			order, _ := rawOrder.(string)
			if order != "ascending" && order != "descending" && order != "ignore" {
				return p.fail(at, "order %s is not ascending, descending or ignore", jsonText(rawOrder))
			}
			f.order = order
		}
		rawType, ok := fobj["type"]
		if !ok {
			return p.fail(at, "a field needs a type")
		}
		if f.typ, err = p.parse(rawType, namespace, at); err != nil {
			return err
		}
		if def, ok := fobj["default"]; ok {
			f.def, f.hasDefault = def, true
			p.defaults = append(p.defaults, pendingDefault{f, at})
		}
		s.fields = append(s.fields, f)
	}
	return nil
}

// describe names a type in an error message.
func describe(s *Schema) string {
	if s.isNamed() {
		return fmt.Sprintf("%s %q", s.typ, s.name)
	}
	if s.typ == "union" && len(s.branches) > 0 {
		return "union (its first branch " + describe(s.branches[0]) + ")"
	}
	return fmt.Sprintf("%q", s.typ)
}

// jsonText shows a JSON value in a message as it was written.
func jsonText(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String()
}
