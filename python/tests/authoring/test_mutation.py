"""The mutation tester (``twinbook dev mutate``): the operators in both languages, the stable
ids, the answer region, the equivalents file, and how the runner counts outcomes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from twinbook.authoring.mutation.equivalents import load_equivalents
from twinbook.authoring.mutation.go_ops import go_edits
from twinbook.authoring.mutation.mutant import answer_regions, identify, in_regions
from twinbook.authoring.mutation.python_ops import python_edits
from twinbook.authoring.mutation.report import format_details, format_table, to_json
from twinbook.authoring.mutation.runner import (
    EQUIVALENT,
    EQUIVALENT_KILLED,
    INVALID,
    KILLED,
    SURVIVED,
    mutants_of,
    plan,
    run_plan,
)
from twinbook.exercises.results import CheckResult, TestResult


def _mutated(source: str, language: str = "python") -> dict[str, set[str]]:
    """operator -> the mutated files it makes."""
    edits = python_edits(source) if language == "python" else go_edits(source)
    found: dict[str, set[str]] = {}
    for mutant in identify(source, edits):
        found.setdefault(mutant.operator, set()).add(mutant.apply(source))
    return found


PYTHON_CASES = [
    # (name, source, operator, the mutated source)
    ("arithmetic", "x = a + b\n", "arithmetic", "x = a - b\n"),
    ("floor division", "x = a // b\n", "arithmetic", "x = a / b\n"),
    ("augmented", "x -= 1\n", "arithmetic", "x += 1\n"),
    ("comparison", "ok = a < b\n", "comparison", "ok = a <= b\n"),
    ("is not", "ok = a is not None\n", "comparison", "ok = a is None\n"),
    ("in", "ok = a in b\n", "comparison", "ok = a not in b\n"),
    ("boolean", "ok = a and b\n", "boolean", "ok = a or b\n"),
    ("boundary n+1", "x = f(3)\n", "boundary-constant", "x = f(4)\n"),
    ("boundary n-1", "x = f(3)\n", "boundary-constant", "x = f(2)\n"),
    ("boundary 0", "x = f(3)\n", "boundary-constant", "x = f(0)\n"),
    ("boundary 1", "x = f(3)\n", "boundary-constant", "x = f(1)\n"),
    (
        "statement removal",
        "def f():\n    g()\n    h()\n",
        "statement-removal",
        "def f():\n    pass\n    h()\n",
    ),
    ("return None", "def f():\n    return g()\n", "return-value", "def f():\n    return None\n"),
    (
        "return negated",
        "def f():\n    return a < b\n",
        "return-value",
        "def f():\n    return not (a < b)\n",
    ),
    (
        "return flipped",
        "def f():\n    return True\n",
        "return-value",
        "def f():\n    return False\n",
    ),
    ("not removal", "ok = not (a or b)\n", "not-removal", "ok = (a or b)\n"),
    ("swap", "a = 1\nb = a\n", "swap-statements", "b = a\na = 1\n"),
    ("swap around a call", "a = 1\nf()\n", "swap-statements", "f()\na = 1\n"),
    ("with lock", "with self._lock:\n    x = 1\n", "lock-removal", "if True:\n    x = 1\n"),
    ("acquire", "slots.acquire()\nx = 1\n", "lock-removal", "pass\nx = 1\n"),
    ("close", "q.close()\n", "close-removal", "pass\n"),
    ("join", "t.join()\n", "wait-removal", "pass\n"),
    (
        "stop event",
        "while not stop.is_set():\n    x = 1\n",
        "context-check",
        "while not False:\n    x = 1\n",
    ),
    ("queue +1", "q = queue.Queue(size)\n", "capacity", "q = queue.Queue((size) + 1)\n"),
    ("queue -1", "q = queue.Queue(size)\n", "capacity", "q = queue.Queue((size) - 1)\n"),
    ("queue unbounded", "q = queue.Queue(size)\n", "capacity", "q = queue.Queue(0)\n"),
    ("queue maxsize literal", "q = Queue(maxsize=2)\n", "capacity", "q = Queue(maxsize=3)\n"),
    ("queue bounded", "q = queue.Queue()\n", "capacity", "q = queue.Queue(1)\n"),
]


@pytest.mark.parametrize(
    ("source", "operator", "expected"),
    [case[1:] for case in PYTHON_CASES],
    ids=[case[0] for case in PYTHON_CASES],
)
def test_python_operator(source: str, operator: str, expected: str) -> None:
    made = _mutated(source)
    assert expected in made.get(operator, set()), f"{operator} mutants: {made.get(operator)}"


def test_independent_assignments_are_not_swapped() -> None:
    # swapping them is equivalent by construction: no test could kill it
    source = "self._a = a\nself._b = float(b)\nself._lock = threading.Lock()\nself._n += 1\n"
    assert "swap-statements" not in _mutated(source)


def test_python_mutants_compile_and_keep_docstrings() -> None:
    source = textwrap.dedent(
        '''\
        import threading


        class Counter:
            """Counts."""

            def __init__(self, limit):
                self._lock = threading.Lock()
                self._n = 0
                self._limit = limit

            def add(self):
                """Add one; False past the limit."""
                with self._lock:
                    if not self._n < self._limit or self._limit == 0:
                        return False
                    self._n += 1
                    self._last = self._n
                    return True
        '''
    )
    mutants = identify(source, python_edits(source))
    assert {m.operator for m in mutants} >= {
        "lock-removal",
        "comparison",
        "boolean",
        "not-removal",
        "arithmetic",
        "boundary-constant",
        "return-value",
        "swap-statements",
        "statement-removal",
    }
    for mutant in mutants:
        mutated = mutant.apply(source)
        compile(mutated, "answer.py", "exec")
        assert '"""Counts."""' in mutated, mutant.id  # a docstring is never mutated


GO_FILE = """\
package main

