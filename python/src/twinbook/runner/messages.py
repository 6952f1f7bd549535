"""Failure messages a learner can read without knowing the harness or pytest.

The exercises' tests say what they expected in the exercise's terms (their assertion
messages). What reaches a learner from elsewhere is the harness's or pytest's own words:
``AttributeError: 'Breaker' is not defined: ...`` when the answer lacks a name the tests
use, ``Failed: DID NOT RAISE <class 'ValueError'>`` from a bare ``pytest.raises``,
``RuntimeError: the answer did not load: ...``. :func:`explain` rewrites those into what
was expected and what happened; other messages pass unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from twinbook.exercises.results import CheckResult

_REWRITES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(
            r"^(?:RuntimeError: )?(?:the answer did not load: )?AttributeError: "
            r"'(?P<name>\w+)' is not defined: write it in the answer cell and run that cell"
        ),
        lambda m: (
            f"the tests use {m['name']}, but your answer does not define it: "
            "write it in the answer cell and run that cell"
        ),
    ),
    (
        re.compile(
            r"^(?:Failed: )?DID NOT RAISE (?:<class '(?:\w+\.)*(?P<cls>\w+)'>|(?P<name>\w+))"
        ),
        lambda m: (
            f"expected {m['cls'] or m['name']} to be raised, but the call returned "
            "without raising it"
        ),
    ),
    (
        re.compile(r"^RuntimeError: the answer did not load: (?P<error>.*)", re.S),
        lambda m: f"running your answer cells failed before any test could use them: {m['error']}",
    ),
]


def explain(message: str) -> str:
    """``message`` in the exercise's terms, when it is one of the harness's raw messages."""
    for pattern, rewrite in _REWRITES:
        match = pattern.match(message)
        if match:
            return rewrite(match) + message[match.end() :]
    return message


def explained(result: CheckResult) -> CheckResult:
    """``result`` with every failure message explained (:func:`explain`), in place."""
    for test in result.results:
        if not test.passed and test.message:
            test.message = explain(test.message)
    return result


# --- Go's race detector ------------------------------------------------------------------------

#: how every data-race failure starts (the learner's check relocates what follows it)
DATA_RACE = (
    "a data race: two goroutines used shared state at the same time without a lock "
    "(or a channel, or sync/atomic) between them"
)


def data_race(accesses: list[str]) -> str:
    """The failure of a test during which Go's race detector saw a data race: what a race
    is, in the learner's words, and the two conflicting accesses from the detector's
    report (``a write in (*Counter).Inc (answer.go:10)``), not the report itself."""
    if not accesses:
        return DATA_RACE
    return f"{DATA_RACE}; the race detector saw {' and '.join(accesses)}"


def no_c_compiler(compiler: str) -> str:
    """Why a Go check cannot run on a machine without a C compiler."""
    return (
        "the Go tests run under the race detector (go test -race), which needs a C compiler, "
        f"and {compiler!r} was not found on PATH: install one (Debian or Ubuntu: "
        "sudo apt-get install gcc libc6-dev; Fedora: sudo dnf install gcc glibc-devel; "
        "macOS: xcode-select --install), then check again"
    )


def no_c_headers(header: str) -> str:
    """Why a Go check's build failed on a machine with a C compiler but no C library headers."""
    return (
        "the Go tests run under the race detector (go test -race), which compiles some C, "
        f"and the C library's header {header} was not found: install the C library's "
        "development files (Debian or Ubuntu: sudo apt-get install libc6-dev; Fedora: "
        "sudo dnf install glibc-devel; macOS: xcode-select --install), then check again"
    )
