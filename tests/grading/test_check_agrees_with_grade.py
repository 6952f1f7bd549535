"""A learner's check and the grader refuse the same answers, rule by rule (issue 10, point 1).

The rules are read from the code, not listed here: every place where vetting
(:mod:`twinbook.runner.vet`), the restricted subset (:mod:`twinbook.runner.restricted.policy`)
or the Go vetter (``go/cmd/answervet``) rejects an answer, and every name of the policy's
lists (refused builtins, attributes, module names). Each rule needs an example below that
breaks it; a new rule without one fails :func:`test_every_rule_has_an_example`. For each
example, the verdicts of every way to check (``twinbook check`` / ``watch`` through
:func:`check_source`, the Python kernel's check cell through :func:`check_namespace`,
GoNB's through :func:`check_gonb`) and of the grader (:func:`grade_answer`) must agree.
"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import pytest

from tests.repo import ROOT
from twinbook.exercises.results import DOES_NOT_COMPILE, TestResult
from twinbook.grading.backend import backend
from twinbook.grading.grade import REJECTED, grade_answer
from twinbook.runner import restricted
from twinbook.runner import vet as vet_module
from twinbook.runner.check import check_gonb, check_namespace, check_source
from twinbook.runner.restricted import policy

POOL = "01-worker-pool"
VET = ROOT / "python/src/twinbook/runner/vet.py"
POLICY = ROOT / "python/src/twinbook/runner/restricted/policy.py"
ANSWERVET = ROOT / "go/cmd/answervet/main.go"


def _literal(message: ast.expr) -> str:
    """A message's fixed text, ``…`` where a value goes in."""
    if isinstance(message, ast.Constant):
        return str(message.value)
    if isinstance(message, ast.JoinedStr):
        return "…".join(str(v.value) for v in message.values if isinstance(v, ast.Constant))
    return "…"  # computed: a refused_name / refused_attribute reason


def _python_sites(path: Path, method: str) -> list[str]:
    """``function: message`` for each ``self.<method>(node, message)`` in ``path``."""
    sites = []
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == method
                and len(node.args) == 2
            ):
                sites.append(f"{fn.name}: {_literal(node.args[1])}")
    return sites


def _early_returns(path: Path) -> list[str]:
    """Reasons returned before the rule walk (size, parse): ``return ("...",)``."""
    sites = []
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(fn, ast.FunctionDef) and fn.name.startswith("_vet_"):
            for node in ast.walk(fn):
                if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                    if node.value.elts:
                        sites.append(f"{fn.name}: {_literal(node.value.elts[0])}")
    return sites


def python_rules() -> list[str]:
    return sorted(
        {
            *(f"vet {s}" for s in _python_sites(VET, "reject")),
            *(f"vet {s}" for s in _early_returns(VET)),
            *(f"policy {s}" for s in _python_sites(POLICY, "error")),
        }
    )


def go_rules() -> list[str]:
    text = ANSWERVET.read_text(encoding="utf-8")
    calls = re.findall(r'(?:add\([^,]+,|Sprintf\()\s*"((?:[^"\\]|\\.)*)"', text)
    return sorted({f"answervet: {c}" for c in calls if c != "line %d: %s"})


