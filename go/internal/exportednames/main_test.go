package main

import (
	"slices"
	"testing"
)

func TestExported(t *testing.T) {
	got, err := exported("testdata/sample")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ErrSample", "First", "Kind", "Kind.String", "Limit", "NewThing", "Second",
		"Thing", "Thing.Do", "Waiter", "Waiter.Wait",
	}
	if !slices.Equal(got, want) {
		t.Errorf("exported(testdata/sample) =\n%v\nwant\n%v", got, want)
	}
}

func TestExportedRefusesAMissingDirectory(t *testing.T) {
	tests := []struct{ name, dir string }{
		{"no such directory", "testdata/none"},
		{"no Go files", "testdata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if names, err := exported(tt.dir); err == nil {
				t.Errorf("exported(%q) = %v, want an error", tt.dir, names)
			}
		})
	}
}
