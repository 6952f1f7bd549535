package registry

import (
	"fmt"

	"twinbook/schema"
)

// Parsed is a schema as the Checker parsed it. Canonical is its normalized
// form: two texts of the same schema (whitespace, key order, namespace
// spelling) give the same string, which is what the registry deduplicates
// on.
type Parsed interface {
	Canonical() string
}

// Checker is what the registry needs of an Avro implementation: parse a
// schema (with the schemas its references name), judge a candidate
// against a subject's history at a level, and read a level's name. The
// registry's rules (ids, versions, deletes) do not depend on how schemas
// are judged, so its tests can run on any Checker; [AvroChecker] is the
// project's, built on package schema.
type Checker interface {
	// Parse parses text; refs are the parsed schemas its references name.
	// The error says what is invalid.
	Parse(text string, refs []Parsed) (Parsed, error)
	// Compatible reports whether candidate may follow existing (oldest
	// first) at level.
	Compatible(level string, candidate Parsed, existing []Parsed) bool
	// ParseLevel returns the level named by s as Confluent spells it
	// ("BACKWARD"...), or an error.
	ParseLevel(s string) (string, error)
}

// Explainer is a Checker that can also say why a candidate is refused: the
// registry then names the failed rule in its 409 on register and in its
// verbose compatibility answers, as Confluent's does. A Checker without it
// gets a message that names only the level.
type Explainer interface {
	// Explain returns why candidate may not follow existing (oldest
	// first) at level: the index in existing of the first schema it fails
	// against, and the reason. found is false when it is compatible.
	Explain(level string, candidate Parsed, existing []Parsed) (index int, reason string, found bool)
}

// AvroChecker is the Checker of package schema: Avro's schema resolution
// and Confluent's seven levels, as the project's spec says.
type AvroChecker struct{}

// Parse implements Checker; refs must come from this Checker.
func (AvroChecker) Parse(text string, refs []Parsed) (Parsed, error) {
	schemas := make([]*schema.Schema, len(refs))
	for i, r := range refs {
		s, ok := r.(*schema.Schema)
		if !ok {
			return nil, fmt.Errorf("reference %d was not parsed by AvroChecker", i)
		}
		schemas[i] = s
	}
	s, err := schema.Parse(text, schemas...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Compatible implements Checker; the schemas must come from its Parse.
func (AvroChecker) Compatible(level string, candidate Parsed, existing []Parsed) bool {
	c, ok := candidate.(*schema.Schema)
	if !ok {
		return false
	}
	olds := make([]*schema.Schema, len(existing))
	for i, e := range existing {
		if olds[i], ok = e.(*schema.Schema); !ok {
			return false
		}
	}
	return schema.Compatible(schema.Level(level), c, olds)
}

// ParseLevel implements Checker.
func (AvroChecker) ParseLevel(s string) (string, error) {
	l, err := schema.ParseLevel(s)
	return string(l), err
}

// Explain implements Explainer: the schemas the level compares, in the
// order [schema.Compatible] compares them, and [schema.Explain]'s path and
// rule for the first pair that fails, with the direction it failed in.
func (AvroChecker) Explain(level string, candidate Parsed, existing []Parsed) (int, string, bool) {
	c, ok := candidate.(*schema.Schema)
	if !ok {
		return 0, "the candidate was not parsed by AvroChecker", len(existing) > 0
	}
	l := schema.Level(level)
	first := 0
	switch l {
	case schema.None:
		return 0, "", false
	case schema.Backward, schema.Forward, schema.Full:
		first = max(len(existing)-1, 0)
	}
	backward := l != schema.Forward && l != schema.ForwardTransitive
	forward := l != schema.Backward && l != schema.BackwardTransitive
	for i := first; i < len(existing); i++ {
		old, ok := existing[i].(*schema.Schema)
		if !ok {
			return i, "a schema was not parsed by AvroChecker", true
		}
		if in := schema.Explain(c, old); backward && in != nil {
			return i, "the new schema cannot read data written with it: " + in.String(), true
		}
		if in := schema.Explain(old, c); forward && in != nil {
			return i, "it cannot read data written with the new schema: " + in.String(), true
		}
	}
	return 0, "", false
}
