package main

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// apply is the mutant's edit on src.
func apply(src string, m Mutant) string {
	return src[:m.Start] + m.Replacement + src[m.End:]
}

// file wraps a function body in an answer file.
func file(decls string) string {
	return "package main\n\nimport (\n\t\"context\"\n\t\"sync\"\n)\n\nvar _ = context.Background\nvar _ sync.Mutex\n\n" + decls + "\n"
}

func TestOperators(t *testing.T) {
	tests := []struct {
		name     string
		source   string
		operator string
		want     string // a line of the mutated file (trimmed) that only this mutant has
	}{
		{"arithmetic", "func F(a, b int) int { return a + b }", "arithmetic", "func F(a, b int) int { return a - b }"},
		{"augmented assignment", "func F(a int) int {\n\ta += 2\n\treturn a\n}", "arithmetic", "a -= 2"},
		{"increment", "func F(a int) int {\n\ta++\n\treturn a\n}", "arithmetic", "a--"},
		{"comparison", "func F(a int) bool { return a < 3 }", "comparison", "func F(a int) bool { return a <= 3 }"},
		{"boolean", "func F(a, b bool) bool { return a && b }", "boolean", "func F(a, b bool) bool { return a || b }"},
		{"boundary n+1", "func F(a int) bool { return a < 3 }", "boundary-constant", "func F(a int) bool { return a < 4 }"},
		{"boundary n-1", "func F(a int) bool { return a < 3 }", "boundary-constant", "func F(a int) bool { return a < 2 }"},
		{"boundary 0", "func F(a int) bool { return a < 3 }", "boundary-constant", "func F(a int) bool { return a < 0 }"},
		{"statement removal", "func F(a []int) {\n\ta[0] = 1\n}", "statement-removal", "func F(a []int) {\n\t\n}"},
		{"return zero value", "func F(a int) int {\n\treturn a\n}", "return-value", "return 0"},
		{"return zero of a named type", "type T struct{ n int }\n\nfunc F() T {\n\treturn T{n: 1}\n}", "return-value", "return *new(T)"},
		{"return nil pointer", "type T struct{}\n\nfunc F() *T {\n\treturn &T{}\n}", "return-value", "return nil"},
		{"return negated bool", "func F(a int) bool {\n\treturn a > 1\n}", "return-value", "return !(a > 1)"},
		{"return flipped literal", "func F() bool {\n\treturn true\n}", "return-value", "return false"},
		{"not removal", "func F(a bool) bool { return !a }", "not-removal", "func F(a bool) bool { return a }"},
		{"swap", "func F(a, b []int) {\n\ta[0] = 1\n\tb[0] = a[0]\n}", "swap-statements", "b[0] = a[0]\n\ta[0] = 1"},
		{"swap around a call", "func F(a []int, f func()) {\n\ta[0] = 1\n\tf()\n}", "swap-statements", "f()\n\ta[0] = 1"},
		{"lock pair with defer", "func F(mu *sync.Mutex, a []int) {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\ta[0] = 1\n}", "lock-removal", "func F(mu *sync.Mutex, a []int) {\n\t\n\t\n\ta[0] = 1\n}"},
		{"lock pair with an early unlock", "func F(mu *sync.Mutex, a []int) int {\n\tmu.Lock()\n\tif a[0] > 0 {\n\t\tmu.Unlock()\n\t\treturn 1\n\t}\n\ta[0] = 1\n\tmu.Unlock()\n\treturn 0\n}", "lock-removal", "if a[0] > 0 {\n\t\t\n\t\treturn 1\n\t}\n\ta[0] = 1\n\t\n\treturn 0"},
		{"defer", "func F(ch chan int) {\n\tdefer close(ch)\n\tch <- 1\n}", "defer-removal", "func F(ch chan int) {\n\t\n\tch <- 1\n}"},
		{"close", "func F(ch chan int) {\n\tch <- 1\n\tclose(ch)\n}", "close-removal", "ch <- 1\n\t\n}"},
		{"wait", "func F(wg *sync.WaitGroup) {\n\twg.Wait()\n}", "wait-removal", "func F(wg *sync.WaitGroup) {\n\t\n}"},
		{"ctx.Err", "func F(ctx context.Context) bool {\n\treturn ctx.Err() != nil\n}", "context-check", "return nil != nil"},
		{"ctx.Done case", "func F(ctx context.Context, ch chan int) {\n\tselect {\n\tcase <-ctx.Done():\n\tcase ch <- 1:\n\t}\n}", "context-check", "select {\n\t\n\tcase ch <- 1:\n\t}"},
		{"select case", "func F(a, b chan int) {\n\tselect {\n\tcase a <- 1:\n\tcase b <- 2:\n\t}\n}", "select-case", "select {\n\t\n\tcase b <- 2:\n\t}"},
		{"select default", "func F(a chan int) {\n\tselect {\n\tcase a <- 1:\n\tdefault:\n\t}\n}", "select-case", "case a <- 1:\n\t\n\t}"},
		{"capacity +1", "func F(n int) chan int { return make(chan int, n) }", "capacity", "make(chan int, (n)+1)"},
		{"capacity -1", "func F(n int) chan int { return make(chan int, n) }", "capacity", "make(chan int, (n)-1)"},
		{"unbuffered", "func F(n int) chan int { return make(chan int, n) }", "capacity", "make(chan int) }"},
		{"literal capacity", "func F() chan int { return make(chan int, 2) }", "capacity", "make(chan int, 3)"},
		{"buffered", "func F() chan int { return make(chan int) }", "capacity", "make(chan int, 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := file(tt.source)
			mutants, err := Mutants([]byte(src))
			if err != nil {
				t.Fatalf("Mutants: %v", err)
			}
			var seen []string
			for _, m := range mutants {
				got := apply(src, m)
				if m.Operator == tt.operator && strings.Contains(got, tt.want) {
					return
				}
				seen = append(seen, m.Operator+": "+m.Description)
			}
			t.Errorf("no %s mutant gives %q; mutants: %q", tt.operator, tt.want, seen)
		})
	}
}

