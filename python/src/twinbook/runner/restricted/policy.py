"""The language subset a Python answer is compiled in: RestrictedPython's transformer, extended.

RestrictedPython's :class:`~RestrictedPython.transformer.RestrictingNodeTransformer` is an
allowlist of syntax: a node without a ``visit_`` method is refused, so a construct that a
new Python adds is refused until someone looks at it. It refuses every name and attribute
that starts with ``_`` and the frame, code, generator and traceback attributes
(``INSPECT_ATTRIBUTES``), and it rewrites attribute reads, attribute writes, subscripts and
iteration into calls of guard functions that the loader supplies (:mod:`.guards`).

Answers need more than RestrictedPython 9.0 allows, and a little less:

* private names and attributes with one leading ``_`` (``self._lock``: every solution
  keeps its state so) are allowed where RestrictedPython refuses them, with a run-time
  condition: the object's class was defined by the answer and no library class in its
  MRO defines that name (:meth:`.guards.Guards.getattr_`), so ``_x`` never reaches into
  the library's or the tests' objects. Dunders stay refused except
  :data:`ALLOWED_DUNDER_ATTRS` (``super().__init__(...)``), and so do ``__mangled`` names
  (the rewrite turns attributes into strings, which Python does not mangle) and names that
  start and end with ``_`` (the guards' own names);

* ``async def`` / ``await`` / ``async with`` / ``async for``, ``match``, annotated
  assignments (dataclass fields), ``nonlocal``, ``try``/``except*`` and augmented
  assignment of attributes and items (``self.count += 1``) are allowed: none of them reads
  an attribute by a name the transformer cannot see, except ``match`` class patterns,
  whose keyword attributes are checked like any attribute;
* ``print`` is the real one (the harness counts what it writes), not a collector;
* classes keep the default metaclass and take no keywords (no ``metaclass=``, no
  ``__init_subclass__`` arguments);
* dunder methods may be defined only from :data:`ALLOWED_DUNDER_DEFS`, which holds none
  that takes part in comparing, hashing or truth-testing (RestrictedPython allows
  ``__eq__``): the tests compare values, and an answer must not decide what equals what;
* keyword arguments may not start with ``_`` (``make_dataclass(..., _x=...)`` style
  spellings of private attributes), and string constants may not be dunder names
  (``{"__eq__": f}`` handed to a class factory);
* the attribute names in :data:`REFUSED_ATTRIBUTES` (tracing, hooks, dynamic attribute
  access, frames of tasks, class factories) are refused wherever they appear.

This module is also the one place that lists what answers may use: the builtins
(:data:`SAFE_BUILTIN_NAMES`, which the loader's guards hand out and vetting refuses the
rest of), the dunders, the refused attribute and module names, what a class may redefine.
:mod:`twinbook.runner.vet`, the static front end that runs before the grader (and every
check), and :mod:`.guards`, the run-time side, take their lists from here.
"""

from __future__ import annotations

import ast
import builtins
import re
import types
from typing import Any

from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer

#: dunder methods an answer may define. Not ``__eq__``/``__ne__``/``__hash__``/``__bool__``/
#: ``__len__``/ordering (they decide what a test's comparison says), not
#: ``__getattr__``/``__getattribute__``/``__class__``/``__init_subclass__``/``__set_name__``/
#: descriptors (they change what attribute access means).
ALLOWED_DUNDER_DEFS = frozenset(
    {
        "__init__",
        "__post_init__",
        "__repr__",
        "__str__",
        "__enter__",
        "__exit__",
        "__aenter__",
        "__aexit__",
        "__iter__",
        "__next__",
        "__aiter__",
        "__anext__",
        "__call__",
    }
)

#: frame, code, generator, coroutine, async-generator and traceback attributes: the ways
#: from an object to the call stack (and from there to the harness's globals)
FRAME_ATTRIBUTES = frozenset(INSPECT_ATTRIBUTES) | {
    "ag_frame",
    "ag_code",
    "ag_await",
    "gi_yieldfrom",
    "cr_await",
    "cr_origin",
    "f_back",
    "f_locals",
    "f_globals",
    "f_builtins",
    "f_code",
    "f_trace",
    "tb_frame",
    "tb_next",
}
FRAME_PREFIXES = ("f_", "co_", "gi_", "cr_", "ag_", "tb_")