#: what breaks each rule; the worker pool allows threading, concurrent.futures, queue,
#: time, typing and collections.abc (Python) and context, errors, fmt, sync, sync/atomic (Go)
PYTHON_EXAMPLES = {
    "vet load: importing the private module … is not allowed": "import concurrent.futures._base\n",
    "vet load: import of … is not allowed here (allowed: …)": "import math\n",
    "vet check_import: relative imports are not allowed": "from . import sibling\n",
    "vet check_import: 'from … import *' is not allowed: import the names you use": (
        "from threading import *\n"
    ),
    "vet check_import: importing the private name … is not allowed": (
        "from threading import _shutdown\n"
    ),
    "vet check_import:  is the module …, which is not allowed here": (
        "from typing import collections\n"
    ),
    "vet check_identifier: the … … is not allowed (no dunder names)": (
        "def f(__x__):\n    return 1\n"
    ),
    "vet visit_Name: the name … is not allowed (no dunder names)": "x = __builtins__\n",
    "vet visit_Name:  is not allowed": "x = eval\n",
    "vet visit_Name: type is only allowed as type(x) (or in an annotation)": (
        "X = type('X', (), {})\n"
    ),
    "vet visit_Name: the imported name … may not be reassigned": (
        "import threading\n\nthreading = 1\n"
    ),
    "vet visit_Name: the module … may only be used as ….<name>, not as a value": (
        "import threading\n\nt = threading\n"
    ),
    "vet visit_arg: the imported name … may not be reused as an argument": (
        "import threading\n\n\ndef f(threading):\n    return 1\n"
    ),
    "vet visit_FunctionDef: defining … is not allowed (allowed special methods: …)": (
        "class A:\n    def __eq__(self, other):\n        return True\n"
    ),
    "vet visit_FunctionDef: a function may not be named ": "def open():\n    return 1\n",
    "vet visit_ClassDef: class keywords (metaclass=...) are not allowed": (
        "class A(object, flavour=1):\n    pass\n"
    ),
    "vet visit_ClassDef: the base class … must be a class named directly (a builtin, an "
    "imported class or one of yours)": (
        "def base():\n    return object\n\n\nclass A(base()):\n    pass\n"
    ),
    "vet visit_ClassDef: .… overrides ….…, which the tests may call on your objects": (
        "import threading\n\n\nclass T(threading.Thread):\n"
        "    def is_alive(self):\n        return True\n"
    ),
    "vet visit_ExceptHandler: the imported name … may not be reassigned": (
        "import threading\n\ntry:\n    pass\nexcept Exception as threading:\n    pass\n"
    ),
    "vet attribute_name_ok: the attribute … is not allowed": "x = (1).__class__\n",
    "vet attribute_name_ok: the private attribute … is only allowed on self or cls": (
        "def f(o):\n    return o._x\n"
    ),
    "vet visit_Attribute: assigning to … would change a library for everyone": (
        "import threading\n\nthreading.Thread.name = 1\n"
    ),
    "vet visit_Attribute:  is the module …, which is not allowed here": (
        "import typing\n\nc = typing.collections.deque\n"
    ),
    "vet visit_Attribute: the module … may only be used as ….<name>": (
        "import queue\n\nt = queue.threading\n"
    ),
    "vet check_format: str.format is only allowed on a string literal: use an f-string": (
        "def f(s):\n    return s.format(1)\n"
    ),
    "vet check_format: the format field {…} reaches into attributes or items": (
        "x = '{0.real}'.format(1)\n"
    ),
    "vet visit_Constant: the string mentions …, which is not allowed": "x = 'a __class__ b'\n",
    "vet _vet_python: the answer is too long (… characters; at most …)": "x = 1\n" * 60_000,
    "vet _vet_python: the answer cannot be parsed (…): it is nested too deeply or holds a null "
    "byte": "x = " + "-" * 200_000 + "1\n",
    "vet _vet_go: the answer is too long (… characters; at most …)": None,  # Go: below
    "policy check_name: …": "def f():\n    __x = 1\n    return __x\n",
    'policy check_name: "…" is a reserved name': "builtins = 1\n",
    'policy visit_Constant: the string "…" is not allowed: it names a dunder': "x = '__eq__'\n",
    'policy visit_keyword: the keyword argument "…" is not allowed: it starts with "_"': (
        "def f(**k):\n    return k\n\n\nf(_x=1)\n"
    ),
    "policy visit_Attribute: …": "def f(o):\n    return o.__x\n",
    'policy _check_def: the function name "…" is not allowed outside a class': (
        "def __eq__(a, b):\n    return True\n"
    ),
    'policy _check_def: defining "…" is not allowed (the methods with dunder names an answer '
    "may define: …)": "class A:\n    def __hash__(self):\n        return 1\n",
    "policy visit_ClassDef: class keywords (metaclass=...) are not allowed": (
        "class A(object, flavour=1):\n    pass\n"
    ),
    "policy visit_MatchClass: in a class pattern, ": (
        "def f(p):\n    match p:\n        case int(_x=1):\n            return 1\n"
    ),
}
#: rules a source cannot reach (a defence against the vetter's own recursion limit)
UNREACHABLE = {"vet _vet_python: the answer is nested too deeply to vet"}

