package schema_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twinbook/internal/testutil"
	"twinbook/schema"
)

// The two concepts of the Avro vector files; both live in one folder, avro/.
var vectorConcepts = []string{"avro_resolution", "registry_compatibility"}

// TestVectors replays the Avro conformance vectors (book/appendix/spec-avro.md):
// every *.json of $TWINBOOK_VECTORS_DIR/avro/ when TWINBOOK_VECTORS_DIR is
// set, else of the project's tests/vectors/avro/, one subtest per case,
// named by the case, each decoded strictly (an unknown key fails it). A
// malformed file or case fails, naming it; nothing is skipped.
func TestVectors(t *testing.T) {
	cases, err := loadVectors(testutil.VectorsDir("avro"))
	if err != nil {
		t.Error(err)
	}
	for _, vc := range cases {
		t.Run(vc.ID(), func(t *testing.T) {
			if err := runVector(vc); err != nil {
				t.Fatalf("%s: case %q: %v", vc.File, vc.Name, err)
			}
		})
	}
}

// loadVectors reads the folder through the shared loader and adds what the
// spec asks of a file besides: at least one case, and names used once
// (they are test ids). Every fault is in the error, naming its file.
func loadVectors(dir string) ([]testutil.VectorCase, error) {
	cases, err := testutil.LoadVectorsOf(dir, vectorConcepts...)
	errs := []error{err}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		var file struct {
			Cases []json.RawMessage `json:"cases"`
		}
		data, readErr := os.ReadFile(f)
		if readErr == nil && json.Unmarshal(data, &file) == nil && len(file.Cases) == 0 {
			errs = append(errs, fmt.Errorf("%s: malformed file: no cases", f))
		}
	}
	names := map[string]string{}
	for _, c := range cases {
		if where, dup := names[c.Name]; dup && c.Name != "" {
			errs = append(errs, fmt.Errorf("%s: case %q: the name is already used in %s", c.File, c.Name, where))
		}
		names[c.Name] = c.File
	}
	return cases, errors.Join(errs...)
}

// errMalformed marks a case the format does not allow, as opposed to a
// wrong answer.
var errMalformed = errors.New("malformed case")

type resolutionCase struct {
	Name       string          `json:"name"`
	Reader     json.RawMessage `json:"reader"`
	Writer     json.RawMessage `json:"writer"`
	Compatible *bool           `json:"compatible"`
	Invalid    *bool           `json:"invalid"`
}

type registryCase struct {
	Name       string             `json:"name"`
	Level      *string            `json:"level"`
	Existing   *[]json.RawMessage `json:"existing"`
	Candidate  json.RawMessage    `json:"candidate"`
	Compatible *bool              `json:"compatible"`
	Invalid    *bool              `json:"invalid"`
}

// runVector checks one case: nil when the implementation gives the
// expected answer. An invalid schema is answered "not compatible"; the
// project's optional "invalid" key also says whether one is expected.
func runVector(vc testutil.VectorCase) error {
	var answer bool
	var parseErrs []error
	var compatible, invalid *bool
	parse := func(what string, raw json.RawMessage) *schema.Schema {
		if len(raw) == 0 || string(raw) == "null" {
			parseErrs = append(parseErrs, fmt.Errorf("%w: no %s", errMalformed, what))
			return nil
		}
		s, err := schema.Parse(string(raw))
		if err != nil {
			parseErrs = append(parseErrs, fmt.Errorf("%s: %w", what, err))
		}
		return s
	}
	switch vc.Concept {
	case "avro_resolution":
		var c resolutionCase
		if err := testutil.DecodeStrict(vc.Raw, &c); err != nil {
			return fmt.Errorf("%w: %v", errMalformed, err)
		}
		reader, writer := parse("reader", c.Reader), parse("writer", c.Writer)
		answer = len(parseErrs) == 0 && schema.CanRead(reader, writer)
		compatible, invalid = c.Compatible, c.Invalid
	case "registry_compatibility":
		var c registryCase
		if err := testutil.DecodeStrict(vc.Raw, &c); err != nil {
			return fmt.Errorf("%w: %v", errMalformed, err)
		}
		if c.Level == nil || c.Existing == nil {
			return fmt.Errorf("%w: a registry case needs level and existing", errMalformed)
		}
		level, err := schema.ParseLevel(*c.Level)
		if err != nil {
			return fmt.Errorf("%w: %v", errMalformed, err)
		}
		var existing []*schema.Schema
		for i, raw := range *c.Existing {
			existing = append(existing, parse(fmt.Sprintf("existing[%d]", i), raw))
		}
		candidate := parse("candidate", c.Candidate)
		answer = len(parseErrs) == 0 && schema.Compatible(level, candidate, existing)
		compatible, invalid = c.Compatible, c.Invalid
	default:
		return fmt.Errorf("%w: unknown concept %q", errMalformed, vc.Concept)
	}
	for _, err := range parseErrs {
		if errors.Is(err, errMalformed) {
			return err
		}
	}
	switch {
	case compatible == nil:
		return fmt.Errorf("%w: no compatible (true or false)", errMalformed)
	case invalid != nil && *invalid && *compatible:
		return fmt.Errorf("%w: invalid and compatible: an invalid schema is never compatible", errMalformed)
	case invalid != nil && *invalid && len(parseErrs) == 0:
		return errors.New("every schema parsed; want one rejected as invalid")
	case invalid != nil && !*invalid && len(parseErrs) > 0:
		return fmt.Errorf("a schema was rejected: %w", errors.Join(parseErrs...))
	case answer != *compatible:
		if len(parseErrs) > 0 {
			return fmt.Errorf("answered %v, want %v (%w)", answer, *compatible, errors.Join(parseErrs...))
		}
		return fmt.Errorf("answered %v, want %v", answer, *compatible)
	}
	return nil
}

