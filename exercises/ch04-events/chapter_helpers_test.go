// Helpers the tests of this chapter's exercises share. The checker places this file beside an
// exercise's tests, in the same package, so the tests call these names directly. It names
// nothing of any answer: each exercise's visible tests adapt its answer to these helpers.
package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// --- 01-avro-compatibility ---

// avSchema decodes a schema's JSON text as encoding/json does into an any, the form the
// learner's CanRead takes; a test's own schema that does not parse fails the test.
func avSchema(t *testing.T, text string) any {
	t.Helper()
	var schema any
	if err := json.Unmarshal([]byte(text), &schema); err != nil {
		t.Fatalf("the test's schema %s does not parse: %v", text, err)
	}
	return schema
}

// avRead calls canRead on freshly decoded copies of both schemas (an answer that changes
// them cannot change the next test's); a panic of the learner's code is an error naming the
// call.
func avRead(t *testing.T, canRead func(reader, writer any) bool, reader, writer string) (got bool, err error) {
	t.Helper()
	r, w := avSchema(t, reader), avSchema(t, writer)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("CanRead(reader=%s, writer=%s) panicked: %v", reader, writer, p)
		}
	}()
	return canRead(r, w), nil
}

// avExpect checks that CanRead(reader, writer) is want; why is the rule that says so.
func avExpect(t *testing.T, canRead func(reader, writer any) bool, reader, writer string, want bool, why string) {
	t.Helper()
	got, err := avRead(t, canRead, reader, writer)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("CanRead(reader=%s, writer=%s) is %v, want %v: %s", reader, writer, got, want, why)
	}
}

// avCase is one avro_resolution conformance vector: two schemas and the answer.
type avCase struct {
	Name       string          `json:"name"`
	Reader     json.RawMessage `json:"reader"`
	Writer     json.RawMessage `json:"writer"`
	Compatible *bool           `json:"compatible"`
}

// avRun replays every case of vectorsJSON (an exercise's embedded vectors), one subtest
// each. A key the replayer does not know fails the test: a vector is never half-checked.
func avRun(t *testing.T, vectorsJSON string, canRead func(reader, writer any) bool) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(vectorsJSON)))
	dec.DisallowUnknownFields()
	var cases []avCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("the embedded vectors do not parse: %v", err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Compatible == nil || c.Reader == nil || c.Writer == nil {
				t.Fatalf("%s: a case has a reader, a writer and compatible", c.Name)
			}
			avExpect(t, canRead, string(c.Reader), string(c.Writer), *c.Compatible, c.Name)
		})
	}
}

// --- 02-wire-format, 03-idempotent-consumer, 04-exactly-once-step ---

// wfIsError reports whether target is err, or is in the chain that err's Unwrap methods give,
// compared by identity: unlike errors.Is it never asks an error's own Is method (a learner's
// error type could claim to be any error).
func wfIsError(err, target error) bool {
	for range 64 {
		if err == nil {
			return false
		}
		if err == target {
			return true
		}
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				if wfIsError(inner, target) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		default:
			return false
		}
	}
	return false
}

// wfCall runs f, turning a panic of the learner's code into a test failure that names the call.
func wfCall(t *testing.T, what string, f func()) {
	t.Helper()
	var panicked any
	func() {
		defer func() { panicked = recover() }()
		f()
	}()
	if panicked != nil {
		t.Fatalf("%s panicked: %v", what, panicked)
	}
}
