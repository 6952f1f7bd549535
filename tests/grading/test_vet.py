"""Vetting rules (twinbook.runner.vet), one by one: what an answer may and may not do.

No sandbox runs here: these are fast. The hostile suites check the same rules end to end."""

import pytest

from tests.repo import ROOT
from twinbook.exercises.model import ExerciseError, find_exercises
from twinbook.exercises.notebook import go_answer_file
from twinbook.runner.check import answer_source, check_source
from twinbook.runner.vet import vet

POOL = "01-worker-pool"
LIMITER = "04-rate-limiter"


@pytest.mark.parametrize("tree", ["solutions", "exercises"])
def test_every_real_solution_and_stub_is_accepted(tree):
    checked = 0
    for ex in find_exercises(ROOT / tree):
        for lang, spec in ex.languages.items():
            assert vet(ex, lang, answer_source(spec)) == [], f"{ex.id} {lang} ({tree})"
            checked += 1
    assert checked >= 8


ACCEPTED_PYTHON = {
    "private attributes on self": (
        LIMITER,
        """
import threading


class Limiter:
    def __init__(self, rate, burst, clock):
        self._lock = threading.Lock()
        self._clock = clock

    def allow(self):
        with self._lock:
            return self._clock() >= 0
""",
    ),
    "a Thread subclass calling super().__init__": (
        POOL,
        """
import threading


class Worker(threading.Thread):
    def __init__(self, fn, item):
        super().__init__(daemon=True)
        self.fn, self.item, self.value = fn, item, None

    def run(self):
        self.value = self.fn(self.item)

    def __repr__(self):
        return f"Worker({self.item!r})"


def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError("{} is too small".format(limit))
    workers = [Worker(fn, x) for x in items]
    for w in workers:
        w.start()
        w.join()
    return [w.value for w in workers]
""",
    ),
    "concurrent.futures, typing, isinstance, except with a library class": (
        POOL,
        """
from __future__ import annotations

import concurrent.futures
import queue
from concurrent.futures import ThreadPoolExecutor
from typing import Callable


def map_limited(fn: Callable, items, limit: int) -> list:
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"bad limit {limit}")
    try:
        queue.Queue().get_nowait()
    except queue.Empty:
        pass
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fn, x) for x in items]
        concurrent.futures.wait(futures)
        return [f.result() for f in futures]
""",
    ),
    "time.monotonic as a default clock, type(x), a class with __iter__/__next__": (
        LIMITER,
        """
import time


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n == 0:
            raise StopIteration
        self.n -= 1
        return self.n


class Limiter:
    def __init__(self, rate, burst, clock=time.monotonic):
        self.clock = clock
        self.kind = type(rate).__name__

    def allow(self):
        return sum(Countdown(3)) == 3
""",
    ),
    "NamedTuple, Generic and exception classes": (
        POOL,
        """
import typing

T = typing.TypeVar("T")


class Pair(typing.NamedTuple):
    left: int
    right: int = 0


class Box(typing.Generic[T]):
    pass


class Boom(Exception):
    def __str__(self):
        return "boom"
""",
    ),
    "variables named like modules are just variables": (
        POOL,
        """
def map_limited(fn, items, limit):
    code, types, signal, select = 200, [int], None, []
    return [fn(x) for x in items]
""",
    ),
    "a syntax error is left for the tests to report": (POOL, "def map_limited(:\n"),
}


@pytest.mark.parametrize("name", ACCEPTED_PYTHON)
def test_python_idioms_are_accepted(name, exercises):
    exercise, source = ACCEPTED_PYTHON[name]
    assert vet(exercises[exercise], "python", source) == []