func TestVectorRunner(t *testing.T) {
	rec := func(fields string) string {
		return `{"type": "record", "name": "R", "fields": [` + fields + `]}`
	}
	tests := []struct {
		name, concept, raw string
		wantErr            string // "" for a passing case
	}{
		{"a right answer passes", "avro_resolution",
			`{"name": "x", "reader": "long", "writer": "int", "compatible": true}`, ""},
		{"a wrong answer fails", "avro_resolution",
			`{"name": "x", "reader": "int", "writer": "long", "compatible": true}`, "answered false, want true"},
		{"an invalid schema answers not compatible", "avro_resolution",
			`{"name": "x", "reader": "strng", "writer": "string", "compatible": false}`, ""},
		{"invalid: true with an invalid schema passes", "avro_resolution",
			`{"name": "x", "reader": "strng", "writer": "string", "compatible": false, "invalid": true}`, ""},
		{"invalid: true with valid schemas fails", "avro_resolution",
			`{"name": "x", "reader": "int", "writer": "long", "compatible": false, "invalid": true}`, "want one rejected"},
		{"invalid: false with an invalid schema fails", "avro_resolution",
			`{"name": "x", "reader": "strng", "writer": "string", "compatible": false, "invalid": false}`, "was rejected"},
		{"invalid and compatible is malformed", "avro_resolution",
			`{"name": "x", "reader": "strng", "writer": "string", "compatible": true, "invalid": true}`, "malformed"},
		{"an unknown key is malformed", "avro_resolution",
			`{"name": "x", "reader": "int", "writer": "int", "compatible": true, "note": 1}`, `unknown field "note"`},
		{"no writer is malformed", "avro_resolution",
			`{"name": "x", "reader": "int", "compatible": true}`, "no writer"},
		{"no compatible is malformed", "avro_resolution",
			`{"name": "x", "reader": "int", "writer": "int"}`, "no compatible"},
		{"compatible not a boolean is malformed", "avro_resolution",
			`{"name": "x", "reader": "int", "writer": "int", "compatible": "yes"}`, "malformed"},
		{"registry: right answer", "registry_compatibility",
			`{"name": "x", "level": "BACKWARD", "existing": [` + rec(`{"name": "a", "type": "int"}`) + `],
			  "candidate": ` + rec(``) + `, "compatible": true}`, ""},
		{"registry: wrong answer", "registry_compatibility",
			`{"name": "x", "level": "FORWARD", "existing": [` + rec(`{"name": "a", "type": "int"}`) + `],
			  "candidate": ` + rec(``) + `, "compatible": true}`, "answered false"},
		{"registry: unknown level is malformed", "registry_compatibility",
			`{"name": "x", "level": "SIDEWAYS", "existing": [], "candidate": "int", "compatible": true}`, "malformed"},
		{"registry: no existing is malformed", "registry_compatibility",
			`{"name": "x", "level": "NONE", "candidate": "int", "compatible": true}`, "needs level and existing"},
		{"registry: a reader key is malformed", "registry_compatibility",
			`{"name": "x", "level": "NONE", "existing": [], "reader": "int", "candidate": "int", "compatible": true}`, `unknown field "reader"`},
		{"an unknown concept is malformed", "avro_schema",
			`{"name": "x", "reader": "int", "writer": "int", "compatible": true}`, "unknown concept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runVector(testutil.VectorCase{File: "t.json", Concept: tt.concept, Name: "x", Raw: json.RawMessage(tt.raw)})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestVectorFilesThatAreMalformedFailNamingThem(t *testing.T) {
	good := `{"concept": "avro_resolution", "cases": [{"name": "a", "reader": "int", "writer": "int", "compatible": true}]}`
	tests := []struct {
		name, file, body, wantErr string
	}{
		{"not JSON", "bad.json", `{"concept": `, "bad.json"},
		{"unknown concept", "other.json", `{"concept": "breaker", "cases": [{"name": "b"}]}`, `other.json: concept "breaker"`},
		{"unknown file key", "extra.json", `{"concept": "avro_resolution", "cases": [], "version": 2}`, `extra.json: json: unknown field "version"`},
		{"no cases", "empty.json", `{"concept": "registry_compatibility", "cases": []}`, "empty.json: malformed file: no cases"},
		{"a name used twice", "twice.json", good, `twice.json: case "a": the name is already used in good.json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range map[string]string{"good.json": good, tt.file: tt.body} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cases, err := loadVectors(dir)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if len(cases) == 0 || cases[0].Name != "a" {
				t.Fatalf("the good file's cases were lost: %v", cases)
			}
		})
	}
}