#: refused wherever they appear: tracing and hooks (``threading.settrace``), dynamic attribute
#: access (``operator.attrgetter``, ``str.format_map``), evaluation of strings
#: (``typing.get_type_hints``), the stack of a task, class factories that take a namespace
REFUSED_ATTRIBUTES = frozenset(
    {
        "settrace",
        "setprofile",
        "gettrace",
        "getprofile",
        "settrace_all_threads",
        "setprofile_all_threads",
        "excepthook",
        "unraisablehook",
        "breakpointhook",
        "displayhook",
        "addaudithook",
        "currentframe",
        "getframe",
        "get_stack",
        "print_stack",
        "get_type_hints",
        "ForwardRef",
        "attrgetter",
        "methodcaller",
        "make_dataclass",
        "new_class",
        "mro",
        "with_traceback",
    }
)

#: a dunder name (``__eq__``)
DUNDER = re.compile(r"__[A-Za-z0-9_]+__")
_DUNDER = DUNDER

#: the builtins an answer sees (:meth:`.guards.Guards.safe_builtins`), besides the exception
#: classes but :data:`REFUSED_EXCEPTIONS` and a ``type`` that only takes one argument;
#: every other builtin (``getattr``, ``eval``, ``open``, ``hasattr`` ...) is refused
SAFE_BUILTIN_NAMES = frozenset(
    (
        "abs all any ascii bin bool bytearray bytes callable chr classmethod complex dict divmod "
        "enumerate filter float format frozenset hash hex id int isinstance issubclass iter aiter "
        "anext len list map max min next object oct ord pow print property range repr reversed "
        "round set slice sorted staticmethod str sum super tuple zip "
        "None True False NotImplemented Ellipsis"
    ).split()
)
#: exceptions an answer may not name: they would stop the harness, not the answer
REFUSED_EXCEPTIONS = frozenset({"SystemExit", "KeyboardInterrupt"})
#: what ``site`` adds to the builtins (not always there: ``python -S``), refused the same
_SITE_BUILTINS = frozenset({"exit", "quit", "copyright", "credits", "license", "help"})


def answer_builtin(name: str) -> bool:
    """``name`` is a builtin the answer's namespace holds (``type`` included)."""
    value = getattr(builtins, name, None)
    exception = isinstance(value, type) and issubclass(value, BaseException)
    return (
        name in SAFE_BUILTIN_NAMES
        or name == "type"
        or (exception and name not in REFUSED_EXCEPTIONS)
    )


def _interpreters_builtin(name: str) -> bool:
    """``name`` is one of the interpreter's own builtins, not something a host added to the
    module (IPython's ``display`` and ``get_ipython``, a REPL's ``_``): vetting must say the
    same in a notebook's kernel as in the grader."""
    value = getattr(builtins, name, None)
    if name == "_":  # a REPL's last value
        return False
    if isinstance(value, types.BuiltinFunctionType):  # open is io.open: C functions all count
        return True
    return isinstance(value, type) and value.__module__ == "builtins"


def refused_builtin(name: str) -> bool:
    """``name`` is a builtin that answers may not use (``eval``, ``getattr``, ``SystemExit``)."""
    if DUNDER.fullmatch(name):
        return False  # dunder names have their own rule
    return (_interpreters_builtin(name) or name in _SITE_BUILTINS) and not answer_builtin(name)


#: attribute names refused unless the exercise allows the module of that name: the way out
#: of the interpreter from any module that imported them (``concurrent.futures.thread.os``)
DANGEROUS_MODULES = frozenset(
    {
        "os",
        "sys",
        "subprocess",
        "socket",
        "builtins",
        "importlib",
        "ctypes",
        "gc",
        "inspect",
        "marshal",
        "pickle",
        "pty",
        "multiprocessing",
        "mp",
        "posix",
        "nt",
        "posixpath",
        "shutil",
        "tempfile",
        "resource",
        "atexit",
        "traceback",
        "linecache",
        "runpy",
        "pkgutil",
        "zipimport",
        "sysconfig",
        "site",
        "faulthandler",
        "tracemalloc",
        "pytest",
        "twinbook",
    }
)

