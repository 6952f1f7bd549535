package testutil

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"testing"
)

// The conformance vectors (tests/vectors/README.md): every concept's runner
// reads every *.json of the concept's folder, decodes it strictly and runs
// one subtest per case, named by the case. These are that rule, written once
// for every concept's Go runner.

// VectorsEnv names the variable that points the runners at another vectors
// root (one folder per concept), e.g. a learner's own cases.
const VectorsEnv = "TWINBOOK_VECTORS_DIR"

// VectorsDir returns the folder of concept's vector files:
// $TWINBOOK_VECTORS_DIR/concept when the variable is set to a non-empty
// value, else the project's tests/vectors/concept. The default is found from
// this file, not the working directory, so it holds for any package's tests.
func VectorsDir(concept string) string {
	if root := os.Getenv(VectorsEnv); root != "" {
		return filepath.Join(root, concept)
	}
	_, here, _, _ := runtime.Caller(0) // go/internal/testutil/vectors.go
	return filepath.Join(filepath.Dir(here), "..", "..", "..", "tests", "vectors", concept)
}

// VectorCase is one case of a vector file, still undecoded, so each runner
// decodes it (strictly) into its own concept's case type.
type VectorCase struct {
	File    string          // the file's base name
	Concept string          // the file's "concept"
	Index   int             // the case's place in its file, from 0
	Name    string          // the case's "name"; empty when it has none
	Raw     json.RawMessage // the whole case
}

// ID is the case's subtest name: its name, or file#index when it has none
// (which the runner then fails).
func (c VectorCase) ID() string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("%s#%d", c.File, c.Index)
}

// LoadVectors reads every *.json in dir, in name order, and returns their
// cases in file then case order. A file that cannot be read, has a key the
// format does not know, or is of another concept is reported in the error
// (all of them, joined) while the other files' cases are still returned, so
// one broken file does not hide the rest. A folder without files is an error.
func LoadVectors(dir, concept string) ([]VectorCase, error) {
	return LoadVectorsOf(dir, concept)
}

// LoadVectorsOf is LoadVectors for a folder that holds files of several
// concepts (chapter 4's avro/ holds avro_resolution and
// registry_compatibility files): a file of any of concepts loads, each case
// carrying its file's concept.
func LoadVectorsOf(dir string, concepts ...string) ([]VectorCase, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("vector files in %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no vector files (*.json) in %s", dir)
	}
	sort.Strings(files)
	var cases []VectorCase
	var errs []error
	for _, file := range files {
		found, err := loadVectorFile(file, concepts)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
			continue
		}
		cases = append(cases, found...)
	}
	return cases, errors.Join(errs...)
}

func loadVectorFile(file string, concepts []string) ([]VectorCase, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var vf struct {
		Concept string            `json:"concept"`
		Cases   []json.RawMessage `json:"cases"`
	}
	if err := DecodeStrict(data, &vf); err != nil {
		return nil, err
	}
	if !slices.Contains(concepts, vf.Concept) {
		want := fmt.Sprintf("%q", concepts[0])
		if len(concepts) > 1 {
			want = fmt.Sprintf("one of %q", concepts)
		}
		return nil, fmt.Errorf("concept %q, want %s", vf.Concept, want)
	}
	cases := make([]VectorCase, len(vf.Cases))
	for i, raw := range vf.Cases {
		var named struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(raw, &named) // a malformed case fails when its runner decodes it
		cases[i] = VectorCase{File: filepath.Base(file), Concept: vf.Concept, Index: i, Name: named.Name, Raw: raw}
	}
	return cases, nil
}

// DecodeStrict decodes one JSON value into v, failing on a key v has no
// field for: a runner must not pass a case it only half understood.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// ForEachCase runs run in one subtest per case of concept's vectors (see
// VectorsDir and LoadVectors), each case decoded strictly into a C. A case
// that does not decode, or has no name, fails its subtest; a broken file
// fails t. It returns how many cases it found, for a runner that wants a
// floor.
func ForEachCase[C any](t *testing.T, concept string, run func(t *testing.T, c C)) int {
	t.Helper()
	cases, err := LoadVectors(VectorsDir(concept), concept)
	if err != nil {
		t.Error(err)
	}
	for _, vc := range cases {
		t.Run(vc.ID(), func(t *testing.T) {
			var c C
			if err := DecodeStrict(vc.Raw, &c); err != nil {
				t.Fatalf("%s: malformed case: %v", vc.File, err)
			}
			if vc.Name == "" {
				t.Fatalf("%s: a case needs a name", vc.File)
			}
			run(t, c)
		})
	}
	return len(cases)
}

// DecodeExpect decodes the expectation key of the step at where into v,
// failing the case when it has the wrong type.
func DecodeExpect(t testing.TB, where, key string, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: expect.%s: %v", where, key, err)
	}
}

// Got shows a result a step may not have produced, for a failure message:
// the value, or "n/a" when the step produced none.
func Got[T any](p *T) any {
	if p == nil {
		return "n/a"
	}
	return *p
}
