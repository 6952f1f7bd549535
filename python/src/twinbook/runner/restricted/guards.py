"""The functions a restricted answer's rewritten code calls, and the builtins it sees.

:mod:`.policy` turns ``a.b`` into ``_getattr_(a, "b")``, ``a.b = v`` into
``_write_(a, "b").b = v``, ``a[k]`` into ``_getitem_(a, k)``, ``for x in xs`` into
``for x in _getiter_(xs)``, and ``import m`` into a call of the ``__import__`` found in
the answer's builtins. :class:`Guards` supplies them for one answer:

* attribute reads refuse private, frame/code/traceback and :data:`.policy.REFUSED_ATTRIBUTES`
  names (again, at run time, in case the name came from somewhere the transformer did not
  see), any attribute of a frame, code or traceback object, and a module that the
  exercise does not allow (``concurrent.futures.thread.os``); ``str.format`` /
  ``format_map`` are replaced by versions whose fields may not reach into attributes or
  items (``"{0.__class__}"``);
* attribute writes refuse modules, classes and functions the answer did not define, and
  replacing a library class's method on an instance;
* imports allow exactly the exercise's ``allowed_imports``: a listed module, its
  submodules, and the parent packages of a listed module only on the way to it (``import
  concurrent.futures`` binds ``concurrent``, from which only allowed modules can be read);
* builtins are an allowlist (:func:`safe_builtins`): no ``getattr``/``setattr``/``vars``/
  ``dir``/``globals``/``locals``/``eval``/``exec``/``compile``/``open``/``input``/
  ``breakpoint``/``memoryview``/raw ``__import__``; ``type`` takes one argument.

Refusals raise :class:`RestrictedError` (a :class:`PermissionError`) in the answer's code.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import inspect
import string
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from .policy import SAFE_BUILTIN_NAMES, answer_builtin, private, refused_attribute

ANSWER_MODULE = "answer"

_INTROSPECTION_TYPES = (types.FrameType, types.CodeType, types.TracebackType)


class RestrictedError(PermissionError):
    """What a restricted answer did that the subset does not allow."""


def module_allowed(name: str, allowed: Iterable[str]) -> bool:
    """``name`` is listed, or is a submodule of a listed module (``__future__`` always)."""
    allowed = frozenset(allowed)
    parts = name.split(".")
    return name == "__future__" or any(
        ".".join(parts[: i + 1]) in allowed for i in range(len(parts))
    )


def parent_of_allowed(name: str, allowed: Iterable[str]) -> bool:
    """``name`` is a parent package of a listed module (``concurrent`` of ``concurrent.futures``)."""
    return any(entry.startswith(name + ".") for entry in allowed)


def _makes_classes(value: Any) -> bool:
    """A metaclass (``type``, ``abc.ABCMeta`` as ``typing.ABCMeta``) or an alias that calls one
    (``typing.Type``): called with three arguments, it builds a class from a dict."""
    origin = getattr(value, "__origin__", None) if not isinstance(value, type) else None
    return any(isinstance(v, type) and issubclass(v, type) for v in (value, origin))


def _refuse_class_makers(value: Any, how: str) -> Any:
    if _makes_classes(value):
        raise RestrictedError(
            f"{how} is a metaclass, which is not allowed (it builds classes from a dict)"
        )
    return value


class _OneArgType:
    """The answer's ``type``. ``type(x)``: the class of ``x``; three arguments would build a
    class from a dict, and the class of a class is a metaclass, which would too.
    ``type[X]`` (an annotation evaluated when a function is defined) is ``typing.Type[X]``,
    which cannot be called to build a class."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> type:
        if len(args) != 1 or kwargs:
            raise TypeError(
                f"type() takes 1 positional argument in answers (type(x)), {len(args)} were given"
            )
        return _refuse_class_makers(type(args[0]), "type() of a class")

    def __getitem__(self, item: Any) -> Any:
        return typing.Type[item]  # noqa: UP006 - not callable, unlike type[X]

    def __repr__(self) -> str:
        return "<the answer's type(x)>"


_one_arg_type = _OneArgType()


def _format_fields_ok(template: str) -> None:
    for _text, field, spec, _conv in string.Formatter().parse(template):
        for part in (field, spec):
            if part and ("." in part or "[" in part):
                raise RestrictedError(
                    f"str.format: the field {part!r} reaches into attributes or items, "
                    "which is not allowed (format the value yourself, or use an f-string)"
                )
            if spec and "{" in spec:
                _format_fields_ok(spec)


def _safe_format(template: str, /, *args: Any, **kwargs: Any) -> str:
    _format_fields_ok(template)
    return template.format(*args, **kwargs)