import "sync"

type C struct {
	mu sync.Mutex
	n  int
}

// Add adds one; ü keeps the byte offsets honest.
func (c *C) Add(ch chan int) bool {
	// BEGIN SOLUTION
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += 1
	close(ch)
	return c.n > 2
	// END SOLUTION
}

func main() {}
"""


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("lock-removal", "\t\n\t\n\tc.n += 1"),
        ("arithmetic", "c.n -= 1"),
        ("close-removal", "c.n += 1\n\t\n\treturn"),
        ("return-value", "return !(c.n > 2)"),
        ("comparison", "return c.n >= 2"),
        ("boundary-constant", "return c.n > 3"),
        ("swap-statements", "close(ch)\n\tc.n += 1"),
    ],
)
def test_go_operator_through_the_adapter(operator: str, expected: str) -> None:
    # the program counts bytes; the adapter's offsets are characters (the ü comes first)
    made = _mutated(GO_FILE, "go")
    assert any(expected in m for m in made.get(operator, set())), made.get(operator)


def test_go_mutants_stay_in_the_answer_region() -> None:
    mutants = mutants_of(GO_FILE, "go")
    begin, end = GO_FILE.index("// BEGIN"), GO_FILE.index("// END")
    assert mutants
    assert all(begin < m.edit.start and m.edit.end <= end for m in mutants)
    # the struct and main are outside: no mutant touches them
    assert not any("n  int" not in m.apply(GO_FILE) for m in mutants)


def test_ids_are_stable_when_unrelated_lines_change() -> None:
    source = "def f(a, b):\n    x = a + b\n    return x * 2\n"
    moved = "import math\n\n\ndef g():\n    return 1\n\n\n" + source.replace(
        "    x = a", "    # a comment\n    x = a"
    )
    ids = {m.id for m in identify(source, python_edits(source))}
    moved_ids = {m.id for m in identify(moved, python_edits(moved))}
    assert ids <= moved_ids
    assert "arithmetic: a + b -> a - b #1" in ids


def test_identical_changes_are_numbered_in_file_order() -> None:
    source = "x = a + b\ny = a + b\n"
    ids = [m.id for m in identify(source, python_edits(source)) if m.operator == "arithmetic"]
    assert ids == ["arithmetic: a + b -> a - b #1", "arithmetic: a + b -> a - b #2"]


def test_python_answer_region() -> None:
    source = (
        "LIMIT = 3\n\n\ndef f(a):\n    # BEGIN SOLUTION\n    return a + 1\n    # END SOLUTION\n"
    )
    edits = in_regions(python_edits(source), answer_regions(source))
    assert edits
    assert all(source.index("# BEGIN") < e.start < source.index("# END") for e in edits)
    assert answer_regions("x = 1\n") == [(0, 6)]  # no markers: the whole file


def test_equivalents_file(tmp_path: Path) -> None:
    path = tmp_path / "equivalent_mutants.toml"
    assert load_equivalents(path) == []
    path.write_text(
        '[[equivalent]]\nmutant = "comparison: a > 0 -> a >= 0 #1"\nreason = "a is never 0"\n\n'
        '[[equivalent]]\nmutant = "arithmetic: a + b -> a - b #1"\n'
    )
    first, second = load_equivalents(path)
    assert (first.mutant, first.reason) == ("comparison: a > 0 -> a >= 0 #1", "a is never 0")
    assert second.reason == ""
    path.write_text("[[equivalent]]\nreason = 'x'\n")
    with pytest.raises(ValueError, match="no `mutant` id"):
        load_equivalents(path)


# --- the runner, with a scripted checker -------------------------------------------------


def _scripted(survive: set[str], invalid: set[str], crash: set[str]):
    """A checker that passes mutated files containing a ``survive`` snippet, says ``does
    not compile`` for an ``invalid`` one, raises for a ``crash`` one and fails the rest."""

    def check(source: str, exercise, language: str) -> CheckResult:
        if any(s in source for s in crash):
            raise TimeoutError("the run took too long")
        if any(s in source for s in invalid):
            return CheckResult(
                exercise.id,
                language,
                [TestResult("test_adds", "error", "does not compile")],
                problem="does not compile: line 4",
            )
        outcome = "passed" if any(s in source for s in survive) else "failed"
        return CheckResult(exercise.id, language, [TestResult("test_adds", outcome, "want 5")])

    return check


def test_runner_counts_outcomes(make_exercise) -> None:
    from twinbook.exercises import load_exercise

    folder = make_exercise(
        answers={
            "python": "def add(a, b):\n    # BEGIN SOLUTION\n    c = a + b\n    d = c\n    return d\n    # END SOLUTION"
        }
    )
    (folder / "python" / "equivalent_mutants.toml").write_text(
        '[[equivalent]]\nmutant = "swap-statements: c = a + b; d = c -> d = c; c = a + b #1"\n'
        'reason = "scripted"\n\n'
        '[[equivalent]]\nmutant = "arithmetic: a + b -> a - b #1"\nreason = "scripted, and wrong"\n\n'
        '[[equivalent]]\nmutant = "comparison: gone -> here #1"\nreason = "stale"\n\n'
        '[[equivalent]]\nmutant = "return-value: return d -> return None #1"\nreason = ""\n'
    )
    pair = plan(load_exercise(folder), "python")
    ids = [m.id for m in pair.mutants]
    assert "statement-removal: c = a + b -> pass #1" in ids
    checker = _scripted(
        survive={"    pass\n    d = c", "d = c\n    c = a + b"},
        invalid={"a + b\n    pass"},
        crash={"return None"},
    )
    result = run_plan(pair, jobs=2, checker=checker)
    status = {o.mutant.id: o.status for o in result.outcomes}
    assert status["statement-removal: c = a + b -> pass #1"] == SURVIVED
    assert status["arithmetic: a + b -> a - b #1"] == EQUIVALENT  # listed: not run
    assert status["return-value: return d -> return None #1"] == EQUIVALENT
    assert status["statement-removal: return d -> pass #1"] == KILLED
    assert status["statement-removal: d = c -> pass #1"] == INVALID
    assert result.count(SURVIVED) == 1
    assert result.count(KILLED) == result.scored - 1
    assert result.score == (result.scored - 1) / result.scored
    problems = "\n".join(result.problems())
    assert "below the bar" in problems
    assert "stale entry, no such mutant: 'comparison: gone -> here #1'" in problems
    assert "entry without a reason: 'return-value: return d -> return None #1'" in problems

    # run the equivalents too: the wrong entry is killed and reported
    again = run_plan(pair, jobs=1, checker=checker, run_equivalents=True)
    status = {o.mutant.id: o.status for o in again.outcomes}
    assert status["arithmetic: a + b -> a - b #1"] == EQUIVALENT_KILLED
    assert status["swap-statements: c = a + b; d = c -> d = c; c = a + b #1"] == EQUIVALENT
    assert "listed as equivalent but a test kills it" in "\n".join(again.problems())

    report = to_json([result], jobs=2, wall_seconds=1.0)
    assert report["pairs"][0]["survived"] == 1
    assert "survived: statement-removal: c = a + b -> pass #1" in format_details(result)
    assert "ch00-demo/01-add" in format_table([result])


def test_runner_counts_invalid_and_crashed(make_exercise) -> None:
    from twinbook.exercises import load_exercise

    pair = plan(load_exercise(make_exercise()), "python")
    checker = _scripted(survive=set(), invalid={"a - b"}, crash={"return None"})
    result = run_plan(pair, jobs=2, checker=checker)
    by_id = {o.mutant.id: o for o in result.outcomes}
    invalid = by_id["arithmetic: a + b -> a - b #1"]
    assert invalid.status == INVALID and invalid.detail.startswith("does not compile")
    crashed = by_id["return-value: return a + b -> return None #1"]
    assert crashed.status == KILLED and "crashed" in crashed.detail
    assert result.count(INVALID) == 1
    assert result.scored == len(result.outcomes) - 1
    assert result.score == 1.0 and not result.problems()


# --- the command, end to end on the small exercise (Python: a second or so per mutant) ----


def test_the_command_runs_every_mutant_through_the_checker(make_exercise, tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from twinbook.cli import app

    folder = make_exercise()
    report = tmp_path / "report.json"
    args = ["dev", "mutate", "01-add", "--lang", "python", "--root", str(tmp_path)]
    out = CliRunner().invoke(app, [*args, "--out", str(report)])
    assert out.exit_code == 0, out.output
    assert "ch00-demo/01-add  python" in out.output
    pair = json.loads(report.read_text())["pairs"][0]
    assert pair["killed"] == pair["mutants"] >= 3  # a - b, None, pass: each fails a test
    assert pair["score"] == 1.0

    (folder / "python" / "equivalent_mutants.toml").write_text(
        '[[equivalent]]\nmutant = "arithmetic: a * b -> a / b #1"\nreason = "no such code"\n'
    )
    stale = CliRunner().invoke(app, [*args, "--out", str(report)])
    assert stale.exit_code == 1
    assert "stale entry, no such mutant: 'arithmetic: a * b -> a / b #1'" in stale.output


def test_an_id_shows_the_change_in_a_long_line() -> None:
    source = "total = first_value_with_a_long_name + second_value_with_a_long_name + third < 3\n"
    ids = [m.id for m in identify(source, python_edits(source)) if m.operator == "comparison"]
    assert ids == ["comparison: …_long_name + third < 3 -> …_long_name + third <= 3 #1"]


def test_go_ids_are_stable_when_unrelated_lines_change() -> None:
    moved = GO_FILE.replace(
        "// Add adds one",
        "// Other is unrelated.\nfunc Other() int { return 7 }\n\n// Add adds one",
    )
    ids = {m.id for m in mutants_of(GO_FILE, "go")}
    assert ids == {m.id for m in mutants_of(moved, "go")}  # Other is outside the answer region
    assert "comparison: c.n > 2 -> c.n >= 2 #1" in ids