#: what a class may redefine although a builtin or library base class has it (the tests
#: call the other methods on the answer's objects and must get the library's behaviour)
OVERRIDABLE = frozenset(
    {
        "__init__",
        "__repr__",
        "__str__",
        "__post_init__",
        "run",
        "__doc__",
        "__module__",
        "__qualname__",
    }
)


#: dunder attributes an answer may read: ``super().__init__(...)``, a function's name
ALLOWED_DUNDER_ATTRS = ALLOWED_DUNDER_DEFS | {"__name__", "__qualname__", "__doc__"}


def private(name: str) -> bool:
    """A single-underscore name (``_lock``): the answer's own, checked at run time."""
    return name.startswith("_") and not name.startswith("__") and not name.endswith("_")


def refused_name(name: str) -> str:
    """Why the variable ``name`` may not be used ("" when it may): ``_tokens`` is fine, but not
    dunders, ``__mangled`` names, or names that start and end with ``_`` (the guards')."""
    if name.startswith("_") and name != "_" and not private(name):
        return (
            f'the name "{name}" is not allowed: names may start with one "_", '
            'but not with "__" and not start and end with "_"'
        )
    return ""


def refused_attribute(name: str) -> str:
    """Why the attribute ``name`` may not be used ("" when it may). A single-underscore
    attribute passes here; at run time it must belong to an object of the answer's own
    class (:meth:`.guards.Guards.getattr_`)."""
    if _DUNDER.fullmatch(name):
        if name in ALLOWED_DUNDER_ATTRS:
            return ""
        return (
            f'the attribute "{name}" is not allowed (no dunder attributes but __init__ and a few)'
        )
    if name.startswith("__") or (name.startswith("_") and name.endswith("_")):
        return (
            f'the attribute "{name}" is not allowed: private attributes start with one "_" '
            '(Python renames "__" attributes)'
        )
    if name in FRAME_ATTRIBUTES or name.startswith(FRAME_PREFIXES):
        return f'the attribute "{name}" is not allowed: it reaches frames, code or tracebacks'
    if name in REFUSED_ATTRIBUTES:
        return f'the attribute "{name}" is not allowed in answers'
    return ""


class AnswerPolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with the changes the module docstring lists."""

    def __init__(self, errors: list[str], warnings: list[str], used_names: dict[str, bool]):
        super().__init__(errors, warnings, used_names)
        self._class_depth = 0  # > 0 directly inside a class body

    def error(self, node: ast.AST, info: str) -> None:
        self.errors.append(f"line {getattr(node, 'lineno', '?')}: {info}")

    # names -----------------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> Any:
        # RestrictedPython turns print into a collector; the harness counts output instead
        if node.id == "__slots__" and self._class_depth > 0 and isinstance(node.ctx, ast.Store):
            return node  # a class's own slots; its strings are checked like any other
        self.check_name(node, node.id)
        if isinstance(node.ctx, ast.Load):
            self.used_names[node.id] = True
        return node

    def check_name(self, node: Any, name: str | None, allow_magic_methods: bool = False) -> None:
        if name is None:
            return
        why = refused_name(name)
        if why:
            self.error(node, why)
        elif name in ("builtins", "breakpoint"):
            self.error(node, f'"{name}" is a reserved name')

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, str) and _DUNDER.fullmatch(node.value):
            self.error(node, f'the string "{node.value}" is not allowed: it names a dunder')
        return node

    def visit_keyword(self, node: ast.keyword) -> Any:
        if node.arg is not None and node.arg.startswith("_"):
            self.error(
                node, f'the keyword argument "{node.arg}" is not allowed: it starts with "_"'
            )
        return self.node_contents_visit(node)

    # attributes ------------------------------------------------------------------------

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        why = refused_attribute(node.attr)
        if why:
            self.error(node, why)
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):
            call = ast.Call(
                func=ast.Name("_getattr_", ast.Load()),
                args=[node.value, ast.Constant(node.attr)],
                keywords=[],
            )
            return ast.copy_location(call, node)
        # a store or delete: the guard gets the object and the attribute's name
        node.value = ast.copy_location(
            ast.Call(
                func=ast.Name("_write_", ast.Load()),
                args=[node.value, ast.Constant(node.attr)],
                keywords=[],
            ),
            node.value,
        )
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        # self.n += 1: the target's object goes through _write_ like any store
        return self.node_contents_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> Any:
        return self.node_contents_visit(node)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> Any:
        for name in node.names:
            self.check_name(node, name)
        return node

    def visit_Global(self, node: ast.Global) -> Any:
        for name in node.names:
            self.check_name(node, name)
        return node

    def visit_TryStar(self, node: ast.AST) -> Any:
        return self.node_contents_visit(node)

    # functions and classes ---------------------------------------------------------------

    def _check_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        name = node.name
        if _DUNDER.fullmatch(name):
            if self._class_depth == 0:
                self.error(node, f'the function name "{name}" is not allowed outside a class')
            elif name not in ALLOWED_DUNDER_DEFS:
                allowed = ", ".join(sorted(ALLOWED_DUNDER_DEFS))
                self.error(
                    node,
                    f'defining "{name}" is not allowed (the methods with dunder names an answer '
                    f"may define: {allowed})",
                )
        else:
            self.check_name(node, name)
        self.check_function_argument_names(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        self._check_def(node)
        return self._visit_function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> Any:
        self._check_def(node)
        return self._visit_function(node)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Any:
        depth, self._class_depth = self._class_depth, 0
        try:
            node = self.node_contents_visit(node)
        finally:
            self._class_depth = depth
        if node.name in ("__exit__", "__aexit__"):
            # a learner's context manager may not swallow a test's failed assertion
            node.decorator_list.insert(0, ast.Name("_exit_guard_", ast.Load()))
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.check_name(node, node.name)
        if node.keywords:
            self.error(node, "class keywords (metaclass=...) are not allowed")
        depth, self._class_depth = self._class_depth, 1
        try:
            return self.node_contents_visit(node)
        finally:
            self._class_depth = depth

    # asyncio ---------------------------------------------------------------------------

    def visit_Await(self, node: ast.Await) -> Any:
        return self.node_contents_visit(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> Any:
        return self.node_contents_visit(node)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> Any:
        return self.node_contents_visit(node)

    # match -----------------------------------------------------------------------------

    def visit_Match(self, node: ast.Match) -> Any:
        return self.node_contents_visit(node)

    def visit_match_case(self, node: ast.match_case) -> Any:
        return self.node_contents_visit(node)

    def visit_MatchValue(self, node: ast.MatchValue) -> Any:
        return self.node_contents_visit(node)

    def visit_MatchSingleton(self, node: ast.MatchSingleton) -> Any:
        return node

    def visit_MatchSequence(self, node: ast.MatchSequence) -> Any:
        return self.node_contents_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> Any:
        self.check_name(node, node.name)
        return node

    def visit_MatchMapping(self, node: ast.MatchMapping) -> Any:
        self.check_name(node, node.rest)
        return self.node_contents_visit(node)

    def visit_MatchClass(self, node: ast.MatchClass) -> Any:
        # case Point(x=0): reads the attribute "x" of the subject without _getattr_
        for attr in node.kwd_attrs:
            why = refused_attribute(attr) or (
                f'the attribute "{attr}" is not allowed: a pattern cannot check whose it is'
                if attr.startswith("_")
                else ""
            )
            if why:
                self.error(node, f"in a class pattern, {why}")
        return self.node_contents_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> Any:
        self.check_name(node, node.name)
        return self.node_contents_visit(node)

    def visit_MatchOr(self, node: ast.MatchOr) -> Any:
        return self.node_contents_visit(node)
