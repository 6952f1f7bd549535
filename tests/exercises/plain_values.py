"""Which comparisons in an exercise's Python tests ask the answer's objects what they equal.

exercises/README.md ("Comparing results"): a value from the answer is compared only after
``plain()`` (twinbook.runner.plain) has checked it is made of exact builtin types, so the
comparison is ``list.__eq__``/``int.__eq__`` and never a method of the answer's objects.
:func:`unplain_comparisons` finds the ``==``/``!=`` operands of ``assert`` statements that
mention ``answer`` without going through ``plain()``: either ``plain(...)`` wraps the
operand, or the operand calls a helper of the test files whose every ``return`` is
``plain(...)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path


def _mentions_answer(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "answer" for n in ast.walk(node))


def _is_plain_call(node: ast.AST, plain_helpers: frozenset[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and (node.func.id == "plain" or node.func.id in plain_helpers)
    )


def plain_helpers(trees: Iterable[ast.Module]) -> frozenset[str]:
    """Functions whose every ``return`` hands back ``plain(...)``."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
                if returns and all(
                    r.value is not None and _is_plain_call(r.value, frozenset()) for r in returns
                ):
                    names.add(node.name)
    return frozenset(names)


def unplain_comparisons(files: Iterable[Path]) -> list[str]:
    """``file:line: operand`` for each comparison that reaches the answer without plain()."""
    parsed = {path: ast.parse(path.read_text(encoding="utf-8")) for path in files}
    helpers = plain_helpers(parsed.values())
    found = []
    for path, tree in parsed.items():
        for statement in ast.walk(tree):
            if not isinstance(statement, ast.Assert):
                continue
            for node in ast.walk(statement.test):
                if not isinstance(node, ast.Compare) or not any(
                    isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops
                ):
                    continue
                for operand in (node.left, *node.comparators):
                    if _mentions_answer(operand) and not _is_plain_call(operand, helpers):
                        found.append(f"{path.name}:{node.lineno}: {ast.unparse(operand)[:80]}")
    return found
