package schema_test

import (
	"errors"
	"testing"

	"twinbook/schema"
)

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    schema.Level
		wantErr bool
	}{
		{"BACKWARD", schema.Backward, false},
		{"BACKWARD_TRANSITIVE", schema.BackwardTransitive, false},
		{"FORWARD", schema.Forward, false},
		{"FORWARD_TRANSITIVE", schema.ForwardTransitive, false},
		{"FULL", schema.Full, false},
		{"FULL_TRANSITIVE", schema.FullTransitive, false},
		{"NONE", schema.None, false},
		{"full_transitive", schema.FullTransitive, false},
		{"", "", true},
		{"SIDEWAYS", "", true},
		{"BACKWARD ", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := schema.ParseLevel(tt.in)
			if tt.wantErr != (err != nil) || got != tt.want {
				t.Fatalf("ParseLevel(%q) = %q, %v", tt.in, got, err)
			}
			if err != nil && !errors.Is(err, schema.ErrInvalidLevel) {
				t.Errorf("error %v does not wrap ErrInvalidLevel", err)
			}
		})
	}
}

func TestCompatibleOddCases(t *testing.T) {
	v1 := mustParse(t, `"int"`)
	if schema.Compatible(schema.Backward, nil, []*schema.Schema{v1}) {
		t.Error("a nil candidate was compatible")
	}
	if schema.Compatible(schema.Level("SIDEWAYS"), v1, []*schema.Schema{v1}) {
		t.Error("an unknown level was compatible")
	}
	for _, l := range schema.Levels {
		if !schema.Compatible(l, v1, nil) {
			t.Errorf("%s: a subject with no schema refused one", l)
		}
	}
}
