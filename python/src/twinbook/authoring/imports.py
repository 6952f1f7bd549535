"""The import graph of the ``twinbook`` package, and the rules it must keep.

``python -m twinbook.authoring.imports`` reads every module's source (its AST: imports
inside functions count too, so an import hidden to dodge a cycle is still seen), prints
which package imports which, and exits 1 naming each broken rule:

* the teaching library (:data:`LIBRARY`: ``concurrency``, ``breaker``, ``resilience``,
  ``actor``, ``supervisor`` and the generated ``_proto`` stubs) imports nothing of the
  tooling, so that a library user installs none of the tools' dependencies;
* the tooling imports only downward through :data:`LAYERS` (the exercise model, then the
  runner layer, then the learner's workbook, the authoring tools and the grader side by
  side, then the command line): never upward, never sideways between siblings;
* no module imports itself back through others (a cycle between modules).

A package of the library that is not listed in :data:`LIBRARY` or :data:`LAYERS` is an
error too: a new chapter's package must be named here before it ships.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

#: Packages of the teaching library, one per concept (later chapters add theirs).
LIBRARY = frozenset(
    {
        "clock",
        "concurrency",
        "breaker",
        "resilience",
        "actor",
        "supervisor",
        "swarm",
        "schema",
        "registry",
        "kafka",
        "events",
        "idempotency",
        "store",
        "saga",
        "outbox",
        "inbox",
        "tracing",
        "_proto",
        "_goprograms",
    }
)
#: The tooling's layers, bottom first: a package imports only packages of lower layers.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"exercises"}),
    frozenset({"runner"}),
    frozenset({"workbook", "authoring", "grading"}),
    frozenset({"cli"}),
)
#: The package's own ``__init__`` (the name ``twinbook`` alone), part of neither room.
ROOT = "twinbook"


@dataclass
class Graph:
    """Imports between the modules of one source tree (``twinbook.x.y`` names)."""

    modules: dict[str, Path] = field(default_factory=dict)
    edges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def packages(self) -> dict[str, set[str]]:
        """Package -> the other packages it imports (``twinbook.<package>``)."""
        out: dict[str, set[str]] = defaultdict(set)
        for source, targets in self.edges.items():
            for target in targets:
                if package_of(source) != package_of(target):
                    out[package_of(source)].add(package_of(target))
        for module in self.modules:
            out.setdefault(package_of(module), set())
        return dict(out)


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def _module_name(src: Path, path: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name a ``from ... import`` reads from."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def read_graph(src: Path, top: str = "twinbook") -> Graph:
    """The graph of every ``.py`` file under ``src/top`` (generated gRPC stubs included)."""
    src = Path(src)
    graph = Graph()
    trees: dict[str, tuple[ast.Module, bool]] = {}
    for path in sorted((src / top).rglob("*.py")):
        name = _module_name(src, path)
        graph.modules[name] = path
        trees[name] = (
            ast.parse(path.read_text(encoding="utf-8"), str(path)),
            path.stem == "__init__",
        )
    known = set(graph.modules)

    def target(name: str) -> str | None:
        # the longest known module the dotted name starts with (a name imported from a
        # module is not a module)
        while name:
            if name in known:
                return name
            name = name.rpartition(".")[0]
        return None

    for name, (tree, is_package) in trees.items():
        typing_only = _typing_only_imports(tree)
        for node in ast.walk(tree):
            found: list[str] = []
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node)
                found = [f"{base}.{alias.name}" for alias in node.names] or [base]
            for dotted in found:
                if not dotted.startswith(top):
                    continue
                hit = target(dotted)
                if hit is not None and hit != name:
                    graph.edges[name].add(hit)
    return graph


def _typing_only_imports(tree: ast.Module) -> set[int]:
    """The imports under ``if TYPE_CHECKING:``: the type checker reads them, the program
    never runs them, so they make no cycle and no dependency."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for stmt in node.body:
                out.update(
                    id(n) for n in ast.walk(stmt) if isinstance(n, ast.Import | ast.ImportFrom)
                )
    return out


def _layer(package: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS) if package in layer), None)


def violations(graph: Graph) -> list[str]:
    """Every broken rule, one line each (empty when the graph is sound)."""
    found: list[str] = []
    packages = graph.packages()
    for package in sorted(packages):
        if package not in LIBRARY and package != ROOT and _layer(package) is None:
            found.append(f"twinbook.{package}: neither a library package nor a tooling layer")
    for source in sorted(graph.edges):
        for target in sorted(graph.edges[source]):
            low, high = package_of(source), package_of(target)
            if low == high or high == ROOT:
                continue
            where = f"{source} imports {target}"
            if low in LIBRARY and high not in LIBRARY:
                found.append(f"{where}: the library imports the tooling")
            elif low == ROOT:
                found.append(f"{where}: the package's __init__ imports a subpackage")
            elif low not in LIBRARY and high not in LIBRARY:
                a, b = _layer(low), _layer(high)
                if a is not None and b is not None and b >= a:
                    kind = "a sideways" if a == b else "an upward"
                    found.append(f"{where}: {kind} import between tooling layers")
    found += [f"import cycle among {', '.join(group)}" for group in cycles(graph)]
    return found


def cycles(graph: Graph) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (the
    strongly connected components with more than one module), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph.modules):
        if node not in index:
            visit(node)
    return sorted(groups)


def render(graph: Graph) -> str:
    """The package graph, library first, then the tooling bottom-up."""
    packages = graph.packages()
    order = sorted(p for p in packages if p in LIBRARY) + [
        p for layer in LAYERS for p in sorted(layer) if p in packages
    ]
    order += sorted(p for p in packages if p not in order)
    lines = []
    for package in order:
        room = "library" if package in LIBRARY else ("package" if package == ROOT else "tooling")
        imports = ", ".join(sorted(packages[package])) or "-"
        lines.append(f"{room:8} {package:12} -> {imports}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    src = Path(args[0]) if args else Path(__file__).resolve().parents[2]
    graph = read_graph(src)
    print(render(graph))
    found = violations(graph)
    for line in found:
        print(f"error: {line}")
    print(f"{len(graph.modules)} modules, {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
