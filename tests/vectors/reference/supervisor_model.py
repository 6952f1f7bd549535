"""A reference model of the supervisor contract, used to validate the vector files.

This is a direct transcription of book/appendix/spec-supervisor.md (chapter 3's supervision
tree), written to be obviously correct rather than fast or elegant: a tree of plain objects,
one method per rule, so that the tests can override one method to break one rule. It
replays a vector file step by step and checks every expectation, so a vector that
contradicts the rules is caught before either implementation is asked to pass it.

The rules, in the order the model applies them:

- Building a tree validates its specification; a fault is a :class:`SpecError` naming the
  field (``strategy``, ``restart``, ``kind``, ``id``, ``intensity``, ``period_ms``,
  ``children``). Integers are JSON integers: ``3.0``, ``1e3`` and ``true`` are not.
- Starting a supervisor starts its children in list order, a nested supervisor's own
  children before its next sibling; every start is logged, the top supervisor's is not.
- A worker's exit asks for a restart by its restart type (permanent: always; transient:
  ``crash`` only; temporary: never, and it is removed). A restart is counted at the time
  of the exit; the restarts at ``T - period_ms <= t <= T`` are kept, and more than
  ``intensity`` of them make the supervisor give up.
- A restart is one_for_one (that child), one_for_all (terminate the other running children
  in reverse order, start all in order) or rest_for_one (the same for the failed child and
  those after it); temporary children terminated on the way are removed; a transient child
  that is not running is started, never terminated.
- Giving up logs ``give_up PATH``, terminates the running children in reverse order and,
  for a nested supervisor, is an exit with reason ``shutdown`` to its parent; the top one
  stops the tree, and every later exit is ignored.

Run it on files: ``python tests/vectors/reference/supervisor_model.py FILE...``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The shared loader and errors sit beside the models, which run as scripts or are loaded by
# path (the folder is not a package): make the folder importable either way.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # noqa: E402
from cases import Mismatch, VectorError  # noqa: E402

CONCEPT = "supervisor"
STRATEGIES = ("one_for_one", "one_for_all", "rest_for_one")
RESTARTS = ("permanent", "transient", "temporary")
KINDS = ("worker", "supervisor")
REASONS = ("normal", "shutdown", "crash")
FIELDS = {"strategy", "restart", "kind", "id", "intensity", "period_ms", "children"}
SUPERVISOR_KEYS = {"strategy", "intensity", "period_ms", "children"}
WORKER_KEYS = {"id", "restart", "kind"}
CHILD_SUPERVISOR_KEYS = WORKER_KEYS | SUPERVISOR_KEYS
CASE_KEYS = {"name", "tree", "steps", "expect_error"}
STEP_KEYS = {"at_ms", "exit", "expect"}
EXIT_KEYS = {"child", "reason"}
EXPECT_KEYS = {"log", "running", "stopped"}


# -- the specification and its validation ------------------------------------------------------


class SpecError(ValueError):
    """The specification is refused; ``field`` names the offending field, and so does the
    message (as a whole word, which is what a runner looks for)."""

    def __init__(self, field_name: str, where: str, problem: str) -> None:
        super().__init__(f"{where}: {field_name}: {problem}")
        self.field = field_name


@dataclass
class SupSpec:
    strategy: str
    intensity: int
    period_ms: int
    children: list[ChildSpec]


@dataclass
class ChildSpec:
    id: str
    restart: str
    sup: SupSpec | None  # None for a worker


def is_json_integer(value: object) -> bool:
    """JSON integers only: Python's json gives ``3.0`` and ``1e3`` as floats, ``true`` as bool."""
    return isinstance(value, int) and not isinstance(value, bool)