GO_EXAMPLES = {
    "answervet: the answer must be package main, not package %s": "package other\n\nfunc F() {}\n",
    'answervet: cgo (import \\"C\\") is not allowed': (
        'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n'
    ),
    "answervet: import %q is not allowed here (allowed: %s)": (
        'package main\n\nimport "os"\n\nvar _ = os.Exit\n\nfunc main() {}\n'
    ),
    "answervet: compiler directive %s is not allowed": (
        "package main\n\n//go:noinline\nfunc f() {}\n\nfunc main() {}\n"
    ),
    "answervet: func init is not allowed (it runs before the tests)": (
        "package main\n\nfunc init() {}\n\nfunc main() {}\n"
    ),
    "answervet: syntax error: %s": "package main\n\nfunc main() {\n",
    # goimports adds the import for time.Now(): the learner never wrote that line
    "goimports adds what the code uses": (
        "package main\n\nfunc F() int64 { return time.Now().Unix() }\n\nfunc main() {}\n"
    ),
    "vet _vet_go: the answer is too long (… characters; at most …)": (
        "package main\n\n" + "var _ = 1\n" * 30_000
    ),
}


def _pattern(rule: str) -> re.Pattern[str]:
    """The message a rule gives, from its key (``…`` and ``%s`` stand for values)."""
    text = rule.split(": ", 1)[1]
    text = text.replace('\\"', '"')
    parts = re.split(r"…|%[sdq]", text)
    return re.compile(".*".join(re.escape(p) for p in parts), re.S)


def list_rules() -> list[tuple[str, str]]:
    """One example per name of the policy's lists: ``(rule, source)``."""
    names = sorted(n for n in dir(builtins) if policy.refused_builtin(n))
    cases = [(f"builtin {n}", f"x = {n}\n") for n in names]
    attributes = policy.REFUSED_ATTRIBUTES | policy.FRAME_ATTRIBUTES | vet_module.BANNED_ATTRS
    cases += [(f"attribute {a}", f"def f(o):\n    return o.{a}\n") for a in sorted(attributes)]
    cases += [
        (f"module attribute {m}", f"def f(o):\n    return o.{m}\n")
        for m in sorted(policy.DANGEROUS_MODULES)
    ]
    return cases


def test_every_rule_has_an_example():
    python = {r for r, src in PYTHON_EXAMPLES.items() if src is not None} | UNREACHABLE
    go = set(GO_EXAMPLES)
    go_size = "vet _vet_go: the answer is too long (… characters; at most …)"
    assert set(python_rules()) - {go_size} <= python
    assert go_size in go
    assert set(go_rules()) <= go
    assert len(list_rules()) > 80  # builtins, attributes, module names: read from the policy