func TestMutantsParse(t *testing.T) {
	// every mutant of a file that uses each operator is still Go syntax (the compiler, not
	// the parser, is the judge of the rest)
	src := file(`func F(ctx context.Context, mu *sync.Mutex, in chan int, n int) (int, error) {
	mu.Lock()
	defer mu.Unlock()
	out := make(chan int, n)
	defer close(out)
	total := 0
	for v := range in {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case out <- v:
		}
		if !(v > 2 && n <= 3) {
			total += v * 2
		}
	}
	return total, nil
}`)
	mutants, err := Mutants([]byte(src))
	if err != nil {
		t.Fatalf("Mutants: %v", err)
	}
	operators := map[string]bool{}
	for _, m := range mutants {
		operators[m.Operator] = true
		if _, err := parser.ParseFile(token.NewFileSet(), "m.go", apply(src, m), 0); err != nil {
			t.Errorf("%s (%s) does not parse: %v", m.Operator, m.Description, err)
		}
	}
	for _, want := range []string{"lock-removal", "defer-removal", "context-check", "select-case", "capacity", "arithmetic", "comparison", "boolean", "not-removal", "return-value", "statement-removal"} {
		if !operators[want] {
			t.Errorf("no %s mutant", want)
		}
	}
}

func TestIndependentAssignmentsAreNotSwapped(t *testing.T) {
	// swapping them is equivalent by construction: no test could kill it
	src := file("type T struct{ a, b, c int }\n\nfunc (t *T) F(n int) {\n\tt.a = n\n\tt.b = len(\"x\")\n\tt.c++\n}")
	mutants, err := Mutants([]byte(src))
	if err != nil {
		t.Fatalf("Mutants: %v", err)
	}
	for _, m := range mutants {
		if m.Operator == "swap-statements" {
			t.Errorf("swapped independent assignments: %q", m.Label)
		}
	}
}

func TestNoZeroValueForAnEmptyCompositeLiteral(t *testing.T) {
	// return T{} -> return *new(T) would be the same program
	src := file("type T struct{ n int }\n\nfunc F() T {\n\treturn T{}\n}")
	mutants, err := Mutants([]byte(src))
	if err != nil {
		t.Fatalf("Mutants: %v", err)
	}
	for _, m := range mutants {
		if m.Operator == "return-value" {
			t.Errorf("a zero value for T{}: %q", m.Replacement)
		}
	}
}

func TestDedupeNamesTheSpecificOperator(t *testing.T) {
	// removing close(ch) is a statement removal too: one mutant, named close-removal
	src := file("func F(ch chan int) {\n\tclose(ch)\n}")
	mutants, err := Mutants([]byte(src))
	if err != nil {
		t.Fatalf("Mutants: %v", err)
	}
	if len(mutants) != 1 || mutants[0].Operator != "close-removal" {
		t.Errorf("mutants = %+v, want one close-removal", mutants)
	}
}

func TestRunPrintsJSON(t *testing.T) {
	var out bytes.Buffer
	if err := run(strings.NewReader(file("func F(a int) int { return a + 1 }")), &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	var mutants []Mutant
	if err := json.Unmarshal(out.Bytes(), &mutants); err != nil {
		t.Fatalf("output is not a JSON list of mutants: %v\n%s", err, out.String())
	}
	if len(mutants) == 0 {
		t.Fatal("no mutants")
	}
	if err := run(strings.NewReader("package main\nfunc {"), &out); err == nil {
		t.Error("run accepted a file that does not parse")
	}
}