class Validator:
    """Turns the JSON-shaped tree into a :class:`SupSpec`, or raises :class:`SpecError`.

    Keys the format does not know are a malformed vector (:class:`VectorError`), not a
    specification fault: the contract names no field for them.
    """

    def supervisor(self, raw: dict, where: str) -> SupSpec:
        strategy = raw.get("strategy")
        if strategy not in STRATEGIES:
            raise SpecError("strategy", where, f"want one of {STRATEGIES}, got {strategy!r}")
        intensity = raw.get("intensity")
        if not self.intensity_ok(intensity):
            raise SpecError("intensity", where, f"want a JSON integer >= 0, got {intensity!r}")
        period = raw.get("period_ms")
        if not self.period_ok(period):
            raise SpecError("period_ms", where, f"want a JSON integer > 0, got {period!r}")
        children = raw.get("children")
        if not isinstance(children, list) or not all(isinstance(c, dict) for c in children):
            raise SpecError("children", where, f"want a list of objects, got {children!r}")
        specs = [self.child(c, f"{where}.children[{i}]") for i, c in enumerate(children)]
        self.check_unique(specs, where)
        return SupSpec(strategy, intensity, period, specs)

    def check_unique(self, specs: list[ChildSpec], where: str) -> None:
        seen: set[str] = set()
        for spec in specs:
            if spec.id in seen:
                raise SpecError("id", where, f"duplicate {spec.id!r} among siblings")
            seen.add(spec.id)

    def intensity_ok(self, value: object) -> bool:
        return is_json_integer(value) and value >= 0

    def period_ok(self, value: object) -> bool:
        return is_json_integer(value) and value > 0

    def id_ok(self, value: object) -> bool:
        return isinstance(value, str) and value != "" and "/" not in value

    def child(self, raw: dict, where: str) -> ChildSpec:
        kind = raw.get("kind", "worker")
        if kind not in KINDS:
            raise SpecError("kind", where, f"want one of {KINDS}, got {kind!r}")
        known = CHILD_SUPERVISOR_KEYS if kind == "supervisor" else WORKER_KEYS
        if unknown := set(raw) - known:
            raise VectorError(f"{where}: keys the format does not know: {sorted(unknown)}")
        cid = raw.get("id")
        if not self.id_ok(cid):
            raise SpecError("id", where, f"want a non-empty string without '/', got {cid!r}")
        restart = raw.get("restart")
        if restart not in RESTARTS:
            raise SpecError("restart", where, f"want one of {RESTARTS}, got {restart!r}")
        sub = self.supervisor(raw, where) if kind == "supervisor" else None
        return ChildSpec(cid, restart, sub)

    def top(self, raw: object) -> SupSpec:
        if not isinstance(raw, dict):
            raise VectorError(f"tree: want an object, got {raw!r}")
        if unknown := set(raw) - SUPERVISOR_KEYS:
            raise VectorError(f"tree: keys the format does not know: {sorted(unknown)}")
        return self.supervisor(raw, "tree")


# -- the running tree --------------------------------------------------------------------------


@dataclass
class Child:
    spec: ChildSpec
    path: str
    running: bool = False
    sup: Sup | None = None  # the running instance of a nested supervisor


@dataclass
class Sup:
    spec: SupSpec
    path: str  # "/" for the top supervisor
    parent: Sup | None
    children: list[Child] = field(default_factory=list)  # removed children are dropped
    history: list[int] = field(default_factory=list)  # the times of its counted restarts

    def prefix(self) -> str:
        return "" if self.parent is None else self.path + "/"


