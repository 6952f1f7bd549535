"""Vet a learner's answer before the grader runs it.

:func:`vet` returns human-readable reasons to reject an answer (``[]`` accepts it). A
rejected answer scores zero and its feedback names what was rejected. The rules keep the
answer away from the interpreter's and the runtime's internals, so the instructor's tests
and harness, which share the process with it, stay in charge of the results.

**Python** (on the syntax tree from :mod:`ast`):

* imports only from the exercise's ``allowed_imports`` (a module or one of its parent
  packages listed; ``__future__`` always); no relative imports, no ``import *``; an
  imported module, or a module reached through attributes (``concurrent.futures.thread``),
  must itself be allowed, and may only be used as ``module.name``, never as a value
  (no aliasing, no passing it around), and import names may not be rebound;
* no dunder names; no dunder attributes except a few harmless ones (``__init__``,
  ``__name__`` ...); dunder methods only among ``__init__``, ``__repr__``, ``__str__``,
  ``__enter__``/``__exit__``, ``__iter__``/``__next__`` (and async twins), ``__call__``,
  ``__post_init__``: no ``__eq__`` that is always true, no ``__bool__``, ``__class__``,
  ``__getattr__`` ...; no strings that name other dunders;
* no attribute starting with ``_`` except on ``self`` / ``cls`` (checked again at run
  time: see :mod:`twinbook.runner.guard`); no attributes named like dangerous modules
  (``os``, ``sys``, ``subprocess``, ``builtins``, ``gc``, ``inspect`` ...) or that reach
  frames, code or tracing (``f_globals``, ``gi_frame``, ``tb_frame``, ``co_code``,
  ``settrace``, ``excepthook``, ``mro``, ``get_type_hints``, ``attrgetter`` ...);
* no builtin that the restricted subset does not hand out (its allowlist,
  :data:`~twinbook.runner.restricted.policy.SAFE_BUILTIN_NAMES`): no ``eval``, ``exec``,
  ``compile``, ``getattr``/``setattr``/``delattr``/``hasattr``, ``globals``, ``locals``,
  ``vars``, ``dir``, ``open``, ``input``, ``breakpoint``, ``help``, ``exit``/``quit``,
  ``memoryview``, ``SystemExit``, ``KeyboardInterrupt``; ``type`` only as ``type(x)`` or
  in an annotation (``cls: type[Base]``);
  ``str.format`` only on a literal whose fields do not reach into attributes or items;
* no metaclasses or class keywords; no assignment to attributes of imported names;
* class bases must be named classes (a builtin, an imported class or one of the answer's),
  and a class may not redefine what such a base already has (``is_alive`` of a
  ``threading.Thread``, ``__iter__`` of a ``list`` ...) except ``__init__``, ``__repr__``,
  ``__str__``, ``__post_init__`` and ``run``: the tests call those methods on the answer's
  objects and must get the library's behaviour.

Every list these rules use is :mod:`twinbook.runner.restricted.policy`'s, the one source
that the loader's guards read too. The answer must also compile in the restricted subset it
runs in
(:func:`twinbook.runner.restricted.compile_answer`): its refusals are reasons here too, so
that vetting names them with their line before anything runs.

**Go** (``go/cmd/answervet``, on go/parser's syntax tree, after goimports): imports
only from ``allowed_imports`` (so no ``unsafe``, ``os``, ``os/exec``, ``syscall``,
``reflect``, ``runtime``, ``testing``, ``net``, ``plugin`` unless listed; ``import "C"``
only if "C" is), no compiler directive (``//go:linkname``, ``//go:embed``, ``//go:build``
...), no ``func init``, and the file is ``package main``. What the answer may *name* is
not vetted: the answer is compiled as its own package and the tests with the harness as
its external test package (:mod:`twinbook.runner.gorunner`), so the tests' identifiers are
out of the answer's scope by the type system and naming one is a compile error.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import json
import re
import string
import subprocess
import types
from pathlib import Path

from twinbook import _goprograms
from twinbook.exercises.model import Exercise

from . import gorunner, restricted
from .restricted.guards import module_allowed
from .restricted.policy import (
    ALLOWED_DUNDER_ATTRS,
    ALLOWED_DUNDER_DEFS,
    DANGEROUS_MODULES,
    DUNDER,
    FRAME_PREFIXES,
    OVERRIDABLE,
    REFUSED_ATTRIBUTES,
    refused_builtin,
)

MAX_SOURCE = 256 * 1024  # characters
MAX_REASONS = 8

# attribute names that reach frames, tracing, hooks or dynamic attribute access from
# modules an exercise may allow (threading.settrace, typing.get_type_hints ...): the
# restricted subset's list, so vetting and the loader refuse the same names, and format_map
# (the loader guards format strings at run time; vetting refuses the call outright)
BANNED_ATTRS = REFUSED_ATTRIBUTES | {"format_map"}
_DUNDER = DUNDER
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def vet(exercise: Exercise, lang: str, answer_source: str) -> list[str]:
    """Reasons to reject ``answer_source`` (the answer file) for ``exercise``; [] = accepted."""
    spec = exercise.lang(lang)
    if lang == "python":
        return list(_vet_python(answer_source, tuple(spec.allowed_imports)))
    if lang == "go":
        return list(_vet_go(answer_source, tuple(spec.allowed_imports)))
    raise ValueError(f"lang must be 'python' or 'go', got {lang!r}")


def _cap(reasons: list[str]) -> tuple[str, ...]:
    reasons = list(dict.fromkeys(reasons))
    if len(reasons) > MAX_REASONS:
        reasons = reasons[:MAX_REASONS] + [f"... and {len(reasons) - MAX_REASONS} more"]
    return tuple(reasons)


# --- Python -------------------------------------------------------------------------------------


_allowed_module = module_allowed


@functools.lru_cache(maxsize=512)
def _vet_python(source: str, allowed_imports: tuple[str, ...]) -> tuple[str, ...]:
    if len(source) > MAX_SOURCE:
        return (f"the answer is too long ({len(source)} characters; at most {MAX_SOURCE})",)
    try:
        tree = ast.parse(source, "answer.py")
    except SyntaxError:
        return ()  # the tests report the syntax error where the learner expects it
    except (ValueError, MemoryError, RecursionError) as exc:
        return (
            f"the answer cannot be parsed ({type(exc).__name__}): it is nested too deeply or holds a null byte",
        )
    try:
        reasons = _PyVetter(frozenset(allowed_imports)).run(tree)
        # the language subset the answer runs in (the grader's test process refuses the same);
        # what the vetter already refused is not refused a second time in other words
        said = {_refusal(r) for r in reasons}
        reasons += [
            r
            for r in restricted.compile_answer(source, "answer.py").errors
            if _refusal(r) not in said
        ]
        return _cap(reasons)
    except RecursionError:
        return ("the answer is nested too deeply to vet",)


def _refusal(reason: str) -> str:
    """What a reason refuses, however it is worded: 'line 3: the attribute "x" is not
    allowed (...)' and 'line 3: the attribute x is not allowed' refuse the same thing."""
    return reason.replace('"', "").split(" is not allowed", 1)[0]


