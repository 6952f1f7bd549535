package schema

import "slices"

// promotions lists, for each writer primitive, the reader primitives that
// read it besides itself.
var promotions = map[string][]string{
	"int":    {"long", "float", "double"},
	"long":   {"float", "double"},
	"float":  {"double"},
	"string": {"bytes"},
	"bytes":  {"string"},
}

// CanRead says whether every datum written with writer can be decoded with
// reader, by Avro's schema resolution: primitives match themselves or a
// promotion (int to long, float, double; long to float, double; float to
// double; string and bytes both ways); named types match on their
// unqualified names (or one of the reader's aliases); a record reads when
// each reader field is found in the writer (by name or alias) with a
// type it reads, or has a default; an enum when every writer symbol is a
// reader symbol or the reader has a default; a fixed when the sizes are
// equal; arrays and maps by their items and values; a writer union when
// every branch is readable, a reader union when one branch reads the
// writer. Logical types do not matter. A pair of named types met again
// while it is being compared is taken as compatible, so recursive types
// terminate. A nil schema reads and is read by nothing.
func CanRead(reader, writer *Schema) bool {
	if reader == nil || writer == nil {
		return false
	}
	r := resolver{inProgress: map[[2]*Schema]bool{}}
	return r.canRead(reader, writer)
}

type resolver struct {
	// inProgress holds the (reader, writer) named-type pairs on the current
	// path; finished pairs are not remembered, since a result found under
	// an assumption about an enclosing pair need not hold elsewhere.
	inProgress map[[2]*Schema]bool
}

func (r *resolver) canRead(reader, writer *Schema) bool {
	// docs:start can-read
	if writer.typ == "union" {
		for _, b := range writer.branches {
			if !r.canRead(reader, b) {
				return false
			}
		}
		return true
	}
	if reader.typ == "union" {
		return slices.ContainsFunc(reader.branches, func(b *Schema) bool {
			return r.canRead(b, writer)
		})
	}
	if primitives[writer.typ] {
		return reader.typ == writer.typ ||
			slices.Contains(promotions[writer.typ], reader.typ)
	}
	switch {
	case writer.isRecord() && reader.isRecord():
		return r.named(reader, writer, r.records)
	case writer.typ == "enum" && reader.typ == "enum":
		return r.named(reader, writer, enums)
	case writer.typ == "fixed" && reader.typ == "fixed":
		return r.named(reader, writer, sameSize)
	case writer.typ == reader.typ && (writer.typ == "array" || writer.typ == "map"):
		return r.canRead(reader.items, writer.items)
	}
	return false
	// docs:end can-read
}

// sameSize is the rule of fixed types once their names match.
func sameSize(reader, writer *Schema) bool { return reader.size == writer.size }

// named compares two named types of the same kind: names first, then the
// kind's own rule, with the pair marked as being compared.
func (r *resolver) named(reader, writer *Schema, same func(reader, writer *Schema) bool) bool {
	if !namesMatch(reader, writer) {
		return false
	}
	pair := [2]*Schema{reader, writer}
	if r.inProgress[pair] {
		return true
	}
	r.inProgress[pair] = true
	defer delete(r.inProgress, pair)
	return same(reader, writer)
}

// namesMatch: the unqualified names are equal, or one of the reader's
// aliases has the writer's unqualified name.
func namesMatch(reader, writer *Schema) bool {
	want := shortName(writer.name)
	if shortName(reader.name) == want {
		return true
	}
	return slices.ContainsFunc(reader.aliases, func(a string) bool { return shortName(a) == want })
}

// docs:start records

func (r *resolver) records(reader, writer *Schema) bool {
	for _, rf := range reader.fields {
		wf := writerField(writer, rf)
		if wf == nil {
			if !rf.hasDefault {
				return false
			}
			continue
		}
		if !r.canRead(rf.typ, wf.typ) {
			return false
		}
	}
	return true
}

// docs:end records

// writerField is the writer's field for a reader field: by its name, else
// by one of its aliases.
func writerField(writer *Schema, rf *Field) *Field {
	for _, name := range append([]string{rf.name}, rf.aliases...) {
		for _, wf := range writer.fields {
			if wf.name == name {
				return wf
			}
		}
	}
	return nil
}

func enums(reader, writer *Schema) bool {
	if reader.enumDef != nil {
		return true
	}
	for _, sym := range writer.symbols {
		if !slices.Contains(reader.symbols, sym) {
			return false
		}
	}
	return true
}