class _NoRun:
    """The grader's backend with vetting and no sandbox: a test run would mean the
    grader accepted the answer."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self, exercise, lang, answer, suite, **kwargs):
        self.ran = True
        return [TestResult(t, "passed") for t in exercise.lang(lang).expected(hidden=False)]


def _grade_rejects(exercise, lang: str, source: str) -> bool:
    real = backend()
    run = _NoRun()
    be = type(real)(run, real.vet, real.Limits, "none")
    result = grade_answer(be, exercise, lang, source, limits=real.Limits(), slot=0)
    assert (result.status == REJECTED) != run.ran, result
    return result.status == REJECTED


def _refused(result) -> bool:
    return bool(result.problem) and result.problem.startswith(DOES_NOT_COMPILE)


PY_CASES = [
    *((r, s) for r, s in PYTHON_EXAMPLES.items() if s is not None),
    *list_rules(),
]


@pytest.mark.parametrize(("rule", "source"), PY_CASES, ids=[r for r, _ in PY_CASES])
def test_python_check_and_grade_agree(rule, source, exercises):
    ex = exercises[POOL]
    reasons = vet_module.vet(ex, "python", source)
    assert reasons, f"{rule}: the example is accepted"
    if rule in PYTHON_EXAMPLES:
        # the rule is reached; vet words a refusal once, the vetter's words before the
        # restricted subset's when both refuse the same thing
        said = reasons
        if rule.startswith("policy "):
            said = reasons + list(restricted.compile_answer(source, "answer.py").errors)
        assert any(_pattern(rule).search(r) for r in said), (rule, said)
    assert _grade_rejects(ex, "python", source)
    assert _refused(check_source(source, ex, "python", cells=[source]))  # twinbook check, watch
    assert _refused(check_namespace({}, ex, answer_cells=[source]))  # the kernel's check cell


@pytest.mark.parametrize("rule", GO_EXAMPLES)
def test_go_check_and_grade_agree(rule, exercises, tmp_path):
    ex = exercises[POOL]
    source = GO_EXAMPLES[rule]
    reasons = vet_module.vet(ex, "go", source)
    assert reasons, f"{rule}: the example is accepted"
    if rule.startswith("answervet"):
        assert any(_pattern(rule).search(r) for r in reasons), (rule, reasons)
    assert _grade_rejects(ex, "go", source)
    checked = check_source(source, ex, "go", cells=[source])
    assert _refused(checked)
    (tmp_path / "main.go").write_text(source)  # GoNB's program holding the same answer
    gonb = check_gonb(ex.lang("go").test_dir, tmp_path)
    assert _refused(gonb)
    if rule == "goimports adds what the code uses":
        # the line the learner wrote, not the import goimports (or GoNB) generated
        assert checked.problem.startswith(
            'does not compile: answer cell, line 3 (uses the package "time"): import "time"'
        ), checked.problem
        assert gonb.problem.startswith(
            "does not compile: in func F, `func F() int64 { return time.Now().Unix() }`"
        ), gonb.problem


ACCEPTED = {
    "type(x)": "def kind(x):\n    return type(x).__name__\n",
    "type[X] in an annotation": "class Base:\n    pass\n\n\ndef make(cls: type[Base]) -> Base:\n    return cls()\n",
    "bare type as a return annotation": "def kind(x: object) -> type:\n    return type(x)\n",
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_what_the_grader_accepts_the_check_accepts(name, exercises):
    from twinbook.runner.precheck import python_problem

    ex = exercises[POOL]
    assert not _grade_rejects(ex, "python", ACCEPTED[name])
    assert python_problem(ex, [ACCEPTED[name]]) == ""


def test_a_kernels_own_builtins_do_not_change_the_verdict(monkeypatch, exercises):
    """The check cell vets inside the kernel, whose builtins IPython extends (``display``,
    ``get_ipython``); the grader's process has none of them: the same source, one verdict."""
    source = "def show(display, get_ipython, _):\n    return display\n"
    before = vet_module._vet_python.__wrapped__(source, ())
    monkeypatch.setattr(builtins, "display", lambda *a: None, raising=False)
    monkeypatch.setattr(builtins, "get_ipython", lambda: None, raising=False)
    monkeypatch.setattr(builtins, "_", len, raising=False)
    assert vet_module._vet_python.__wrapped__(source, ()) == before == ()