def _is_record(klass: type) -> bool:
    """A base that class syntax turns into a record (typing.NamedTuple gives tuple)."""
    return klass is tuple


def _class_body_store(node: ast.Name, parent: ast.AST | None, parents: dict[int, ast.AST]) -> bool:
    """``node`` is assigned to directly in a class body (``__slots__ = (...)``)."""
    return (
        isinstance(node.ctx, ast.Store)
        and isinstance(parent, (ast.Assign, ast.AnnAssign))
        and isinstance(parents.get(id(parent)), ast.ClassDef)
    )


class _PyVetter:
    def __init__(self, allowed: frozenset[str]):
        self.allowed = allowed
        self.reasons: list[str] = []
        self.imported: dict[
            str, object
        ] = {}  # name bound by an import -> the object (None: unknown)
        self.aliases: set[str] = set()  # names assigned a library object that is not called
        self.alias_values: dict[
            str, object
        ] = {}  # module-level names bound to a builtin or library class
        self.classes: dict[
            str, list[type]
        ] = {}  # the answer's classes -> the library classes they inherit
        self.parents: dict[int, ast.AST] = {}

    def reject(self, node: ast.AST, message: str) -> None:
        self.reasons.append(f"line {getattr(node, 'lineno', '?')}: {message}")

    def run(self, tree: ast.Module) -> list[str]:
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.check_import(node)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and self.library_value(node.value) is not None:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.aliases.add(target.id)
        for node in tree.body:  # Base = list; class Mine(Base): ...
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                value = (
                    self.builtin_or_library(node.value)
                    if isinstance(node.value, (ast.Name, ast.Attribute))
                    else None
                )
                if isinstance(value, type):
                    self.alias_values[node.targets[0].id] = value
        # classes first, in source order, so that a class's bases are known when it is checked
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                self.visit_ClassDef(node)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                continue
            method = getattr(self, "visit_" + type(node).__name__, None)
            if method is not None:
                method(node)
        return self.reasons

    # imports ------------------------------------------------------------------------

    def allowed_text(self) -> str:
        return ", ".join(sorted(self.allowed)) or "nothing"

    def load(self, module: str, node: ast.AST) -> types.ModuleType | None:
        if any(part.startswith("_") for part in module.split(".")) and module != "__future__":
            self.reject(node, f"importing the private module {module!r} is not allowed")
            return None
        if not _allowed_module(module, self.allowed):
            self.reject(
                node, f"import of {module!r} is not allowed here (allowed: {self.allowed_text()})"
            )
            return None
        try:
            return importlib.import_module(module)
        except Exception:  # noqa: BLE001 - a module that does not exist fails at run time
            return None

    def check_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                module = self.load(alias.name, node)
                if alias.asname:
                    self.imported[alias.asname] = module
                else:
                    top = alias.name.split(".")[0]
                    self.imported[top] = (
                        importlib.import_module(top) if module is not None else None
                    )
            return
        if node.level:
            self.reject(node, "relative imports are not allowed")
            return
        module = self.load(node.module or "", node)
        for alias in node.names:
            if alias.name == "*":
                self.reject(
                    node, f"'from {node.module} import *' is not allowed: import the names you use"
                )
                continue
            if alias.name.startswith("_") and not _DUNDER.fullmatch(alias.name):
                self.reject(node, f"importing the private name {alias.name!r} is not allowed")
            obj = None
            if module is not None:
                full = f"{node.module}.{alias.name}"
                obj = getattr(module, alias.name, None)
                if obj is None and _allowed_module(full, self.allowed):
                    try:
                        obj = importlib.import_module(full)
                    except Exception:  # noqa: BLE001
                        obj = None
                if isinstance(obj, types.ModuleType) and not _allowed_module(
                    obj.__name__, self.allowed
                ):
                    self.reject(
                        node, f"{full} is the module {obj.__name__}, which is not allowed here"
                    )
            if not alias.name.startswith("_") or _DUNDER.fullmatch(alias.name):
                self.attribute_name_ok(
                    node, alias.name, resolved=obj
                )  # from typing import get_type_hints
            self.imported[alias.asname or alias.name] = obj

    def library_value(self, node: ast.AST) -> object | None:
        """The object an attribute chain rooted at an imported name stands for, if known."""
        names = []
        while isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.imported:
            return None
        obj = self.imported[node.id]
        for name in reversed(names):
            if obj is None or not isinstance(obj, (types.ModuleType, type)):
                return None
            obj = getattr(obj, name, None)
        return obj

    # names ----------------------------------------------------------------------------

    def check_identifier(self, node: ast.AST, name: str, what: str) -> None:
        if _DUNDER.fullmatch(name):
            self.reject(node, f"the {what} {name} is not allowed (no dunder names)")

    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        parent = self.parents.get(id(node))
        if name == "__slots__" and _class_body_store(node, parent, self.parents):
            return  # a class's own slots: its strings are vetted like any other
        if _DUNDER.fullmatch(name):
            self.reject(node, f"the name {name} is not allowed (no dunder names)")
            return
        if refused_builtin(name):
            self.reject(node, f"{name} is not allowed")
            return
        if name == "type":
            ok = (
                isinstance(parent, ast.Call)
                and parent.func is node
                and len(parent.args) == 1
                and not parent.keywords
            ) or self.in_annotation(node)
            if not ok:
                self.reject(node, "type is only allowed as type(x) (or in an annotation)")
            return
        if name in self.imported:
            if not isinstance(node.ctx, ast.Load):
                self.reject(node, f"the imported name {name} may not be reassigned")
                return
            if isinstance(self.imported[name], types.ModuleType) and not (
                isinstance(parent, ast.Attribute) and parent.value is node
            ):
                self.reject(
                    node, f"the module {name} may only be used as {name}.<name>, not as a value"
                )

    def in_annotation(self, node: ast.expr) -> bool:
        """``node`` is part of an annotation (``x: type[Base]``, ``-> type``), which holds a
        type for readers and tools: evaluated at most once, to an object nobody calls."""
        child: ast.AST = node
        parent = self.parents.get(id(child))
        while isinstance(parent, ast.expr):
            child, parent = parent, self.parents.get(id(parent))
        if isinstance(parent, (ast.arg, ast.AnnAssign)):
            return parent.annotation is child
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return parent.returns is child
        return False

    def visit_arg(self, node: ast.arg) -> None:
        self.check_identifier(node, node.arg, "argument name")
        if node.arg in self.imported:
            self.reject(node, f"the imported name {node.arg} may not be reused as an argument")

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg:
            self.check_identifier(node, node.arg, "keyword")

    def visit_alias(self, node: ast.alias) -> None:
        if node.asname:
            self.check_identifier(node, node.asname, "name")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        name = node.name
        if _DUNDER.fullmatch(name) and name not in ALLOWED_DUNDER_DEFS:
            self.reject(
                node,
                f"defining {name} is not allowed (allowed special methods: "
                f"{', '.join(sorted(ALLOWED_DUNDER_DEFS))})",
            )
        if refused_builtin(name) or name in self.imported:
            self.reject(node, f"a function may not be named {name}")

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.check_identifier(node, node.name, "class name")
        if node.keywords:
            self.reject(node, "class keywords (metaclass=...) are not allowed")
        inherited: list[type] = []
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base  # Generic[T]
            if isinstance(target, ast.Name) and target.id in self.classes:
                inherited += self.classes[target.id]
                continue
            obj = self.builtin_or_library(target)
            if obj is not None and not isinstance(obj, type) and hasattr(obj, "__mro_entries__"):
                # typing.NamedTuple / TypedDict: class syntax for a tuple / dict
                inherited += [tuple] if getattr(obj, "__name__", "") == "NamedTuple" else [dict]
                continue
            if not isinstance(obj, type):
                self.reject(
                    node,
                    f"the base class {ast.unparse(base)} must be a class named directly "
                    "(a builtin, an imported class or one of yours)",
                )
                continue
            inherited.append(obj)
        self.classes[node.name] = inherited
        for item in node.body:
            names = []
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [item.name]
            elif isinstance(item, (ast.Assign, ast.AnnAssign)):
                targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
            data_fields = isinstance(item, ast.AnnAssign) and item.value is None
            for name in names:
                if name in OVERRIDABLE:
                    continue
                if data_fields and any(_is_record(k) for k in inherited):
                    continue  # a NamedTuple's field (index, count): data, not a method
                for klass in inherited:
                    if getattr(getattr(klass, name, None), "__isabstractmethod__", False):
                        continue  # the base asks for it (Iterator.__next__)
                    if klass is not object and hasattr(klass, name):
                        self.reject(
                            item,
                            f"{node.name}.{name} overrides {klass.__qualname__}.{name}, "
                            "which the tests may call on your objects",
                        )
                        break

    def builtin_or_library(self, node: ast.AST) -> object | None:
        if (
            isinstance(node, ast.Name)
            and node.id not in self.imported
            and node.id not in self.alias_values
        ):
            return getattr(builtins, node.id, None) if not node.id.startswith("_") else None
        if isinstance(node, ast.Name) and node.id in self.alias_values:
            return self.alias_values[node.id]
        return self.library_value(node)

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        for name in node.names:
            self.check_identifier(node, name, "name")

    visit_Nonlocal = visit_Global

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.check_identifier(node, node.name, "name")
            if node.name in self.imported:
                self.reject(node, f"the imported name {node.name} may not be reassigned")

    def visit_MatchAs(self, node: ast.AST) -> None:
        name = getattr(node, "name", None)
        if name:
            self.check_identifier(node, name, "name")

    visit_MatchStar = visit_MatchAs

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self.check_identifier(node, node.rest, "name")

    # attributes -----------------------------------------------------------------------

    def attribute_name_ok(
        self,
        node: ast.AST,
        attr: str,
        *,
        storing: bool = False,
        own: bool = False,
        resolved: object = None,
    ) -> bool:
        """The rules for a name read from (or stored on) an object, however it is spelled:
        ``obj.attr``, ``from module import attr``, ``case Class(attr=...)``."""
        if _DUNDER.fullmatch(attr):
            if storing or attr not in ALLOWED_DUNDER_ATTRS:
                self.reject(node, f"the attribute {attr} is not allowed")
                return False
        elif attr.startswith("_") and not own:
            self.reject(node, f"the private attribute {attr} is only allowed on self or cls")
            return False
        if attr in BANNED_ATTRS or attr.startswith(FRAME_PREFIXES):
            self.reject(node, f"the attribute {attr} is not allowed")
            return False
        if attr in DANGEROUS_MODULES and not _allowed_module(attr, self.allowed):
            if not (
                isinstance(resolved, types.ModuleType)
                and _allowed_module(resolved.__name__, self.allowed)
            ):
                self.reject(node, f"the attribute {attr} is not allowed")
                return False
        return True

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for attr in node.kwd_attrs:  # case Class(attr=pattern) reads obj.attr
            self.attribute_name_ok(node, attr)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        parent = self.parents.get(id(node))
        storing = isinstance(node.ctx, (ast.Store, ast.Del))
        own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        resolved = self.library_value(node) if attr in DANGEROUS_MODULES else None
        if not self.attribute_name_ok(node, attr, storing=storing, own=own, resolved=resolved):
            return
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if (
            storing
            and isinstance(root, ast.Name)
            and (root.id in self.imported or root.id in self.aliases)
        ):
            self.reject(
                node, f"assigning to {ast.unparse(node)} would change a library for everyone"
            )
            return
        obj = self.library_value(node)
        if isinstance(obj, types.ModuleType):
            if not _allowed_module(obj.__name__, self.allowed):
                self.reject(
                    node,
                    f"{ast.unparse(node)} is the module {obj.__name__}, which is not allowed here",
                )
            elif not (isinstance(parent, ast.Attribute) and parent.value is node):
                self.reject(
                    node,
                    f"the module {ast.unparse(node)} may only be used as {ast.unparse(node)}.<name>",
                )
        if attr == "format":
            self.check_format(node, parent)

    def check_format(self, node: ast.Attribute, parent: ast.AST | None) -> None:
        base = node.value
        if not (isinstance(base, ast.Constant) and isinstance(base.value, str)):
            self.reject(node, "str.format is only allowed on a string literal: use an f-string")
            return
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(base.value) if f is not None]
        except ValueError:
            return
        for field_name in fields:
            if field_name and not re.fullmatch(r"\d+|[A-Za-z_][A-Za-z0-9_]*", field_name):
                self.reject(
                    node, f"the format field {{{field_name}}} reaches into attributes or items"
                )

    # constants --------------------------------------------------------------------------

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            for found in _DUNDER.findall(node.value):
                if found not in ALLOWED_DUNDER_ATTRS:
                    self.reject(node, f"the string mentions {found}, which is not allowed")
                    return