class Tree:
    """The deterministic core: ``start`` and ``exit`` return the action log."""

    validator = Validator()

    def __init__(self, raw: object) -> None:
        self.spec = self.validator.top(raw)
        self.top = Sup(self.spec, "/", None)
        self.stopped = False
        self.log: list[str] = []

    # ---- events

    def start(self, now: int) -> list[str]:
        self.log = []
        self.top.children = self.fresh_children(self.top)
        for child in self.top.children:
            self.start_child(self.top, child, now)
        return self.log

    def exit(self, path: str, reason: str, now: int) -> list[str]:
        self.log = []
        if self.stopped:
            return self.log
        if reason not in REASONS:
            raise VectorError(f"exit: unknown reason {reason!r}")
        if not isinstance(path, str):
            raise VectorError(f"exit: child must be a path, got {path!r}")
        sup, child = self.find(path)
        if child is None or child.spec.sup is not None or not child.running:
            raise VectorError(f"exit: {path!r} is not a running worker")
        self.child_ended(sup, child, reason, now)
        return self.log

    def running(self) -> list[str]:
        return self.running_under(self.top) if not self.stopped else []

    # ---- rules, one method each (the tests break them one at a time)

    def fresh_children(self, sup: Sup) -> list[Child]:
        return [Child(spec, sup.prefix() + spec.id) for spec in sup.spec.children]

    def start_child(self, sup: Sup, child: Child, now: int) -> None:
        self.log.append(f"start {child.path}")
        child.running = True
        if child.spec.sup is not None:
            child.sup = self.new_nested(child, sup)
            for grandchild in child.sup.children:
                self.start_child(child.sup, grandchild, now)

    def new_nested(self, child: Child, parent: Sup) -> Sup:
        """A nested supervisor starts with an empty history and every child of its spec."""
        nested = Sup(child.spec.sup, child.path, parent)
        nested.children = self.fresh_children(nested)
        return nested

    def wants_restart(self, restart: str, reason: str) -> bool:
        if restart == "permanent":
            return True
        if restart == "transient":
            return reason == "crash"
        return False

    def child_ended(self, sup: Sup, child: Child, reason: str, now: int) -> None:
        """``child`` of ``sup`` terminated by itself (a worker's exit or a nested give-up)."""
        child.running = False
        child.sup = None
        if not self.wants_restart(child.spec.restart, reason):
            if child.spec.restart == "temporary":
                self.remove(sup, child)
            return
        if self.too_many_restarts(sup, child, now):
            self.give_up(sup, now)
            return
        self.restart(sup, child, now)

    def remove(self, sup: Sup, child: Child) -> None:
        sup.children.remove(child)

    def too_many_restarts(self, sup: Sup, child: Child, now: int) -> bool:
        sup.history.append(now)
        sup.history = [t for t in sup.history if self.in_period(t, now, sup.spec.period_ms)]
        return self.exceeds(len(sup.history), sup.spec.intensity)

    def in_period(self, t: int, now: int, period_ms: int) -> bool:
        return now - period_ms <= t <= now

    def exceeds(self, count: int, intensity: int) -> bool:
        return count > intensity

    def restart(self, sup: Sup, failed: Child, now: int) -> None:
        strategy = sup.spec.strategy
        if strategy == "one_for_one":
            affected = [failed]
        elif strategy == "one_for_all":
            affected = list(sup.children)
        else:
            affected = sup.children[sup.children.index(failed) :]
        self.restart_children(sup, failed, affected, now)

    def restart_children(self, sup: Sup, failed: Child, affected: list[Child], now: int) -> None:
        for child in self.termination_order(affected):
            if child is not failed and child.running:
                self.terminate(child)
                if child.spec.restart == "temporary":
                    self.remove(sup, child)
        for child in affected:
            if child in sup.children and not child.running:
                self.start_child(sup, child, now)

    def termination_order(self, children: list[Child]) -> list[Child]:
        return list(reversed(children))

    def terminate(self, child: Child) -> None:
        """Terminate a running child: a nested supervisor's running children first."""
        if child.sup is not None:
            for grandchild in self.termination_order(child.sup.children):
                if grandchild.running:
                    self.terminate(grandchild)
        self.log.append(f"terminate {child.path}")
        child.running = False
        child.sup = None

    def give_up(self, sup: Sup, now: int) -> None:
        self.log.append(f"give_up {sup.path}")
        for child in self.termination_order(sup.children):
            if child.running:
                self.terminate(child)
        self.gave_up(sup, now)

    def gave_up(self, sup: Sup, now: int) -> None:
        """To its parent a supervisor that gave up is a child that ended with ``shutdown``."""
        if sup.parent is None:
            self.stopped = True
            return
        self.child_ended(sup.parent, self.child_of(sup.parent, sup.path), "shutdown", now)

    # ---- lookups

    def child_of(self, sup: Sup, path: str) -> Child:
        return next(c for c in sup.children if c.path == path)

    def find(self, path: str) -> tuple[Sup, Child | None]:
        """The supervisor that owns ``path`` and the child there (None when there is none)."""
        sup = self.top
        parts = path.split("/")
        for depth, part in enumerate(parts):
            child = next((c for c in sup.children if c.spec.id == part), None)
            if child is None or depth == len(parts) - 1:
                return sup, child
            if child.sup is None:
                return sup, None
            sup = child.sup
        return sup, None

    def running_under(self, sup: Sup) -> list[str]:
        paths: list[str] = []
        for child in sup.children:
            if child.running:
                paths.append(child.path)
                if child.sup is not None:
                    paths.extend(self.running_under(child.sup))
        return paths


# -- replaying a case --------------------------------------------------------------------------


