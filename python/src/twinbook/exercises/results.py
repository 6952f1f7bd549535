"""Per-test results and the check report, the same for Python and Go."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OUTCOMES = ("passed", "failed", "skipped", "error")
DID_NOT_RUN = "did not run"
#: what a check's messages start with when the answer did not get to run: it does not
#: parse or compile, or it uses what answers may not (the grader refuses it before running)
DOES_NOT_COMPILE = "does not compile"
PASS_MARK, FAIL_MARK = "✓", "✗"


@dataclass
class TestResult:
    """The outcome of one test function: passed, failed, skipped or error."""

    __test__ = False  # not a pytest test class

    name: str
    outcome: str
    message: str = ""  # may span lines; the report shows the first one

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    def first_line(self) -> str:
        for line in self.message.splitlines():
            if line.strip():
                return line.strip()
        return self.outcome


@dataclass
class CheckResult:
    """All expected tests of one check, in the order of the exercise's points table."""

    exercise: str
    language: str
    results: list[TestResult] = field(default_factory=list)
    #: why no test ran, said once (every result carries it too): "does not compile: ..."
    problem: str = ""

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> bool:
        return self.passed == self.total

    def by_name(self) -> dict[str, TestResult]:
        return {r.name: r for r in self.results}

    def report(self) -> str:
        return format_report(self.results, self.problem)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "language": self.language,
            "passed": self.passed,
            "total": self.total,
            "results": [asdict(r) for r in self.results],
            **({"problem": self.problem} if self.problem else {}),
        }


def format_report(results: list[TestResult], problem: str = "") -> str:
    """``✓ name`` / ``✗ name: message`` per test, then ``N/M tests passed``; with a
    ``problem`` (no test ran) that problem once, with every line of it, instead."""
    if problem:
        head, *rest = problem.splitlines() or [problem]
        lines = [f"{FAIL_MARK} {head}", *(f"  {line}" for line in rest if line.strip())]
        lines.append(f"0/{len(results)} tests passed")
        return "\n".join(lines)
    lines = []
    for r in results:
        if r.passed:
            lines.append(f"{PASS_MARK} {r.name}")
        else:
            lines.append(f"{FAIL_MARK} {r.name}: {r.first_line()}")
    passed = sum(r.passed for r in results)
    lines.append(f"{passed}/{len(results)} tests passed")
    return "\n".join(lines)


_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def merge(results: dict[str, TestResult], result: TestResult) -> None:
    """Fold ``result`` into ``results`` by name; the worst outcome and its message win
    (a parametrized Python test or a Go test with subtests is one function)."""
    old = results.get(result.name)
    if old is None or _RANK[result.outcome] > _RANK[old.outcome]:
        results[result.name] = result
    elif result.outcome == old.outcome and not old.message and result.message:
        old.message = result.message


def finalize(
    exercise: str,
    language: str,
    expected: list[str],
    found: dict[str, TestResult],
    missing_message: str = "",
) -> CheckResult:
    """Order results by ``expected``; an expected test with no result failed.

    ``missing_message`` explains why tests did not run (a compile error, a crash, a timeout).
    Results for tests nobody expected are dropped: the points table decides what counts.
    """
    out = []
    for name in expected:
        if name in found:
            out.append(found[name])
        else:
            msg = missing_message or DID_NOT_RUN
            out.append(TestResult(name, "failed", msg))
    return CheckResult(exercise, language, out)


def not_run(exercise: str, language: str, expected: list[str], problem: str) -> CheckResult:
    """The result of a check whose tests did not run because of ``problem`` (said once)."""
    results = [TestResult(name, "error", problem) for name in expected]
    return CheckResult(exercise, language, results, problem)
