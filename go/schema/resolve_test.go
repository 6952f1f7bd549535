package schema_test

import (
	"testing"

	"twinbook/schema"
)

func mustParse(t *testing.T, text string) *schema.Schema {
	t.Helper()
	s, err := schema.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The rules themselves are pinned by the vectors (vectors_test.go); these
// are what the vector format cannot say.
func TestCanRead(t *testing.T) {
	tests := []struct {
		name, reader, writer string
		want                 bool
	}{
		{"an empty writer union writes nothing, so anything reads it", `"int"`, `[]`, true},
		{"an empty reader union reads nothing", `[]`, `"int"`, false},
		{"error and record are both records", `{"type": "record", "name": "E", "fields": []}`, `{"type": "error", "name": "E", "fields": []}`, true},
		{"a deep recursion terminates",
			`{"type": "record", "name": "T", "fields": [{"name": "l", "type": ["null", "T"]}, {"name": "r", "type": ["null", "T"]}, {"name": "kids", "type": {"type": "array", "items": "T"}}]}`,
			`{"type": "record", "name": "T", "fields": [{"name": "l", "type": ["null", "T"]}, {"name": "r", "type": ["null", "T"]}, {"name": "kids", "type": {"type": "map", "values": "T"}}]}`,
			false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := schema.CanRead(mustParse(t, tt.reader), mustParse(t, tt.writer)); got != tt.want {
				t.Errorf("CanRead = %v, want %v", got, tt.want)
			}
		})
	}
	if schema.CanRead(nil, mustParse(t, `"int"`)) || schema.CanRead(mustParse(t, `"int"`), nil) {
		t.Error("a nil schema reads or is read")
	}
}
