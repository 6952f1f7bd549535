// Command twinbook-mutate prints the mutants of a Go answer file as JSON.
//
// It reads the answer file (package main, as the exercise checker takes it) on stdin and
// prints a JSON list on stdout, one object per mutant:
//
//	[{"operator": "comparison", "start": 120, "end": 121, "replacement": "<=",
//	  "description": "< -> <="}]
//
// start and end are byte offsets into the file; the mutant is the file with those bytes
// replaced by replacement. Which of them lie in the answer region (between the
// BEGIN/END SOLUTION markers) is decided by the caller, twinbook's `dev mutate`, which
// also gives every mutant its stable id and runs it through the exercise checker.
//
// The operators are syntactic, on go/parser's tree: the compiler, not this program, tells
// a mutant that does not type-check (the caller counts it as invalid, not as killed).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "twinbook-mutate:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	src, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading the answer file: %w", err)
	}
	mutants, err := Mutants(src)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", " ")
	if err := enc.Encode(mutants); err != nil {
		return fmt.Errorf("writing the mutants: %w", err)
	}
	return nil
}