REJECTED_PYTHON = {
    "import outside the allowlist": (
        "import json\n",
        "line 1: import of 'json' is not allowed here (allowed: ",
    ),
    "from-import outside the allowlist": (
        "from os import path\n",
        "line 1: import of 'os' is not allowed here",
    ),
    "relative import": ("from . import answer\n", "line 1: relative imports are not allowed"),
    "star import": ("from threading import *\n", "'from threading import *' is not allowed"),
    "private import": (
        "from threading import _shutdown\n",
        "importing the private name '_shutdown'",
    ),
    "private module": (
        "import concurrent.futures._base\n",
        "importing the private module 'concurrent.futures._base'",
    ),
    "dunder module": ("import concurrent.futures.__main__\n", "importing the private module"),
    "a forbidden module behind an allowed one": (
        "from concurrent.futures import process\nctx = process.mp.get_context\n",
        "the attribute mp is not allowed",
    ),
    "module re-exported by an allowed one": (
        "import typing\nc = typing.collections.deque\n",
        "typing.collections is the module collections, which is not allowed here",
    ),
    "allowed module re-exported, used as a value": (
        "import queue\nt = queue.threading\n",
        "the module queue.threading may only be used as queue.threading.<name>",
    ),
    "module bound to a name": (
        "import threading\nt = threading\n",
        "the module threading may only be used as",
    ),
    "rebinding an import": (
        "import threading\nthreading = None\n",
        "the imported name threading may not be reassigned",
    ),
    "import name as an argument": (
        "import time\ndef f(time): pass\n",
        "the imported name time may not be reused",
    ),
    "eval": ("x = eval('1')\n", "line 1: eval is not allowed"),
    "exec": ("exec('x = 1')\n", "exec is not allowed"),
    "compile": ("c = compile('1', 'f', 'eval')\n", "compile is not allowed"),
    "getattr": ("getattr(object, 'x')\n", "getattr is not allowed"),
    "setattr": ("setattr(object, 'x', 1)\n", "setattr is not allowed"),
    "globals": ("g = globals()\n", "globals is not allowed"),
    "vars": ("v = vars()\n", "vars is not allowed"),
    "open": ("open('x')\n", "open is not allowed"),
    "breakpoint": ("breakpoint()\n", "breakpoint is not allowed"),
    "input": ("input()\n", "input is not allowed"),
    "help": ("help(str)\n", "help is not allowed"),
    "quit": ("quit()\n", "quit is not allowed"),
    "__import__": ("__import__('os')\n", "the name __import__ is not allowed"),
    "__builtins__": ("b = __builtins__\n", "the name __builtins__ is not allowed"),
    "__class__": ("c = (1).__class__\n", "the attribute __class__ is not allowed"),
    "__dict__": (
        "class A:\n    pass\n\n\nd = A.__dict__\n",
        "the attribute __dict__ is not allowed",
    ),
    "storing a safe dunder": (
        "def f(): pass\nf.__name__ = 'g'\n",
        "the attribute __name__ is not allowed",
    ),
    "__eq__": (
        "class A:\n    def __eq__(self, o):\n        return True\n",
        "defining __eq__ is not allowed",
    ),
    "__hash__": (
        "class A:\n    def __hash__(self):\n        return 0\n",
        "defining __hash__ is not allowed",
    ),
    "__bool__": (
        "class A:\n    def __bool__(self):\n        return True\n",
        "defining __bool__ is not allowed",
    ),
    "__getattr__": (
        "class A:\n    def __getattr__(self, n):\n        return 1\n",
        "defining __getattr__",
    ),
    "dunder in a class body": (
        "class A:\n    __eq__ = lambda s, o: True\n",
        "the name __eq__ is not allowed",
    ),
    "dunder string": ("x = {'__eq__': 1}\n", "the string mentions __eq__"),
    "three-argument type": ("T = type('T', (), {})\n", "type is only allowed as type(x)"),
    "type as a value": ("t = type\n", "type is only allowed as type(x)"),
    "metaclass": (
        "class A(metaclass=abc):\n    pass\n",
        "class keywords (metaclass=...) are not allowed",
    ),
    "private attribute on a library object": (
        "import threading\nthreading.Thread()._target\n",
        "the private attribute _target is only allowed on self or cls",
    ),
    "attribute named os": ("def f(x):\n    return x.os\n", "the attribute os is not allowed"),
    "attribute named sys": (
        "def f(x):\n    return x.sys.modules\n",
        "the attribute sys is not allowed",
    ),
    "frame attributes": (
        "def f(g):\n    return g.gi_frame.f_globals\n",
        "the attribute gi_frame is not allowed",
    ),
    "code attributes": (
        "def f(c):\n    return c.co_consts\n",
        "the attribute co_consts is not allowed",
    ),
    "traceback attributes": (
        "def f(t):\n    return t.tb_frame\n",
        "the attribute tb_frame is not allowed",
    ),
    "settrace": (
        "import threading\nthreading.settrace(print)\n",
        "the attribute settrace is not allowed",
    ),
    "excepthook": (
        "import threading\nthreading.excepthook = print\n",
        "the attribute excepthook is not allowed",
    ),
    "mro": ("x = int.mro()\n", "the attribute mro is not allowed"),
    "format on a variable": (
        "s = '{0}'\nt = s.format(1)\n",
        "str.format is only allowed on a string literal",
    ),
    "format reaching into attributes": (
        "t = '{0.real}'.format(1)\n",
        "the format field {0.real} reaches into",
    ),
    "format_map": ("t = '{x}'.format_map({})\n", "the attribute format_map is not allowed"),
    "assigning to a library": (
        "import time\ntime.sleep = print\n",
        "assigning to time.sleep would change a library",
    ),
    "assigning through an alias": (
        "import threading\nT = threading.Thread\nT.run = print\n",
        "assigning to T.run would change a library",
    ),
    "deleting from a library": (
        "import threading\ndel threading.Lock\n",
        "assigning to threading.Lock would change",
    ),
    "overriding a library method": (
        "import threading\nclass W(threading.Thread):\n    def is_alive(self):\n"
        "        return False\n",
        "W.is_alive overrides Thread.is_alive",
    ),
    "overriding through a subclass of a subclass": (
        "import threading\nclass A(threading.Thread):\n    pass\nclass B(A):\n    def join(self, timeout=None):\n"
        "        pass\n",
        "B.join overrides Thread.join",
    ),
    "overriding a builtin's method": (
        "class L(list):\n    def __iter__(self):\n        return iter([])\n",
        "L.__iter__ overrides list.__iter__",
    ),
    "overriding through an alias": (
        "Base = list\nclass L(Base):\n    def __iter__(self):\n        return iter([])\n",
        "L.__iter__ overrides list.__iter__",
    ),
    "overriding with a class attribute": (
        "import threading\nclass W(threading.Thread):\n    join = print\n",
        "W.join overrides Thread.join",
    ),
    "a computed base": (
        "def pick():\n    return list\nclass L(pick()):\n    pass\n",
        "the base class pick() must be a class named directly",
    ),
    "a banned name imported by name": (
        "from typing import get_type_hints\n",
        "the attribute get_type_hints is not allowed",
    ),
    "a hook imported by name": (
        "from threading import settrace\n",
        "the attribute settrace is not allowed",
    ),
    "a dunder imported by name": (
        "from threading import __builtins__\n",
        "the attribute __builtins__ is not allowed",
    ),
    "a dunder read by a class pattern": (
        "match 1:\n    case object(__class__=c):\n        pass\n",
        "the attribute __class__ is not allowed",
    ),
    "a frame read by a class pattern": (
        "def f(g):\n    match g:\n        case object(gi_frame=fr):\n            return fr\n",
        "the attribute gi_frame is not allowed",
    ),
    "a private name read by a class pattern": (
        "match 1:\n    case object(_x=v):\n        pass\n",
        "the private attribute _x is only allowed on self or cls",
    ),
    "full-width letters are the same name": (
        "x = (1).__\uff43lass__\n",
        "the attribute __class__ is not allowed",
    ),
    "SystemExit": ("raise SystemExit\n", "SystemExit is not allowed"),
    "KeyboardInterrupt": ("raise KeyboardInterrupt\n", "KeyboardInterrupt is not allowed"),
    "too deep to parse": ("x = " + "-" * 200_000 + "1\n", "cannot be parsed"),
    "too long": ("x = 1\n" * 60_000, "the answer is too long"),
}


