"""Every public name of the library's Python packages, written as the names table writes them.

A public name is one in a module's ``__all__`` whose object the library
defines (a re-export from outside the section is not the section's name); a
class adds its public methods and properties (``Breaker.acquire``), an enum
its members (``State.OPEN``), and neither adds dataclass fields, which are
data. Each name is written relative to its *section*, the Python package or
module the table pairs with one Go package, through the shortest module path
that exports it: ``Breaker`` (the package exports it), ``pool.ordered``,
``aio.pool.ordered``, ``aio.Bulkhead``.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable
from types import ModuleType


def modules(root: str) -> list[ModuleType]:
    """``root`` and every module below it."""
    package = importlib.import_module(root)
    found = [package]
    if hasattr(package, "__path__"):
        for info in pkgutil.walk_packages(package.__path__, root + "."):
            found.append(importlib.import_module(info.name))
    return found


def members(cls: type) -> Iterable[str]:
    """A class's public methods and properties, or an enum's members."""
    if issubclass(cls, enum.Enum):
        yield from (m.name for m in cls)
        return
    fields = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    for name, value in vars(cls).items():
        if name.startswith("_") or name in fields:
            continue
        if isinstance(value, staticmethod | classmethod | property) or inspect.isfunction(value):
            yield name


def public_names(section: str, include: Callable[[str], bool] = lambda name: True) -> set[str]:
    """The public names of package ``section``, from its modules whose name ``include`` accepts."""
    exporters: dict[int, tuple[object, list[str]]] = {}
    for module in modules(section):
        if not include(module.__name__):
            continue
        relative = module.__name__[len(section) + 1 :]
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                continue
            origin = getattr(obj, "__module__", None)
            if isinstance(origin, str) and not (
                origin == section or origin.startswith(section + ".")
            ):
                continue  # defined elsewhere: it is listed there
            shown = f"{relative}.{name}" if relative else name
            exporters.setdefault(id(obj), (obj, []))[1].append(shown)
    names: set[str] = set()
    for obj, shown_as in exporters.values():
        shown = min(shown_as, key=lambda s: (s.count("."), s))
        names.add(shown)
        if inspect.isclass(obj):
            names.update(f"{shown}.{member}" for member in members(obj))
    return names
