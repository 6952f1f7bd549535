"""Hostile Go submissions: each gets exactly its grade, and the grader, the other
students and the grader's output are unaffected (see hostile.py and conftest.py).

``BOUNDARY`` are attacks on the package boundary (twinbook.runner.gorunner): the answer is
package ``main``, the tests and the harness its external test package ``main_test``. Most
are accepted by vetting on purpose (vetting no longer looks at names): the compiler, not a
list of forbidden spellings, keeps the tests' identifiers out of the answer's reach."""

import pytest
from hostile import _NO_VET, GO, GO_ALL, GO_POOL, NONE, POOL, SOLUTIONS, Case, Deep, check_case

from twinbook.exercises.model import load_exercise
from twinbook.runner.check import answer_source

pytestmark = pytest.mark.usefixtures("unaffected")

STAGE = "02-pipeline-stage"
#: the instructor's own (correct) pipeline stage answer, the base of the constant-key case
GO_STAGE = answer_source(load_exercise(SOLUTIONS / STAGE).lang("go"))


def _undefined(name: str, test: str = "TestResultsInOrder") -> dict[str, str]:
    return {test: f"undefined: {name}"}


#: MapLimited with no limit at all: the grade it deserves is the same with or without the
#: lying copies of the tests' helpers below
_NO_LIMIT = """
func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {
	if limit < 1 {
		return nil, fmt.Errorf("bad limit %d", limit)
	}
	out := make([]int, len(items))
	var wg sync.WaitGroup
	for i, item := range items {
		wg.Go(func() { out[i], _ = fn(ctx, item) })
	}
	wg.Wait()
	return out, nil
}
"""
NO_LIMIT = (
    'package main\n\nimport (\n\t"context"\n\t"fmt"\n\t"sync"\n)\n'
    + _NO_LIMIT
    + "\nfunc main() {}\n"
)
NO_LIMIT_PASSED = {
    "visible": (
        "TestResultsInOrder",
        "TestRunsLimitCallsAtOnce",
        "TestBadLimitIsAnError",
        "TestEmptyItems",
    ),
    "hidden": ("TestHiddenNoGoroutineLeftBehind",),
}