# --- Go -----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def go_source(answer_source: str) -> str:
    """The answer after goimports (what the grader compiles and vets)."""
    return gorunner.goimports(answer_source)


@functools.lru_cache(maxsize=512)
def _vet_go(answer_source: str, allowed_imports: tuple[str, ...]) -> tuple[str, ...]:
    if len(answer_source) > MAX_SOURCE:
        return (f"the answer is too long ({len(answer_source)} characters; at most {MAX_SOURCE})",)
    source = go_source(answer_source)
    request = json.dumps({"source": source, "allowed": list(allowed_imports)})
    proc = subprocess.run(
        [answervet_binary()], input=request, capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0:
        raise RuntimeError(f"answervet failed: {proc.stderr.strip() or proc.returncode}")
    return _cap(json.loads(proc.stdout)["reasons"])


def _answervet_dir() -> Path:
    import twinbook

    return Path(twinbook.__file__).resolve().parents[3] / "go" / "cmd" / "answervet"


@functools.cache
def answervet_binary() -> str:
    """The answervet program, built once per source and Go version into the user's cache."""
    src = _answervet_dir()
    main = src / "main.go"
    if not main.is_file():
        raise FileNotFoundError(f"{main} not found: the grader needs the repository's go/ folder")
    return _goprograms.cached_program("answervet", [main])
