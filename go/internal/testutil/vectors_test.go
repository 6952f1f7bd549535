package testutil_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twinbook/internal/testutil"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadVectors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantIDs []string
		wantErr string // a part of the error; "" for none
	}{
		{
			name: "files in name order, cases in file order",
			files: map[string]string{
				"b.json":     `{"concept": "limiter", "cases": [{"name": "b1"}, {"name": "b2"}]}`,
				"a.json":     `{"concept": "limiter", "cases": [{"name": "a1"}]}`,
				"notes.txt":  `not a vector file`,
				"empty.json": `{"concept": "limiter", "cases": []}`,
			},
			wantIDs: []string{"a1", "b1", "b2"},
		},
		{
			name:    "a case without a name is named by its file and place",
			files:   map[string]string{"a.json": `{"concept": "limiter", "cases": [{"name": "x"}, {"steps": []}]}`},
			wantIDs: []string{"x", "a.json#1"},
		},
		{
			name:    "no files",
			files:   map[string]string{"notes.txt": "x"},
			wantErr: "no vector files",
		},
		{
			name: "another concept fails its file, not the others",
			files: map[string]string{
				"a.json": `{"concept": "breaker", "cases": [{"name": "a1"}]}`,
				"b.json": `{"concept": "limiter", "cases": [{"name": "b1"}]}`,
			},
			wantIDs: []string{"b1"},
			wantErr: `concept "breaker", want "limiter"`,
		},
		{
			name:    "an unknown file key fails",
			files:   map[string]string{"a.json": `{"concept": "limiter", "cases": [], "comment": "x"}`},
			wantErr: `unknown field "comment"`,
		},
		{
			name:    "not JSON fails",
			files:   map[string]string{"a.json": `{"concept": `},
			wantErr: "a.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cases, err := testutil.LoadVectors(writeFiles(t, tt.files), "limiter")
			var ids []string
			for _, c := range cases {
				ids = append(ids, c.ID())
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("ids = %q, want %q", ids, tt.wantIDs)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadVectorsOf(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.json": `{"concept": "avro_resolution", "cases": [{"name": "a1"}]}`,
		"b.json": `{"concept": "registry_compatibility", "cases": [{"name": "b1"}]}`,
		"c.json": `{"concept": "breaker", "cases": [{"name": "c1"}]}`,
	})
	cases, err := testutil.LoadVectorsOf(dir, "avro_resolution", "registry_compatibility")
	var got []string
	for _, c := range cases {
		got = append(got, c.Concept+":"+c.ID())
	}
	if want := []string{"avro_resolution:a1", "registry_compatibility:b1"}; !slices.Equal(got, want) {
		t.Errorf("cases = %q, want %q", got, want)
	}
	if err == nil || !strings.Contains(err.Error(), "c.json") || !strings.Contains(err.Error(), `concept "breaker", want one of`) {
		t.Errorf("err = %v, want one naming c.json and its concept", err)
	}
}

func TestDecodeStrict(t *testing.T) {
	type step struct {
		Op string `json:"op"`
	}
	tests := []struct {
		name, data string
		wantErr    bool
	}{
		{"known keys", `{"op": "allow"}`, false},
		{"an unknown key", `{"op": "allow", "opp": 1}`, true},
		{"a wrong type", `{"op": 1}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s step
			if err := testutil.DecodeStrict([]byte(tt.data), &s); (err != nil) != tt.wantErr {
				t.Errorf("DecodeStrict(%s) = %v, want an error: %v", tt.data, err, tt.wantErr)
			}
		})
	}
}

func TestVectorsDir(t *testing.T) {
	tests := []struct {
		name, env string
		want      func(t *testing.T, dir string)
	}{
		{"the variable, when set", "/elsewhere", func(t *testing.T, dir string) {
			if want := filepath.Join("/elsewhere", "breaker"); dir != want {
				t.Errorf("dir = %s, want %s", dir, want)
			}
		}},
		{"the project's own, when empty", "", func(t *testing.T, dir string) {
			if !strings.HasSuffix(filepath.ToSlash(dir), "tests/vectors/breaker") {
				t.Errorf("dir = %s, want the project's tests/vectors/breaker", dir)
			}
			if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) == 0 {
				t.Errorf("no vector files in %s", dir)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(testutil.VectorsEnv, tt.env)
			tt.want(t, testutil.VectorsDir("breaker"))
		})
	}
}

func TestForEachCaseReadsTheVariablesFolder(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "retry_budget"), 0o700); err != nil {
		t.Fatal(err)
	}
	body := `{"concept": "retry_budget", "cases": [{"name": "one", "n": 1}, {"name": "two", "n": 2}]}`
	if err := os.WriteFile(filepath.Join(root, "retry_budget", "a.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(testutil.VectorsEnv, root)
	type kase struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	var got []string
	n := testutil.ForEachCase(t, "retry_budget", func(t *testing.T, c kase) {
		got = append(got, t.Name()[strings.LastIndex(t.Name(), "/")+1:]+"="+string(rune('0'+c.N)))
	})
	if want := []string{"one=1", "two=2"}; n != 2 || !slices.Equal(got, want) {
		t.Errorf("ForEachCase ran %q (%d cases), want %q", got, n, want)
	}
}

func TestDecodeExpect(t *testing.T) {
	tests := []struct {
		name, raw string
		want      int
	}{
		{"an integer", `3`, 3},
		{"zero", `0`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got int
			testutil.DecodeExpect(t, "step 1", "calls", json.RawMessage(tt.raw), &got)
			if got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestGot(t *testing.T) {
	yes, seven := true, int64(7)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"a bool", testutil.Got(&yes), true},
		{"an int64", testutil.Got(&seven), int64(7)},
		{"none", testutil.Got[bool](nil), "n/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("Got = %v (%T), want %v (%T)", tt.got, tt.got, tt.want, tt.want)
			}
		})
	}
}