BOUNDARY = [
    Case(
        "go-map-key-hidden-var",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}", "func main() {}\n\nvar seen = map[error]bool{errBoom: true}\n"
        ),
        "name the hidden tests' errBoom as a map literal key (go/parser never resolves those keys)",
        passed=NONE,
        points=0,
        messages={**_undefined("errBoom"), "TestHiddenCancelledContext": "undefined: errBoom"},
    ),
    Case(
        "go-map-key-hidden-const",
        STAGE,
        "go",
        GO_STAGE.replace(
            "func main() {}", "func main() {}\n\nvar hint = map[string]int{stageLeak: 1}\n"
        ),
        "name a hidden test's unexported constant as a composite-literal key",
        passed=NONE,
        points=0,
        messages={
            "TestStageAppliesFnInOrder": "undefined: stageLeak",
            "TestHiddenStageBackpressure": "undefined: stageLeak",
        },
    ),
    Case(
        "go-method-value-of-test-type",
        POOL,
        "go",
        GO_POOL.replace("func main() {}", "func main() {}\n\nvar enter = (*gauge).enter\n"),
        "take a method value of the visible tests' gauge type",
        passed=NONE,
        points=0,
        messages=_undefined("gauge"),
    ),
    Case(
        "go-embed-test-type",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}",
            "func main() {}\n\n// spy embeds the tests' gauge to reach its fields\ntype spy struct{ gauge }\n",
        ),
        "embed a test type in a type of the answer's own",
        passed=NONE,
        points=0,
        messages=_undefined("gauge"),
    ),
    Case(
        "go-refer-to-harness",
        POOL,
        "go",
        GO_POOL.replace("func main() {}", "func main() {}\n\nvar harness = TestTwinbookHarness\n"),
        "take the harness's test function as a value",
        passed=NONE,
        points=0,
        messages=_undefined("TestTwinbookHarness"),
    ),
    Case(
        "go-export-a-test-name",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}",
            "func main() {}\n\n// TestHiddenCancelledContext hopes to stand in for the hidden test\n"
            "func TestHiddenCancelledContext() {}\n\n// TestTwinbookHarness likewise for the harness\n"
            "var TestTwinbookHarness = 0\n",
        ),
        "export names that the tests and the harness declare, hoping theirs are replaced",
        # both reach the tests' files through the dot import only, where they clash with the
        # tests' own declarations: neither suite builds
        passed=NONE,
        points=0,
        messages={
            "TestResultsInOrder": "TestTwinbookHarness already declared through dot-import",
            "TestHiddenCancelledContext": "TestHiddenCancelledContext already declared",
        },
    ),
    Case(
        "go-shadow-test-helpers",
        POOL,
        "go",
        NO_LIMIT.replace(
            "func main() {}",
            """func main() {}

// the tests' own helpers, redeclared to lie: most calls at once is always 1, nothing starts
type gauge struct{ now, most, started int }

func (g *gauge) enter()                          {}
func (g *gauge) leave()                          {}
func (g *gauge) read() (now, most, started int) { return 0, 1, 0 }

func callMapLimited(a ...any) ([]int, error) { return []int{0, 1, 4, 9, 16, 25, 36, 49}, nil }

func settleGoroutines(a ...any) {}
""",
        ),
        "redeclare the tests' helpers (gauge, callMapLimited) with lying bodies",
        # the tests keep their own helpers: graded exactly as MapLimited alone deserves
        passed=NO_LIMIT_PASSED,
        points=7,
    ),
    Case(
        "go-init-overwrites-hidden-data",
        POOL,
        "go",
        GO_POOL.replace("func main() {}", "func main() {}\n\nfunc init() { errBoom = nil }\n"),
        "overwrite the hidden tests' data from func init, before any test runs",
        rejected=("func init is not allowed",),
        deep=Deep(_NO_VET, NONE, 0, messages=_undefined("errBoom")),
    ),
    Case(
        "go-answer-joins-the-test-package",
        POOL,
        "go",
        GO_POOL.replace("package main\n", "package main_test\n", 1),
        "declare the answer as package main_test, to become one package with the tests again",
        rejected=("must be package main",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            messages={
                "TestResultsInOrder": "the answer must be package main, not package main_test"
            },
        ),
    ),
    Case(
        "go-second-package-clause",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}", "func main() {}\n\npackage main_test\n\nvar peek = errBoom\n"
        ),
        "a second package clause half way down the answer",
        rejected=("syntax error",),
        deep=Deep(_NO_VET, NONE, 0, messages={"TestResultsInOrder": "syntax error"}),
    ),
    Case(
        "go-build-tag-drops-the-answer",
        POOL,
        "go",
        "//go:build ignore\n\n" + GO_POOL,
        "a build constraint that leaves answer.go out of the build (the tests alone remain)",
        rejected=("compiler directive //go:build is not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            messages={"TestResultsInOrder": "build constraints exclude all Go files"},
        ),
    ),
    Case(
        "go-linkname-into-the-tests",
        POOL,
        "go",
        GO_POOL.replace('"fmt"', '"fmt"\n\t_ "unsafe"').replace(
            "func main() {}",
            "func main() {}\n\n//go:linkname peek answer_test.errBoom\nvar peek error\n",
        ),
        "reach the hidden tests' variable by its linker symbol (//go:linkname crosses packages)",
        # the boundary is the compiler's, the linker does not know it: vetting is the wall here
        rejected=(
            "compiler directive //go:linkname is not allowed",
            'import "unsafe" is not allowed here',
        ),
    ),
    Case(
        "go-embed-test-files-glob",
        POOL,
        "go",
        GO_POOL.replace('"fmt"', '"embed"\n\t"fmt"').replace(
            "func main() {}", "func main() {}\n\n//go:embed *_test.go\nvar tests embed.FS\n"
        ),
        "embed every test file of the build folder (the harness and, in the hidden run, the hidden tests)",
        rejected=(
            "compiler directive //go:embed is not allowed",
            'import "embed" is not allowed here',
        ),
    ),
    Case(
        "go-testmain-in-the-answer",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}",
            "func main() {}\n\n// TestMain is only a test file's hook: here it is an ordinary function\n"
            'func TestMain(m any) { panic("never called") }\n',
        ),
        "declare TestMain (exported, so dot-imported by the tests' files) to take over the run",
        passed=GO_ALL,
        points=14,
    ),
]


@pytest.mark.parametrize("case", GO, ids=[c.id for c in GO])
def test_hostile_go(case, grade, exercises, bystander, listener):
    check_case(case, grade, exercises, bystander, listener)


@pytest.mark.parametrize("case", BOUNDARY, ids=[c.id for c in BOUNDARY])
def test_hostile_go_boundary(case, grade, exercises, bystander, listener):
    check_case(case, grade, exercises, bystander, listener)
