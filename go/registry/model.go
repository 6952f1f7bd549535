package registry

// Reference names a schema registered under another subject that a schema
// uses by name (Confluent's schema references): Name is the full name the
// schema uses, Subject and Version say where its definition is registered.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// SchemaVersion is one version of a subject as GET
// /subjects/{s}/versions/{v} and POST /subjects/{s} answer it.
type SchemaVersion struct {
	Subject    string      `json:"subject"`
	Version    int         `json:"version"`
	ID         int         `json:"id"`
	SchemaType string      `json:"schemaType,omitempty"`
	References []Reference `json:"references,omitempty"`
	Schema     string      `json:"schema"`
	// Deleted is true for a soft-deleted version (seen only with
	// ?deleted=true); Confluent leaves it out of its answers.
	Deleted bool `json:"-"`
}

// SchemaByID is what GET /schemas/ids/{id} answers. Confluent leaves
// schemaType out for Avro, the default type.
type SchemaByID struct {
	SchemaType string      `json:"schemaType,omitempty"`
	References []Reference `json:"references,omitempty"`
	Schema     string      `json:"schema"`
}

// SubjectVersion is one element of GET /schemas/ids/{id}/versions.
type SubjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// SchemaRequest is the body of POST /subjects/{s}/versions, POST
// /subjects/{s} and POST /compatibility/...: the schema text as the client
// wrote it, its type ("" means AVRO) and its references.
type SchemaRequest struct {
	Schema     string      `json:"schema"`
	SchemaType string      `json:"schemaType,omitempty"`
	References []Reference `json:"references,omitempty"`
}

// TypeAvro is the only schema type this registry serves: Confluent's name
// for it, and the default when a request names none.
const TypeAvro = "AVRO"

// DefaultLevel is the compatibility level of a new registry, as in
// Confluent's.
const DefaultLevel = "BACKWARD"
