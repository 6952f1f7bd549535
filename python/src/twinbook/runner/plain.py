"""``plain(value)``: a result from the answer as plain builtin values, for tests to compare.

A test that compares the answer's result asks that result's own ``__eq__`` whenever the
result is on the left, or is an instance of a subclass of the right-hand side's type
(Python tries the subclass's reflected method first). The restricted subset already keeps
answers from defining or inheriting a comparison of their own
(:func:`twinbook.runner.restricted.guards.build_class`); ``plain`` is the tests' half:
it accepts only values whose type is exactly a builtin one (``None``, ``bool``, ``int``,
``float``, ``complex``, ``str``, ``bytes``, and ``list``/``tuple``/``dict``/``set``/
``frozenset`` of such values, checked all the way down) and returns them unchanged, so
``assert plain(answer.f(x)) == [1, 2]`` compares with ``list.__eq__`` and nothing else.
"""

from __future__ import annotations

from typing import Any

_SCALARS = (type(None), bool, int, float, complex, str, bytes)
_CONTAINERS = (list, tuple, set, frozenset)
_DEPTH = 100


def plain(value: Any, _depth: int = 0) -> Any:
    """``value`` if it is made of exact builtin types only; AssertionError (a failed test,
    saying which type) if not."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if _depth > _DEPTH:
        raise AssertionError(f"the result is nested more than {_DEPTH} levels deep")
    if kind in _CONTAINERS:
        for item in value:
            plain(item, _depth + 1)
        return value
    if kind is dict:
        for key, item in value.items():
            plain(key, _depth + 1)
            plain(item, _depth + 1)
        return value
    base = next((t.__name__ for t in (*_SCALARS, *_CONTAINERS, dict) if isinstance(value, t)), "")
    also = f" (a subclass of {base}: return a plain {base})" if base else ""
    raise AssertionError(
        f"the result holds a {kind.__name__} object{also}; the tests compare plain values"
    )