def names_as_word(message: str, word: str) -> bool:
    """Whether ``word`` stands in ``message`` as a whole word: no letter, digit or ``_``
    right before or after it (so ``id`` is not found in ``child_id`` nor in ``ids``)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", message) is not None


def _fail(where: str, key: str, want: object, got: object) -> None:
    raise Mismatch(f"{where}: expect.{key}: want {want!r}, got {got!r}")


def _check_shape(case: object) -> str:
    if not isinstance(case, dict):
        raise VectorError(f"a case must be an object, got {case!r}")
    name = case.get("name")
    if not isinstance(name, str) or not name:
        raise VectorError(f"a case needs a non-empty name: {case!r}"[:200])
    if unknown := set(case) - CASE_KEYS:
        raise VectorError(f"{name}: unknown case keys {sorted(unknown)}")
    if "tree" not in case:
        raise VectorError(f"{name}: no tree")
    if ("steps" in case) == ("expect_error" in case):
        raise VectorError(f"{name}: a case has either steps or expect_error, not both or neither")
    return name


def _build(name: str, tree_class: type[Tree], raw: object) -> Tree:
    try:
        return tree_class(raw)
    except VectorError as exc:
        raise VectorError(f"{name}: {exc}") from exc


def _replay(case: dict, tree_class: type[Tree]) -> int:
    name = _check_shape(case)
    if "expect_error" in case:
        want = case["expect_error"]
        if want not in FIELDS:
            raise VectorError(f"{name}: expect_error must be one of {sorted(FIELDS)}, got {want!r}")
        try:
            _build(name, tree_class, case["tree"])
        except SpecError as exc:
            if exc.field != want or not names_as_word(str(exc), want):
                _fail(name, "error", want, str(exc))
            return 1
        _fail(name, "error", want, "the tree was built")
    try:
        tree = _build(name, tree_class, case["tree"])
    except SpecError as exc:
        raise VectorError(f"{name}: the tree is refused ({exc}) but no error expected") from exc
    steps = case["steps"]
    if not isinstance(steps, list) or not steps:
        raise VectorError(f"{name}: steps must be a non-empty list")
    checks = 0
    clock = 0
    for number, step in enumerate(steps):
        where = f"{name}: step {number}"
        if not isinstance(step, dict):
            raise VectorError(f"{where}: a step must be an object")
        if unknown := set(step) - STEP_KEYS:
            raise VectorError(f"{where}: unknown step keys {sorted(unknown)}")
        at = step.get("at_ms")
        if not is_json_integer(at) or at < clock:
            raise VectorError(f"{where}: at_ms {at!r} is not a whole number >= {clock}")
        clock = at
        expect = step.get("expect")
        if not isinstance(expect, dict) or "log" not in expect:
            raise VectorError(f"{where}: every step has an expect with a log")
        if unknown := set(expect) - EXPECT_KEYS:
            raise VectorError(f"{where}: unknown expect keys {sorted(unknown)}")
        if number == 0:
            if at != 0 or "exit" in step:
                raise VectorError(f"{where}: the first step starts the tree: at_ms 0, no exit")
            log = tree.start(at)
        else:
            ex = step.get("exit")
            if not isinstance(ex, dict) or set(ex) != EXIT_KEYS:
                raise VectorError(f"{where}: every later step has an exit {{child, reason}}")
            try:
                log = tree.exit(ex["child"], ex["reason"], at)
            except VectorError as exc:
                raise VectorError(f"{where}: {exc}") from exc
        got = {"log": log, "running": tree.running(), "stopped": tree.stopped}
        for key, want in expect.items():
            if key == "stopped" and not isinstance(want, bool):
                raise VectorError(f"{where}: expect.stopped must be true or false")
            if key != "stopped" and (
                not isinstance(want, list) or not all(isinstance(w, str) for w in want)
            ):
                raise VectorError(f"{where}: expect.{key} must be a list of strings")
            checks += 1
            if want != got[key]:
                _fail(where, key, want, got[key])
    return checks


def run_case(case: dict, tree_class: type[Tree] = Tree) -> int:
    """Replay one case; return how many expectations were checked. Raises on the first miss.

    ``tree_class`` replaces the model (the tests pass copies with one rule broken). Whether a
    case is well formed is the true model's call: a broken copy that cannot replay a case the
    true model accepts (an exit of a child it has not restarted, say) fails that case.
    """
    if tree_class is Tree:
        return _replay(case, Tree)
    _replay(case, Tree)
    try:
        return _replay(case, tree_class)
    except VectorError as exc:
        raise Mismatch(f"{exc}") from exc


def load_cases(path: Path) -> list[dict]:
    """The cases of one supervisor vector file; the whole file is refused, naming it and the
    reason, when it is not a JSON object with the concept ``supervisor`` and a non-empty
    ``cases`` list."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise VectorError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise VectorError(f"{path}: not a JSON object")
    if unknown := set(data) - cases.FILE_KEYS:
        raise VectorError(f"{path}: unknown keys {sorted(unknown)}")
    if data.get("concept") != CONCEPT:
        raise VectorError(f"{path}: concept {data.get('concept')!r} is not {CONCEPT!r}")
    if not isinstance(data.get("cases"), list) or not data["cases"]:
        raise VectorError(f"{path}: cases must be a non-empty list")
    return cases.load_cases(Path(path), CONCEPT)


if __name__ == "__main__":
    sys.exit(cases.main(sys.argv[1:], CONCEPT, run_case, load=load_cases))