@pytest.mark.parametrize("name", REJECTED_PYTHON)
def test_python_rules_reject(name, exercises):
    source, want = REJECTED_PYTHON[name]
    reasons = vet(exercises[POOL], "python", source)
    assert any(want in r for r in reasons), f"{reasons} has nothing like {want!r}"


def test_python_a_refused_line_is_refused_once(exercises):
    # the vetter and the restricted subset both refuse dunder attributes: one reason each
    source = (
        "class Consumer:\n"
        "    def __init__(self, window):\n"
        "        for c in ().__class__.__base__.__subclasses__():\n"
        "            os = c.__init__.__globals__['os']\n"
    )
    reasons = vet(exercises[POOL], "python", source)
    assert sorted(reasons) == [
        "line 3: the attribute __base__ is not allowed",
        "line 3: the attribute __class__ is not allowed",
        "line 3: the attribute __subclasses__ is not allowed",
        "line 4: the attribute __globals__ is not allowed",
    ]


def test_python_reasons_are_capped(exercises):
    source = "".join(f"import mod{i}\n" for i in range(20))
    reasons = vet(exercises[POOL], "python", source)
    assert len(reasons) == 9 and reasons[-1] == "... and 12 more"


def test_an_exercise_may_allow_a_module(exercises):
    # the rate limiter allows math; the worker pool does not
    assert vet(exercises[LIMITER], "python", "import math\nx = math.inf\n") == []
    assert vet(exercises[POOL], "python", "import math\nx = math.inf\n")


GO_HEAD = 'import (\n\t"context"\n\t"fmt"\n)\n\nvar _ = context.Background\nvar _ = fmt.Sprint\n'