def _safe_format_map(template: str, mapping: Any, /) -> str:
    _format_fields_ok(template)
    return template.format_map(mapping)


class Guards:
    """The guard functions and builtins for one answer, with its allowed imports."""

    def __init__(self, allowed_imports: Iterable[str]):
        self.allowed = frozenset(allowed_imports)

    # imports -----------------------------------------------------------------------------

    def allowed_text(self) -> str:
        return ", ".join(sorted(self.allowed)) or "nothing"

    def _check_module(self, module: types.ModuleType, how: str) -> types.ModuleType:
        name = getattr(module, "__name__", "?")
        if not (module_allowed(name, self.allowed) or parent_of_allowed(name, self.allowed)):
            raise RestrictedError(
                f"{how} is the module {name}, which is not allowed here "
                f"(allowed: {self.allowed_text()})"
            )
        return module

    def guarded_import(
        self,
        name: str,
        globals: Any = None,  # noqa: A002 - __import__'s signature
        locals: Any = None,  # noqa: A002
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
        """``__import__`` for the answer: exactly the exercise's ``allowed_imports``."""
        if level:
            raise RestrictedError("relative imports are not allowed")
        items = tuple(fromlist or ())
        if any(not isinstance(item, str) or item.startswith("_") for item in items):
            raise RestrictedError(f"importing private names from {name} is not allowed")
        direct = module_allowed(name, self.allowed)
        # from collections import abc, with only collections.abc listed
        via_items = bool(items) and all(
            module_allowed(f"{name}.{item}", self.allowed) for item in items
        )
        if not direct and not (parent_of_allowed(name, self.allowed) and (via_items or not items)):
            raise RestrictedError(
                f"importing {name} is not allowed here (allowed: {self.allowed_text()})"
            )
        if not direct and not items:
            # import concurrent.futures asks for "concurrent.futures"; plain "import concurrent" only
            # reaches here when concurrent itself is not listed
            raise RestrictedError(
                f"importing {name} is not allowed here (allowed: {self.allowed_text()})"
            )
        module = importlib.import_module(name)
        for item in items:
            why = refused_attribute(item)
            if why:
                raise RestrictedError(f"from {name} import {item}: {why}")
            if not hasattr(module, item):
                try:
                    importlib.import_module(f"{name}.{item}")
                except ImportError:
                    continue  # the import statement raises its own ImportError
            value = _refuse_class_makers(getattr(module, item, None), f"{name}.{item}")
            if isinstance(value, types.ModuleType):
                self._check_module(value, f"{name}.{item}")
            elif not direct:
                raise RestrictedError(
                    f"from {name} import {item} is not allowed here "
                    f"(allowed: {self.allowed_text()})"
                )
        if items:
            return module
        return importlib.import_module(name.split(".")[0])

    # attributes --------------------------------------------------------------------------

    def getattr_(self, obj: Any, name: str) -> Any:
        why = refused_attribute(name) if isinstance(name, str) else "attribute names are strings"
        if why:
            raise RestrictedError(why)
        if private(name):
            _check_own(obj, name)
        if isinstance(obj, _INTROSPECTION_TYPES):
            raise RestrictedError(f"the attributes of {type(obj).__name__} objects are not allowed")
        if name in ("format", "format_map") and (
            isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, str))
        ):
            method = _safe_format if name == "format" else _safe_format_map
            return functools.partial(method, obj) if isinstance(obj, str) else method
        value = _refuse_class_makers(getattr(obj, name), name)
        if isinstance(value, types.ModuleType):
            self._check_module(value, name)
        return value

    def write_(self, obj: Any, name: str | None = None) -> Any:
        """``obj`` if the answer may set or delete its attribute ``name`` (``None``: an item,
        ``obj[k] = v``, which RestrictedPython's subscript rewrite guards the same way)."""
        if name is None:
            return obj
        why = refused_attribute(name)
        if why:
            raise RestrictedError(why)
        if private(name):
            _check_own(obj, name)
        if isinstance(obj, types.ModuleType):
            raise RestrictedError(f"changing the module {obj.__name__} is not allowed")
        if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
            if getattr(obj, "__module__", None) != ANSWER_MODULE:
                raise RestrictedError(
                    f"changing {getattr(obj, '__qualname__', obj)!r} is not allowed: "
                    "the answer did not define it"
                )
            return obj
        for klass in type(obj).__mro__:
            if name in vars(klass):
                attr = vars(klass)[name]
                if (
                    klass.__module__ != ANSWER_MODULE
                    and callable(attr)
                    and not hasattr(attr, "__set__")
                ):
                    raise RestrictedError(
                        f"replacing the method {klass.__name__}.{name} is not allowed"
                    )
                break
        return obj

    @staticmethod
    def getitem_(obj: Any, key: Any) -> Any:
        return obj[key]

    @staticmethod
    def apply_(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``f(*args, **kwargs)``: keyword names built at run time may not be private either."""
        for key in kwargs:
            if key.startswith("_"):
                raise RestrictedError(f'the keyword argument "{key}" is not allowed')
        return fn(*args, **kwargs)

    # the namespace -----------------------------------------------------------------------

    def safe_builtins(self) -> dict[str, Any]:
        """The builtins an answer sees: an allowlist, plus the guarded ``__import__``."""
        names: dict[str, Any] = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
        for name, value in vars(builtins).items():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and answer_builtin(name)
            ):
                names[name] = value
        names["type"] = _one_arg_type
        names["__import__"] = self.guarded_import
        names["__build_class__"] = build_class
        return names

    def namespace(self) -> dict[str, Any]:
        """Fresh globals for the answer: its builtins and the guards, nothing of the harness."""
        return {
            "__name__": ANSWER_MODULE,
            "__builtins__": self.safe_builtins(),
            "_getattr_": self.getattr_,
            "_write_": self.write_,
            "_getitem_": self.getitem_,
            "_getiter_": iter,
            "_apply_": self.apply_,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_exit_guard_": exit_guard,
        }


#: methods that decide what a test's comparison, set, dict or truth test says about an object
COMPARING = (
    "__eq__",
    "__ne__",
    "__hash__",
    "__bool__",
    "__len__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__contains__",
    "__getattr__",
    "__getattribute__",
)
#: library classes whose comparison is by contents (the answer's values, which cannot forge
#: equality either): the answer may inherit from them
_CONTENT_COMPARED = frozenset(
    {
        "collections.deque",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.defaultdict",
        "collections.UserList",
        "collections.UserDict",
        "collections.UserString",
        "collections.ChainMap",
    }
)


def build_class(func: Any, name: str, *bases: Any, **kwargs: Any) -> Any:
    """``class`` statements: the class may not get a comparing method (:data:`COMPARING`)
    from anything but ``object``, a builtin type or a library class that compares by
    contents, so an answer's object equals what its contents equal and nothing else."""
    if kwargs:
        raise RestrictedError("class keywords (metaclass=...) are not allowed")
    cls = builtins.__build_class__(func, name, *bases)
    if not isinstance(cls, type):
        raise RestrictedError(f"class {name} is not a class")
    for method in COMPARING:
        for klass in cls.__mro__:
            if method in vars(klass):
                where = f"{klass.__module__}.{klass.__qualname__}"
                if klass.__module__ not in ("builtins", ANSWER_MODULE) and (
                    where not in _CONTENT_COMPARED
                ):
                    raise RestrictedError(
                        f"class {name} would compare with {where}.{method}: an answer's "
                        "classes may inherit comparisons only from builtin types or collections containers"
                    )
                break
    return cls


def _check_own(obj: Any, name: str) -> None:
    """A private attribute only of the answer's own objects, and only one that no library
    class of theirs defines (``self._lock`` yes; ``a_test_object._calls``, ``queue._put`` no)."""
    owner = obj if isinstance(obj, type) else type(obj)
    if owner.__module__ != ANSWER_MODULE:
        raise RestrictedError(
            f'the private attribute "{name}" of a {owner.__name__} object is not allowed: '
            "only the answer's own objects' private attributes are"
        )
    for klass in owner.__mro__:
        if klass.__module__ != ANSWER_MODULE and name in vars(klass):
            raise RestrictedError(
                f'the private attribute "{name}" belongs to {klass.__name__}, not to the answer'
            )


def _swallows_too_much(result: Any, args: tuple[Any, ...]) -> bool:
    exc_type = args[0] if args else None
    return (
        bool(result)
        and isinstance(exc_type, type)
        and (not issubclass(exc_type, Exception) or issubclass(exc_type, AssertionError))
    )


def exit_guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an answer's ``__exit__``/``__aexit__``: it may suppress ordinary exceptions,
    but never a failed assertion or a BaseException (pytest's skip/fail/exit outcomes,
    KeyboardInterrupt, SystemExit) raised in the ``with`` block of a test."""
    if inspect.iscoroutinefunction(fn):

        async def async_wrapper(self: Any, *args: Any) -> Any:
            result = await fn(self, *args)
            return False if _swallows_too_much(result, args) else result

        return functools.wraps(fn)(async_wrapper)

    def wrapper(self: Any, *args: Any) -> Any:
        result = fn(self, *args)
        return False if _swallows_too_much(result, args) else result

    return functools.wraps(fn)(wrapper)
