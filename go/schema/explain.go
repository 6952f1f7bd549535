package schema

import (
	"fmt"
	"slices"
	"strings"
)

// Incompatibility is why a reader cannot read a writer: the first rule of
// schema resolution that fails, and where. A registry puts it in its
// verbose compatibility answers and in its 409 on register, so that the
// author of the schema learns which field to fix.
type Incompatibility struct {
	// Path is where in the reader the rule failed: the root's name (or
	// type), then ".field" per record field, "[]" for array items, "{}" for
	// map values, "<i>" for the i-th branch of a writer union.
	Path string
	// Reason names the rule that failed, in one sentence.
	Reason string
}

// String is "path: reason".
func (in *Incompatibility) String() string { return in.Path + ": " + in.Reason }

// Explain says why reader cannot read writer: nil when [CanRead] is true,
// else the first incompatibility found, with its path. It walks the schemas
// as CanRead does, but it is a second walk kept apart from CanRead's, so
// that CanRead stays as small as the rules; the tests check on every
// vector that the two agree.
func Explain(reader, writer *Schema) *Incompatibility {
	if reader == nil || writer == nil {
		return &Incompatibility{Path: "", Reason: "a missing schema reads and is read by nothing"}
	}
	e := explainer{inProgress: map[[2]*Schema]bool{}}
	return e.explain(label(reader), reader, writer)
}

type explainer struct {
	inProgress map[[2]*Schema]bool
}

// label names a schema where a path starts: a named type's short name,
// else its type.
func label(s *Schema) string {
	if s.isNamed() {
		return shortName(s.name)
	}
	return s.typ
}

// nameOf names a schema in a reason: "record 'Order'", "'int'".
func nameOf(s *Schema) string {
	if s.isNamed() {
		return fmt.Sprintf("%s '%s'", s.typ, shortName(s.name))
	}
	return "'" + s.typ + "'"
}

func (e *explainer) explain(path string, reader, writer *Schema) *Incompatibility {
	if writer.typ == "union" {
		for i, b := range writer.branches {
			if in := e.explain(fmt.Sprintf("%s<%d>", path, i), reader, b); in != nil {
				return in
			}
		}
		return nil
	}
	if reader.typ == "union" {
		for _, b := range reader.branches {
			if e.explain(path, b, writer) == nil {
				return nil
			}
		}
		return &Incompatibility{path, fmt.Sprintf("no branch of the reader's union reads the writer's %s", nameOf(writer))}
	}
	if primitives[writer.typ] {
		if reader.typ == writer.typ || slices.Contains(promotions[writer.typ], reader.typ) {
			return nil
		}
		return &Incompatibility{path, fmt.Sprintf("the writer's %s cannot be read as %s", nameOf(writer), nameOf(reader))}
	}
	switch {
	case writer.isRecord() && reader.isRecord():
		return e.named(path, reader, writer, e.records)
	case writer.typ == "enum" && reader.typ == "enum":
		return e.named(path, reader, writer, explainEnums)
	case writer.typ == "fixed" && reader.typ == "fixed":
		return e.named(path, reader, writer, func(path string, reader, writer *Schema) *Incompatibility {
			if reader.size == writer.size {
				return nil
			}
			return &Incompatibility{path, fmt.Sprintf("the writer's fixed size %d differs from the reader's %d", writer.size, reader.size)}
		})
	case writer.typ == reader.typ && writer.typ == "array":
		return e.explain(path+"[]", reader.items, writer.items)
	case writer.typ == reader.typ && writer.typ == "map":
		return e.explain(path+"{}", reader.items, writer.items)
	}
	return &Incompatibility{path, fmt.Sprintf("the writer's %s cannot be read as %s", nameOf(writer), nameOf(reader))}
}

func (e *explainer) named(path string, reader, writer *Schema,
	same func(path string, reader, writer *Schema) *Incompatibility) *Incompatibility {
	if !namesMatch(reader, writer) {
		return &Incompatibility{path, fmt.Sprintf("the writer's %s does not match the reader's %s by name or alias",
			nameOf(writer), nameOf(reader))}
	}
	pair := [2]*Schema{reader, writer}
	if e.inProgress[pair] {
		return nil
	}
	e.inProgress[pair] = true
	defer delete(e.inProgress, pair)
	return same(path, reader, writer)
}

func (e *explainer) records(path string, reader, writer *Schema) *Incompatibility {
	for _, rf := range reader.fields {
		wf := writerField(writer, rf)
		if wf == nil {
			if !rf.hasDefault {
				return &Incompatibility{path + "." + rf.name,
					fmt.Sprintf("reader field '%s' has no default and the writer has no such field", rf.name)}
			}
			continue
		}
		if in := e.explain(path+"."+rf.name, rf.typ, wf.typ); in != nil {
			return in
		}
	}
	return nil
}

func explainEnums(path string, reader, writer *Schema) *Incompatibility {
	if reader.enumDef != nil {
		return nil
	}
	for _, sym := range writer.symbols {
		if !slices.Contains(reader.symbols, sym) {
			return &Incompatibility{path, fmt.Sprintf("writer symbol '%s' is not in the reader's enum (%s), which has no default",
				sym, strings.Join(reader.symbols, ", "))}
		}
	}
	return nil
}
