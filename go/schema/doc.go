// Package schema is chapter 4's Avro schemas and their compatibility: the
// rules a schema registry applies before it lets a producer change what it
// writes (book/appendix/spec-avro.md).
//
// One concern per file:
//
//   - schema.go: [Schema] and [Field], the parsed model, and [ErrInvalidSchema].
//   - names.go: Avro names, namespaces and full names.
//   - parse.go: [Parse], which reads a schema's JSON text and rejects an
//     invalid one with an error naming the place at fault.
//   - defaults.go: whether a field's default matches the field's type.
//   - canonical.go: [Schema.Canonical], the normalized text a registry
//     deduplicates on.
//   - resolve.go: [CanRead], Avro's schema resolution: can data written with
//     one schema be read with another?
//   - level.go: [Level], [ParseLevel] and [Compatible], the registry's seven
//     compatibility levels over a subject's history.
//
// Python's twinbook.schema has the same concepts under the same names.
package schema
