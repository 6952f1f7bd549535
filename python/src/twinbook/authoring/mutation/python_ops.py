"""The Python mutation operators, on the ``ast`` module's tree of the answer file.

Positions come from the nodes' ``lineno``/``col_offset``/``end_*`` (columns count UTF-8
bytes, turned into characters here); an operator token, which the tree does not place,
is found in the text between its operands. The operators are syntactic: a mutant that does
not compile is found by compiling it, and counted as invalid.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace

from .mutant import Edit

#: when two operators make the same edit, the earlier names it (shared with the Go mutator)
OPERATORS = (
    "lock-removal",
    "close-removal",
    "wait-removal",
    "defer-removal",
    "context-check",
    "select-case",
    "capacity",
    "return-value",
    "not-removal",
    "arithmetic",
    "comparison",
    "boolean",
    "boundary-constant",
    "swap-statements",
    "statement-removal",
)

_BINARY: dict[type[ast.operator], tuple[str, str]] = {
    # op: (pattern of its token, replacement)
    ast.Add: (r"\+", "-"),
    ast.Sub: (r"-", "+"),
    ast.Mult: (r"(?<!\*)\*(?!\*)", "/"),
    ast.Div: (r"(?<!/)/(?!/)", "*"),
    ast.FloorDiv: (r"//", "/"),
    ast.Mod: (r"%", "*"),
}
_AUGMENTED: dict[type[ast.operator], tuple[str, str]] = {
    ast.Add: (r"\+=", "-="),
    ast.Sub: (r"-=", "+="),
    ast.Mult: (r"\*=", "/="),
    ast.Div: (r"/=", "*="),
}
_COMPARE: dict[type[ast.cmpop], tuple[str, str]] = {
    ast.Lt: (r"<(?!=)", "<="),
    ast.LtE: (r"<=", "<"),
    ast.Gt: (r">(?!=)", ">="),
    ast.GtE: (r">=", ">"),
    ast.Eq: (r"==", "!="),
    ast.NotEq: (r"!=", "=="),
    ast.Is: (r"\bis\b", "is not"),
    ast.IsNot: (r"\bis\s+not\b", "is"),
    ast.In: (r"\bin\b", "not in"),
    ast.NotIn: (r"\bnot\s+in\b", "in"),
}
#: calls whose statement is a wait for others (a join, an executor's shutdown)
_WAITS = {"join", "wait", "shutdown"}
#: constructors whose first argument (or maxsize) bounds a queue or a semaphore
_CAPACITIES = {"Queue", "LifoQueue", "PriorityQueue", "Semaphore", "BoundedSemaphore"}
#: statements no operator removes: they declare, or do nothing to remove
_KEPT = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
    ast.Pass,
)
_SIMPLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)


class _Source:
    """The answer file's text with a node's (line, byte column) turned into characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1] if lineno <= len(self.lines) else ""
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def of(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def find(self, pattern: str, start: int, end: int) -> tuple[int, int] | None:
        """The first match of ``pattern`` in [start, end), outside comments."""
        for match in re.finditer(pattern, self.text[start:end]):
            before = self.text[
                self.text.rfind("\n", 0, start + match.start()) + 1 : start + match.start()
            ]
            if "#" not in before:
                return start + match.start(), start + match.end()
        return None


def python_edits(text: str) -> list[Edit]:
    """Every edit of the operators on the answer file ``text`` (one per distinct change,
    named by the first operator of :data:`OPERATORS` that makes it)."""
    src = _Source(text)
    tree = ast.parse(text)
    edits = list(_edits(src, tree))
    rank = {op: i for i, op in enumerate(OPERATORS)}
    best: dict[tuple[int, int, str], Edit] = {}
    for edit in edits:
        key = (edit.start, edit.end, edit.replacement)
        if key not in best or rank[edit.operator] < rank[best[key].operator]:
            best[key] = edit
    return sorted(best.values(), key=lambda e: (e.start, e.end, e.replacement))


#: statements that hold blocks: the code an id quotes around a constant is never one
_COMPOUND = (
    ast.If,
    ast.While,
    ast.For,
    ast.AsyncFor,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
)


def _edits(src: _Source, tree: ast.AST) -> Iterator[Edit]:
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield from _statements(src, body)
        # the code an id quotes around the change: the node, or for a constant and a
        # stop-event check the expression or simple statement that holds it
        around = node
        parent = parents.get(node)
        if isinstance(node, ast.Constant | ast.Call) and parent is not None:
            if not isinstance(parent, (*_COMPOUND, ast.Module)):
                around = parent
        start, end = src.span(around) if hasattr(around, "lineno") else (-1, -1)
        for edit in _node_edits(src, node):
            if edit.operator in _QUOTES_CONTEXT:
                edit = replace(edit, context_start=start, context_end=end)
            yield edit


#: the operators whose id quotes the code around the change (a lone token says little)
_QUOTES_CONTEXT = {
    "arithmetic",
    "comparison",
    "boolean",
    "boundary-constant",
    "return-value",
    "capacity",
    "context-check",
}


def _node_edits(src: _Source, node: ast.AST) -> Iterator[Edit]:
    if isinstance(node, ast.BinOp):
        yield from _token(src, node.left, node.right, _BINARY.get(type(node.op)), "arithmetic")
    elif isinstance(node, ast.AugAssign):
        yield from _token(src, node.target, node.value, _AUGMENTED.get(type(node.op)), "arithmetic")
    elif isinstance(node, ast.Compare):
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            yield from _token(src, left, right, _COMPARE.get(type(op)), "comparison")
            left = right
    elif isinstance(node, ast.BoolOp):
        word, other = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        for left, right in zip(node.values, node.values[1:], strict=False):
            yield from _token(src, left, right, (rf"\b{word}\b", other), "boolean")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        start, end = src.span(node)
        yield Edit("not-removal", start, end, src.text[start + 3 : end].lstrip(), "drop the not")
    elif isinstance(node, ast.Constant):
        yield from _boundary(src, node)
    elif isinstance(node, ast.Return) and node.value is not None:
        yield from _return(src, node.value)
    elif isinstance(node, ast.With | ast.AsyncWith):
        yield from _with_lock(src, node)
    elif isinstance(node, ast.Call):
        yield from _call(src, node)


def _token(
    src: _Source, left: ast.AST, right: ast.AST, swap: tuple[str, str] | None, operator: str
) -> Iterator[Edit]:
    """Swap the operator token between ``left`` and ``right``."""
    if swap is None:
        return
    pattern, replacement = swap
    found = src.find(pattern, src.span(left)[1], src.span(right)[0])
    if found:
        start, end = found
        original = src.text[start:end]
        yield Edit(operator, start, end, replacement, f"{original} -> {replacement}")


def _boundary(src: _Source, node: ast.Constant) -> Iterator[Edit]:
    """An integer constant n moved to n+1, n-1, 0 and 1 (never to n, never below 0)."""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int):
        return
    start, end = src.span(node)
    seen = {value}
    for to in (value + 1, value - 1, 0, 1):
        if to >= 0 and to not in seen:
            seen.add(to)
            yield Edit("boundary-constant", start, end, str(to), f"{value} -> {to}")