REJECTED_GO = {
    "os": (
        'import "os"\n\nvar _ = os.Exit\n',
        'import "os" is not allowed here (allowed: context, errors, fmt, sync, sync/atomic)',
    ),
    "goimports adds what the code uses": (
        "var _ = exec.Command\n",
        'import "os/exec" is not allowed here',
    ),
    "syscall": (
        'import "syscall"\n\nvar _ = syscall.Getpid\n',
        'import "syscall" is not allowed here',
    ),
    "unsafe": (
        'import "unsafe"\n\nvar _ = unsafe.Sizeof(0)\n',
        'import "unsafe" is not allowed here',
    ),
    "reflect": (
        'import "reflect"\n\nvar _ = reflect.TypeOf\n',
        'import "reflect" is not allowed here',
    ),
    "runtime": (
        'import "runtime"\n\nvar _ = runtime.Goexit\n',
        'import "runtime" is not allowed here',
    ),
    "runtime/debug": (
        'import "runtime/debug"\n\nvar _ = debug.SetGCPercent\n',
        'import "runtime/debug" is not allowed',
    ),
    "testing": (
        'import "testing"\n\nvar _ = testing.Short\n',
        'import "testing" is not allowed here',
    ),
    "net": ('import "net"\n\nvar _ = net.Dial\n', 'import "net" is not allowed here'),
    "plugin": ('import "plugin"\n\nvar _ = plugin.Open\n', 'import "plugin" is not allowed here'),
    "cgo": ('// #include <stdio.h>\nimport "C"\n', 'cgo (import "C") is not allowed'),
    "linkname": (
        "//go:linkname now time.now\nfunc now() (int64, int32, int64)\n",
        "compiler directive //go:linkname",
    ),
    "any directive": (
        "//go:noinline\nfunc f() {}\n",
        "compiler directive //go:noinline is not allowed",
    ),
    "init": ("func init() {}\n", "func init is not allowed"),
}

# Rules the package boundary made redundant (see twinbook.runner.gorunner): the vetter lets
# these through and the compiler or the separate packages do the job.
UNDEFINED_GO = {
    "a visible test helper": ("var c = callMapLimited\n", "undefined: callMapLimited"),
    "a hidden test's data": ("var e = errBoom\n", "undefined: errBoom"),
    "a test function": ("var f = TestEmptyItems\n", "undefined: TestEmptyItems"),
    "the harness": ("var h = TestTwinbookHarness\n", "undefined: TestTwinbookHarness"),
}
HARMLESS_GO = {
    "TestMain": "func TestMain() {}\n",
    "shadowed predeclared": "func recover() any { return nil }\n",
    "reserved name": "var twinbookEvents = 1\n",
}


@pytest.mark.parametrize("name", UNDEFINED_GO)
def test_go_test_names_are_undefined_in_the_answer(name, exercises):
    """Accepted by vetting, then the compiler finds no such name: the tests are another package."""
    source, want = UNDEFINED_GO[name]
    ex = exercises[POOL]
    answer = go_answer_file([GO_HEAD, source])
    assert vet(ex, "go", answer) == []
    result = check_source(answer, ex, "go", hidden=True)
    assert result.results and all(r.outcome == "error" for r in result.results), result
    assert all(want in r.message for r in result.results), result.results[0].message


@pytest.mark.parametrize("name", HARMLESS_GO)
def test_go_answer_names_stay_in_the_answer_package(name, exercises):
    """A recover, a TestMain or a twinbook* name of the answer's own changes nothing for the
    tests: the solution with it still passes every visible and hidden test."""
    ex = exercises[POOL]
    answer = answer_source(ex.lang("go")) + "\n" + HARMLESS_GO[name]
    assert vet(ex, "go", answer) == []
    result = check_source(answer, ex, "go", hidden=True)
    assert result.results and all(r.passed for r in result.results), result


@pytest.mark.parametrize("name", REJECTED_GO)
def test_go_rules_reject(name, exercises):
    source, want = REJECTED_GO[name]
    reasons = vet(exercises[POOL], "go", go_answer_file([GO_HEAD, source]))
    assert any(want in r for r in reasons), f"{reasons} has nothing like {want!r}"


def test_go_undefined_names_are_left_to_the_compiler(exercises):
    assert vet(exercises[POOL], "go", go_answer_file([GO_HEAD, "var n = undefinedThing\n"])) == []


def test_go_clean_answer_is_accepted(exercises):
    assert (
        vet(
            exercises[POOL],
            "go",
            go_answer_file([GO_HEAD, "func helper() int { len := 2; return len }\n"]),
        )
        == []
    )


def test_vet_rejects_an_unknown_language(exercises):
    with pytest.raises(ExerciseError, match=r"has no \[rust\] table"):
        vet(exercises[POOL], "rust", "fn main() {}")
