"""The supervisor conformance vectors agree with the reference model of its contract.

Every case in tests/vectors/supervisor/*.json is replayed by
tests/vectors/reference/supervisor_model.py (a plain transcription of
book/appendix/spec-supervisor.md) and must meet every expectation. The files are checked to
be well formed without the model's help (unique names, known keys, the first step starting
the tree, time never going back), the model is shown to refuse wrong expectations and
malformed cases and files, and copies of the model with one rule broken each are shown to
fail some case: every rule is pinned by at least one vector.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.vectors.reference.cases import (
    REFERENCE,
    cases_catching,
    duplicate_names,
    file_cases,
    first_case,
    load_model,
    load_script,
    vector_files,
)

model = load_model("supervisor")
FILES = vector_files("supervisor")
CASES = file_cases("supervisor")
TOPIC_OF_FILE = {
    "one_for_one.json": "one_for_one:",
    "one_for_all.json": "one_for_all:",
    "rest_for_one.json": "rest_for_one:",
    "restart_types.json": "restart:",
    "intensity.json": "intensity:",
    "nested.json": "nested:",
    "invalid.json": "invalid:",
    "after_give_up.json": "after_give_up:",
    "edge.json": "edge:",
}


def _steps(case: dict) -> list[dict]:
    return case.get("steps", [])


def _all_steps() -> list[dict]:
    return [step for _, case in CASES for step in _steps(case)]


def _walk(tree: dict):
    """Every supervisor object of a tree (the top one and the nested ones)."""
    yield tree
    for child in tree.get("children") or []:
        if isinstance(child, dict) and child.get("kind") == "supervisor":
            yield from _walk(child)


# -- the files ---------------------------------------------------------------------------------


def test_there_are_vector_files_of_every_theme_with_at_least_40_cases():
    assert sorted(p.name for p in FILES) == sorted(TOPIC_OF_FILE)
    assert len(CASES) >= 40, len(CASES)
    for path in FILES:
        assert model.load_cases(path), path.name  # the model's loader: non-empty cases


def test_case_names_are_unique_and_start_with_their_files_topic():
    assert duplicate_names(CASES) == []
    wrong = [(f, c["name"]) for f, c in CASES if not c["name"].startswith(TOPIC_OF_FILE[f])]
    assert wrong == []


@pytest.mark.parametrize(("file", "case"), CASES, ids=[case["name"] for _, case in CASES])
def test_case_agrees_with_the_reference_model(file, case):
    checks = model.run_case(case)
    assert checks >= max(1, len(_steps(case))), f"{file}: every step checks at least its log"


@pytest.mark.parametrize(("file", "case"), CASES, ids=[case["name"] for _, case in CASES])
def test_case_is_well_formed(file, case):
    # Written apart from the model, so a lax model cannot wave a malformed file through.
    assert set(case) in ({"name", "tree", "steps"}, {"name", "tree", "expect_error"}), file
    if "expect_error" in case:
        assert case["expect_error"] in model.FIELDS
        return
    steps = case["steps"]
    assert steps and steps[0]["at_ms"] == 0 and "exit" not in steps[0]
    times = [step["at_ms"] for step in steps]
    assert times == sorted(times) and all(type(t) is int for t in times)
    for step in steps:
        assert set(step) <= {"at_ms", "exit", "expect"} and "log" in step["expect"]
        assert set(step["expect"]) <= {"log", "running", "stopped"}
    for step in steps[1:]:
        assert set(step["exit"]) == {"child", "reason"}


def test_every_field_strategy_restart_reason_and_expect_key_is_exercised():
    assert {c["expect_error"] for _, c in CASES if "expect_error" in c} == model.FIELDS
    steps = _all_steps()
    assert {k for step in steps for k in step["expect"]} == model.EXPECT_KEYS
    reasons = {step["exit"]["reason"] for step in steps if "exit" in step}
    assert set(model.REASONS) <= reasons
    trees = [c["tree"] for _, c in CASES if "steps" in c]
    sups = [sup for tree in trees for sup in _walk(tree)]
    assert {sup["strategy"] for sup in sups} == set(model.STRATEGIES)
    children = [child for sup in sups for child in sup["children"]]
    assert {child["restart"] for child in children} == set(model.RESTARTS)
    assert {child.get("kind", "worker") for child in children} == set(model.KINDS)
    for topic in TOPIC_OF_FILE.values():
        assert any(c["name"].startswith(topic) for _, c in CASES), topic


def test_each_kind_of_integer_fault_has_a_case_for_intensity_and_period_ms():
    # 3.0, 1e3 and true are not JSON integers; json.loads turns the first two into floats,
    # so the raw text is what shows that each spelling is there.
    text = (REFERENCE.parent / "supervisor" / "invalid.json").read_text(encoding="utf-8")
    for spelling in ('"intensity": 3.0', '"intensity": 1e3', '"intensity": true'):
        assert spelling in text
    for spelling in ('"period_ms": 1000.0', '"period_ms": 1e3', '"period_ms": true'):
        assert spelling in text
    errors = defaultdict(set)
    for _, case in CASES:
        if "expect_error" in case:
            errors[case["expect_error"]].add(case["name"])
    assert all(len(names) >= 3 for names in errors.values()), dict(errors)


# -- the model refuses what it must ------------------------------------------------------------

ESCALATION = "nested: a give-up escalates as one restart of the parent"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("log", ["give_up db", "give_up /", "terminate db/conn1", "terminate z", "terminate a"]),
        ("log", ["give_up db", "terminate db/conn1", "give_up /", "terminate a", "terminate z"]),
        ("running", ["a", "z"]),
        ("stopped", False),
    ],
    ids=["log-order", "log-reverse-order", "running", "stopped"],
)
def test_the_model_rejects_a_wrong_expectation(key, value):
    case = first_case(CASES, ESCALATION)
    step = case["steps"][1]
    assert step["expect"][key] != value
    step["expect"][key] = value
    with pytest.raises(model.Mismatch, match=f"expect.{key}"):
        model.run_case(case)


def test_the_model_rejects_an_error_naming_another_field():
    case = first_case(CASES, "invalid: period_ms 0")
    case["expect_error"] = "intensity"
    with pytest.raises(model.Mismatch, match="expect.error"):
        model.run_case(case)


def test_the_model_rejects_an_expected_error_for_a_valid_tree():
    case = first_case(CASES, "invalid: period_ms 0")
    case["tree"]["period_ms"] = 1
    with pytest.raises(model.Mismatch, match="was built"):
        model.run_case(case)


def _exit(at, child, reason="crash"):
    return {"at_ms": at, "exit": {"child": child, "reason": reason}, "expect": {"log": []}}


NESTED_TRANSIENT = "nested: a transient nested supervisor that gives up is not restarted"


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda c: c["steps"].append(_exit(20, "db")), "'db' is not a running worker"),
        (lambda c: c["steps"].append(_exit(20, "db/conn2")), "'db/conn2' is not a running"),
        (lambda c: c["steps"].append(_exit(20, "nobody")), "'nobody' is not a running"),
        (lambda c: c["steps"].append(_exit(20, "a/x")), "'a/x' is not a running"),
        (lambda c: c["steps"].append(_exit(20, "a", "vanished")), "unknown reason 'vanished'"),
        (lambda c: c["steps"].append(_exit(5, "a")), "at_ms 5 is not a whole number >= 10"),
        (lambda c: c["steps"].append(_exit(20.5, "a")), "at_ms 20.5"),
        (lambda c: c["steps"][0].update(at_ms=1), "the first step starts the tree"),
        (lambda c: c["steps"][0].update(exit={"child": "a", "reason": "crash"}), "first step"),
        (lambda c: c["steps"][1].pop("exit"), "every later step has an exit"),
        (lambda c: c["steps"][1]["exit"].update(after_ms=3), "every later step has an exit"),
        (lambda c: c["steps"][1].update(note="x"), "unknown step keys"),
        (lambda c: c["steps"][1]["expect"].update(restarts=1), "unknown expect keys"),
        (lambda c: c["steps"][1]["expect"].pop("log"), "expect with a log"),
        (lambda c: c["steps"][1]["expect"].update(stopped="no"), "true or false"),
        (lambda c: c["steps"][1]["expect"].update(running="a"), "list of strings"),
        (lambda c: c.update(expect_error="id"), "either steps or expect_error"),
        (lambda c: c.update(colour="red"), "unknown case keys"),
        (lambda c: c.update(steps=[]), "non-empty list"),
        (lambda c: c["tree"].update(name="top"), "keys the format does not know"),
        (lambda c: c["tree"]["children"][0].update(strategy="one_for_one"), "does not know"),
        (lambda c: c["tree"].update(intensity=-1), "refused .* but no error expected"),
    ],
    ids=[
        "exit-a-supervisor",
        "exit-a-stopped-child",
        "exit-an-unknown-path",
        "exit-under-a-worker",
        "unknown-reason",
        "time-goes-back",
        "fractional-time",
        "first-step-not-at-0",
        "first-step-with-an-exit",
        "later-step-without-exit",
        "unknown-exit-key",
        "unknown-step-key",
        "unknown-expect-key",
        "no-log",
        "stopped-not-a-bool",
        "running-not-a-list",
        "steps-and-expect-error",
        "unknown-case-key",
        "no-steps",
        "unknown-tree-key",
        "supervisor-keys-on-a-worker",
        "invalid-tree-with-steps",
    ],
)
def test_the_model_rejects_a_malformed_case_naming_it(mutate, match):
    case = first_case(CASES, NESTED_TRANSIENT)  # db gives up at 10 ms: a and z still run
    mutate(case)
    with pytest.raises(model.VectorError, match=match) as caught:
        model.run_case(case)
    assert NESTED_TRANSIENT in str(caught.value)


def test_the_model_rejects_an_exit_of_a_removed_temporary_child():
    case = first_case(CASES, "one_for_all: a temporary child terminated by the restart")
    case["steps"].append(_exit(70, "t"))
    with pytest.raises(model.VectorError, match="'t' is not a running worker"):
        model.run_case(case)


def test_the_model_rejects_an_unknown_expect_error_field():
    case = first_case(CASES, "invalid: period_ms 0")
    case["expect_error"] = "period"
    with pytest.raises(model.VectorError, match="expect_error must be one of"):
        model.run_case(case)


def _write(tmp_path: Path, data: object, name: str = "broken.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


ONE_CASE = {"concept": "supervisor", "cases": [CASES[0][1]]}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([ONE_CASE], "not a JSON object"),
        ('{"concept": "supervisor", "cases": [', "not JSON"),
        ({"concept": "breaker", "cases": ONE_CASE["cases"]}, "concept 'breaker' is not"),
        ({"cases": ONE_CASE["cases"]}, "concept None is not"),
        ({"concept": "supervisor", "cases": []}, "cases must be a non-empty list"),
        ({"concept": "supervisor", "cases": {}}, "cases must be a non-empty list"),
        ({"concept": "supervisor"}, "cases must be a non-empty list"),
        (dict(ONE_CASE, version=2), "unknown keys"),
    ],
    ids=[
        "not-an-object",
        "not-json",
        "another-concept",
        "no-concept",
        "empty-cases",
        "cases-not-a-list",
        "no-cases",
        "unknown-file-key",
    ],
)
def test_the_model_refuses_a_malformed_file_naming_it(tmp_path, data, match):
    path = _write(tmp_path, data)
    with pytest.raises(model.VectorError, match=match) as caught:
        model.load_cases(path)
    assert str(path) in str(caught.value)


def test_the_script_reports_each_failing_case_and_file_by_name(tmp_path):
    bad_case = first_case(CASES, NESTED_TRANSIENT)
    bad_case["steps"].append(_exit(20, "db"))
    good = _write(tmp_path, ONE_CASE, "good.json")
    broken = _write(tmp_path, {"concept": "supervisor", "cases": []}, "empty.json")
    failing = _write(tmp_path, {"concept": "supervisor", "cases": [bad_case]}, "bad.json")
    script = REFERENCE / "supervisor_model.py"
    run = subprocess.run(
        [sys.executable, str(script), str(good), str(broken), str(failing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert lines[-1] == "2 case(s) failed"
    assert any(line.startswith(f"FAIL {broken}: ") and "non-empty" in line for line in lines)
    assert any(line.startswith(f"FAIL {failing}: {NESTED_TRANSIENT}") for line in lines)
    ok = subprocess.run(
        [sys.executable, str(script), *map(str, FILES)], capture_output=True, text=True, check=False
    )
    assert (ok.returncode, ok.stdout.splitlines()[-1]) == (0, "ok"), ok.stdout


@pytest.mark.parametrize(
    ("message", "word", "found"),
    [
        ("tree.children[1]: id: want a non-empty string", "id", True),
        ("bad id", "id", True),
        ("id", "id", True),
        ("invalid child_id", "id", False),
        ("the ids clash", "id", False),
        ("id2 is wrong", "id", False),
        ("period_ms: want a JSON integer > 0", "period_ms", True),
        ("period_ms must be positive", "period", False),
        ("Restart: unknown", "restart", False),
        ("children[0]", "children", True),
    ],
)
def test_an_error_names_a_field_only_as_a_whole_word(message, word, found):
    assert model.names_as_word(message, word) is found


# -- every rule is pinned: a model with any one rule broken fails at least one case -----------

Tree = model.Tree
Validator = model.Validator


class GivesUpAtIntensity(Tree):  # ">=" instead of ">"
    def exceeds(self, count, intensity):
        return count >= intensity


class PeriodBoundaryExclusive(Tree):  # a restart exactly period_ms ago no longer counts
    def in_period(self, t, now, period_ms):
        return now - period_ms < t <= now


class CountsPerChild(Tree):  # Akka and protoactor-go count restarts per child
    def too_many_restarts(self, sup, child, now):
        histories = self.__dict__.setdefault("per_child", {})
        history = [
            t for t in [*histories.get(child.path, []), now] if now - t <= sup.spec.period_ms
        ]
        histories[child.path] = history
        return len(history) > sup.spec.intensity


class CountsExitsThatAskNoRestart(Tree):
    def child_ended(self, sup, child, reason, now):
        if not self.wants_restart(child.spec.restart, reason):
            child.running = False
            child.sup = None
            if child.spec.restart == "temporary":
                self.remove(sup, child)
            if self.too_many_restarts(sup, child, now):
                self.give_up(sup, now)
            return
        super().child_ended(sup, child, reason, now)


class TerminatesInStartOrder(Tree):
    def termination_order(self, children):
        return list(children)


class TemporaryNotRemoved(Tree):  # a temporary child that ended stays, as if transient
    def remove(self, sup, child):
        pass


class TransientRestartedOnNormal(Tree):
    def wants_restart(self, restart, reason):
        return super().wants_restart(restart, reason) or (
            restart == "transient" and reason == "normal"
        )


class TransientRestartedOnShutdown(Tree):
    def wants_restart(self, restart, reason):
        return super().wants_restart(restart, reason) or (
            restart == "transient" and reason == "shutdown"
        )


class PermanentOnlyOnCrash(Tree):  # permanent read as transient
    def wants_restart(self, restart, reason):
        return (
            reason == "crash" if restart == "permanent" else super().wants_restart(restart, reason)
        )


class TemporaryRestartedOnCrash(Tree):
    def wants_restart(self, restart, reason):
        return super().wants_restart(restart, reason) or (
            restart == "temporary" and reason == "crash"
        )


class NestedGiveUpSeenAsCrash(Tree):
    def gave_up(self, sup, now):
        if sup.parent is None:
            self.stopped = True
            return
        self.child_ended(sup.parent, self.child_of(sup.parent, sup.path), "crash", now)


class NestedGiveUpStopsTheTree(Tree):
    def gave_up(self, sup, now):
        self.stopped = True


class NestedRestartKeepsHistory(Tree):
    def new_nested(self, child, parent):
        kept = self.__dict__.setdefault("histories", {})
        nested = super().new_nested(child, parent)
        nested.history = kept.setdefault(child.path, [])
        return nested


class NestedRestartKeepsRemovedChildrenOut(Tree):  # restarts only the children it still had
    def new_nested(self, child, parent):
        nested = super().new_nested(child, parent)
        gone = self.__dict__.setdefault("gone", set())
        nested.children = [c for c in nested.children if c.path not in gone]
        return nested

    def remove(self, sup, child):
        self.__dict__.setdefault("gone", set()).add(child.path)
        super().remove(sup, child)

    def child_ended(self, sup, child, reason, now):
        if child.spec.restart == "transient" and reason != "crash":
            self.__dict__.setdefault("gone", set()).add(child.path)
        super().child_ended(sup, child, reason, now)


class RestartCountedByAncestorsToo(Tree):  # a restart deep down counts in every supervisor
    def too_many_restarts(self, sup, child, now):
        over = super().too_many_restarts(sup, child, now)
        parent = sup.parent
        while parent is not None and not over:
            over = super().too_many_restarts(parent, child, now)
            parent = parent.parent
        return over


class OneForAllRestartsTemporary(Tree):  # terminated temporary children started again
    def restart_children(self, sup, failed, affected, now):
        for child in self.termination_order(affected):
            if child is not failed and child.running:
                self.terminate(child)
        for child in affected:
            if child in sup.children and not child.running:
                self.start_child(sup, child, now)


class TerminatesStoppedChildren(Tree):  # logs terminate for a transient child already stopped
    def restart_children(self, sup, failed, affected, now):
        for child in self.termination_order(affected):
            if child is not failed and not child.running:
                self.log.append(f"terminate {child.path}")
        super().restart_children(sup, failed, affected, now)


class LeavesStoppedChildrenStopped(Tree):  # a restart starts only what it terminated
    def restart_children(self, sup, failed, affected, now):
        was_running = [c for c in affected if c is failed or c.running]
        super().restart_children(sup, failed, was_running, now)


class RestForOneTouchesEarlierChildren(Tree):
    def restart(self, sup, failed, now):
        if sup.spec.strategy == "rest_for_one":
            self.restart_children(sup, failed, list(sup.children), now)
        else:
            super().restart(sup, failed, now)


class RestForOneRestartsOnlyTheFailed(Tree):
    def restart(self, sup, failed, now):
        if sup.spec.strategy == "rest_for_one":
            self.restart_children(sup, failed, [failed], now)
        else:
            super().restart(sup, failed, now)


class OneForAllActsAsOneForOne(Tree):
    def restart(self, sup, failed, now):
        if sup.spec.strategy == "one_for_all":
            self.restart_children(sup, failed, [failed], now)
        else:
            super().restart(sup, failed, now)


class RestartMovesTheChildLast(Tree):  # "restarting a child does not move it"
    def start_child(self, sup, child, now):
        if child in sup.children and child.path in self.__dict__.setdefault("started", set()):
            sup.children.remove(child)
            sup.children.append(child)
        self.__dict__["started"].add(child.path)
        super().start_child(sup, child, now)


class LogsTerminateForAGivingUpSupervisor(Tree):
    def give_up(self, sup, now):
        self.log.append(f"give_up {sup.path}")
        for child in self.termination_order(sup.children):
            if child.running:
                self.terminate(child)
        self.log.append(f"terminate {sup.path}")
        self.gave_up(sup, now)


class LogsGiveUpAfterTerminating(Tree):
    def give_up(self, sup, now):
        for child in self.termination_order(sup.children):
            if child.running:
                self.terminate(child)
        self.log.append(f"give_up {sup.path}")
        self.gave_up(sup, now)


class TerminatesNestedBeforeItsChildren(Tree):
    def terminate(self, child):
        if child.sup is None:
            super().terminate(child)
            return
        self.log.append(f"terminate {child.path}")
        nested = child.sup
        for grandchild in self.termination_order(nested.children):
            if grandchild.running:
                super().terminate(grandchild)
        child.running = False
        child.sup = None


class LogsNestedStartAfterItsChildren(Tree):
    def start_child(self, sup, child, now):
        mark = len(self.log)
        super().start_child(sup, child, now)
        if child.spec.sup is not None:
            entry = self.log.pop(mark)
            self.log.append(entry)


class ExitsAfterGiveUpStillReact(Tree):  # a stopped tree still restarts what it is told of
    def exit(self, path, reason, now):
        if self.stopped and reason in model.REASONS:
            self.stopped = False
            self.log = []
            sup, child = self.find(path)
            if child is not None and child.spec.sup is None:
                self.start_child(sup, child, now)
            return self.log
        return super().exit(path, reason, now)


class NotAJsonIntegerValidator(Validator):  # 3.0 and 1e3 taken for 3 and 1000
    def intensity_ok(self, value):
        return super().intensity_ok(int(value) if isinstance(value, float) else value)

    def period_ok(self, value):
        return super().period_ok(int(value) if isinstance(value, float) else value)


class TrueIsOneValidator(Validator):  # Python's bool is an int: isinstance(True, int)
    def intensity_ok(self, value):
        return isinstance(value, int) and value >= 0

    def period_ok(self, value):
        return isinstance(value, int) and value > 0


class PeriodZeroValidator(Validator):
    def period_ok(self, value):
        return model.is_json_integer(value) and value >= 0


class SlashInIdValidator(Validator):
    def id_ok(self, value):
        return isinstance(value, str) and value != ""


class DuplicateIdsValidator(Validator):
    def check_unique(self, specs, where):
        pass


class KindRequiredValidator(Validator):
    def child(self, raw, where):
        if "kind" not in raw:
            raise model.SpecError("kind", where, "missing")
        return super().child(raw, where)


class NoEmptyChildrenValidator(Validator):
    def supervisor(self, raw, where):
        if raw.get("children") == []:
            raise model.SpecError("children", where, "empty")
        return super().supervisor(raw, where)


class FieldNotAsAWordValidator(Validator):  # "bad child_id", "bad restart_type", ...
    def top(self, raw):
        try:
            return super().top(raw)
        except model.SpecError as exc:
            reworded = model.SpecError(exc.field, "", "")
            reworded.args = (f"invalid spec: bad {exc.field}_value",)
            raise reworded from exc


def _with(validator: type) -> type:
    return type(validator.__name__.removesuffix("Validator"), (Tree,), {"validator": validator()})


MUTANTS = [
    GivesUpAtIntensity,
    PeriodBoundaryExclusive,
    CountsPerChild,
    CountsExitsThatAskNoRestart,
    TerminatesInStartOrder,
    TemporaryNotRemoved,
    TransientRestartedOnNormal,
    TransientRestartedOnShutdown,
    PermanentOnlyOnCrash,
    TemporaryRestartedOnCrash,
    NestedGiveUpSeenAsCrash,
    NestedGiveUpStopsTheTree,
    NestedRestartKeepsHistory,
    NestedRestartKeepsRemovedChildrenOut,
    RestartCountedByAncestorsToo,
    OneForAllRestartsTemporary,
    TerminatesStoppedChildren,
    LeavesStoppedChildrenStopped,
    RestForOneTouchesEarlierChildren,
    RestForOneRestartsOnlyTheFailed,
    OneForAllActsAsOneForOne,
    RestartMovesTheChildLast,
    LogsTerminateForAGivingUpSupervisor,
    LogsGiveUpAfterTerminating,
    TerminatesNestedBeforeItsChildren,
    LogsNestedStartAfterItsChildren,
    ExitsAfterGiveUpStillReact,
    _with(NotAJsonIntegerValidator),
    _with(TrueIsOneValidator),
    _with(PeriodZeroValidator),
    _with(SlashInIdValidator),
    _with(DuplicateIdsValidator),
    _with(KindRequiredValidator),
    _with(NoEmptyChildrenValidator),
    _with(FieldNotAsAWordValidator),
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.__name__ for m in MUTANTS])
def test_a_model_with_one_rule_broken_fails_some_case(mutant):
    assert cases_catching(model, mutant, CASES), f"no vector catches {mutant.__name__}"


def test_the_model_itself_is_caught_by_no_case():
    assert cases_catching(model, model.Tree, CASES) == []


# -- the chapter 3 exercises' hidden tests embed the current vectors ---------------------------


exercise_vectors = load_script(
    "supervisor_exercise_vectors.py", "twinbook_supervisor_exercise_vectors"
)


def test_exercise_hidden_tests_embed_the_current_vectors():
    stale = exercise_vectors.stale_files()
    assert stale == [], (
        "run `.venv/bin/python tests/vectors/reference/supervisor_exercise_vectors.py --write`: "
        + ", ".join(str(p.relative_to(exercise_vectors.ROOT)) for p in stale)
    )


@pytest.mark.parametrize("language", sorted(exercise_vectors.REPLAYERS))
def test_the_vector_replayer_exists_once_per_language(language):
    helper, loop = exercise_vectors.REPLAYERS[language]
    assert loop in helper.read_text(encoding="utf-8"), f"{helper}: no replayer ({loop!r})"
    assert exercise_vectors.replayer_copies() == [], (
        "replay the vectors with the chapter helper's replayer, not a copy"
    )


@pytest.mark.parametrize("exercise", sorted(exercise_vectors.EXERCISES))
def test_each_vector_exercise_replays_a_real_subset(exercise):
    cases = exercise_vectors.select(exercise)
    assert len(cases) >= 10, f"{exercise}: only {len(cases)} vector cases apply"
    strategies = exercise_vectors.EXERCISES[exercise]["strategies"]
    for case in cases:  # the subset is what it claims to be: flat trees of its strategies
        assert case["tree"]["strategy"] in strategies, case["name"]
        assert all(c.get("kind", "worker") == "worker" for c in case["tree"]["children"])
    # and every flat case of those strategies is in it
    flat = [
        c
        for _, c in CASES
        if "steps" in c
        and c["tree"]["strategy"] in strategies
        and not any(child.get("kind") == "supervisor" for child in c["tree"]["children"])
    ]
    assert [c["name"] for c in cases] == [c["name"] for c in flat]