def _return(src: _Source, value: ast.expr) -> Iterator[Edit]:
    """``return x`` returns None instead; a bool returned is negated."""
    start, end = src.span(value)
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        flip = str(not value.value)
        yield Edit("return-value", start, end, flip, f"return {flip}")
        return
    if not (isinstance(value, ast.Constant) and value.value is None):
        yield Edit("return-value", start, end, "None", "return None")
    if isinstance(value, ast.Compare | ast.BoolOp) or (
        isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)
    ):
        yield Edit(
            "return-value", start, end, f"not ({src.text[start:end]})", "return the negation"
        )


def _with_lock(src: _Source, node: ast.With | ast.AsyncWith) -> Iterator[Edit]:
    """``with lock:`` (a lock, a condition: a name or attribute, not a call) becomes
    ``if True:``, which keeps the body and its indentation but not the lock."""
    if any(isinstance(item.context_expr, ast.Call) for item in node.items):
        return
    last = node.items[-1]
    after = src.span(last.optional_vars or last.context_expr)[1]
    colon = src.find(r":", after, src.span(node.body[0])[0])
    if colon:
        start = src.span(node)[0]
        yield Edit("lock-removal", start, colon[1], "if True:", "run the body without the lock")


def _call(src: _Source, node: ast.Call) -> Iterator[Edit]:
    """A stop-event check that never fires, and a queue's or semaphore's capacity moved."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "is_set" and not node.args:
        start, end = src.span(node)
        yield Edit("context-check", start, end, "False", "the event is never set")
    if name not in _CAPACITIES:
        return
    bound = (
        node.args[0]
        if node.args
        else next((k.value for k in node.keywords if k.arg in ("maxsize", "value")), None)
    )
    if bound is None:
        at = src.span(node)[1] - 1  # before the closing parenthesis
        yield Edit("capacity", at, at, "1", "capacity 1 instead of unbounded")
        return
    start, end = src.span(bound)
    text = src.text[start:end]
    if isinstance(bound, ast.Constant) and isinstance(bound.value, int):
        for to in (bound.value + 1, bound.value - 1):
            if to > 0:
                yield Edit("capacity", start, end, str(to), f"capacity {text} -> {to}")
    else:
        yield Edit("capacity", start, end, f"({text}) + 1", f"capacity {text} -> {text} + 1")
        yield Edit("capacity", start, end, f"({text}) - 1", f"capacity {text} -> {text} - 1")
    if name.endswith("Queue"):
        yield Edit("capacity", start, end, "0", "an unbounded queue")


def _statements(src: _Source, body: list[ast.stmt]) -> Iterator[Edit]:
    """Each statement of a block replaced by ``pass``, and each simple one swapped with the
    next."""
    for index, stmt in enumerate(body):
        docstring = index == 0 and _is_docstring(stmt)
        if isinstance(stmt, _KEPT) or docstring:
            continue
        start, end = src.span(stmt)
        yield Edit(_removal_operator(stmt), start, end, "pass", "remove the statement")
        if index + 1 < len(body):
            following = body[index + 1]
            if isinstance(stmt, _SIMPLE) and isinstance(following, _SIMPLE):
                first, second = src.of(stmt), src.of(following)
                if first != second and not _independent(stmt, following):
                    stop = src.span(following)[1]
                    between = src.text[end : src.span(following)[0]]
                    yield Edit(
                        "swap-statements",
                        start,
                        stop,
                        second + between + first,
                        "swap with the next statement",
                        label=f"{first}; {second}",
                        shown=f"{second}; {first}",
                    )


#: calls that have no effect an assignment's order could show: pure builtins and the
#: constructors of fresh synchronisation objects and containers
_PURE_CALLS = {
    "abs",
    "bool",
    "float",
    "int",
    "len",
    "max",
    "min",
    "str",
    "tuple",
    "list",
    "dict",
    "set",
    "deque",
    "collections.deque",
    "threading.Lock",
    "threading.RLock",
    "threading.Event",
    "threading.Condition",
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "queue.Queue",
}


def _independent(first: ast.stmt, second: ast.stmt) -> bool:
    """Two assignments that neither call anything but pure builtins nor read or write
    what the other writes: swapping them is an equivalent mutant by construction, so none
    is made (``self._rate = rate; self._burst = burst`` in a constructor)."""
    effects = []
    for stmt in (first, second):
        if not isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            return False
        calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call)]
        if any(_chain(c.func) not in _PURE_CALLS for c in calls):
            return False
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        writes = {_chain(t) for t in targets}
        read_from: list[ast.AST] = [stmt.value] if stmt.value is not None else []
        if isinstance(stmt, ast.AugAssign):
            read_from.append(stmt.target)
        reads = {chain for node in read_from for chain in _reads(node)}
        effects.append((writes, reads))
    (w1, r1), (w2, r2) = effects
    return not (_touch(w1, w2 | r2) or _touch(w2, r1))


def _chain(node: ast.AST) -> str:
    """``self._tokens`` for an attribute chain, the base's chain for a subscript."""
    if isinstance(node, ast.Attribute):
        return f"{_chain(node.value)}.{node.attr}"
    if isinstance(node, ast.Subscript):
        return _chain(node.value)
    return node.id if isinstance(node, ast.Name) else "?"


def _reads(node: ast.AST) -> Iterator[str]:
    """The longest attribute chains and names an expression reads (``self._rate``, not
    also ``self``)."""
    if isinstance(node, ast.Name | ast.Attribute):
        yield _chain(node)
        return
    for child in ast.iter_child_nodes(node):
        yield from _reads(child)


def _touch(writes: set[str], others: set[str]) -> bool:
    """A written chain is, contains or is contained in one of ``others`` (``?``: an
    expression too complex to tell, taken to touch everything)."""
    return any(
        w == "?" or o == "?" or w == o or o.startswith(w + ".") or w.startswith(o + ".")
        for w in writes
        for o in others
    )


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _removal_operator(stmt: ast.stmt) -> str:
    """What removing this statement is called: a close, a wait (join), a lock's acquire,
    or a statement."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "close":
            return "close-removal"
        if name in _WAITS:
            return "wait-removal"
        if name == "acquire":
            return "lock-removal"
    return "statement-removal"
