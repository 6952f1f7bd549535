"""The saga conformance vectors agree with the reference model of their contract.

Every saga case in tests/vectors/idempotency/saga-*.json is replayed by
tests/vectors/reference/saga_model.py (a plain transcription of the saga section of
book/appendix/spec-idempotency.md) and must meet every expectation. The files are checked
to be well formed without the model's help, the model is shown to refuse wrong
expectations and every malformed fixture (tests/fixtures/vectors-malformed/), and copies of
the model with one rule broken each are shown to fail some case: every rule is pinned by at
least one vector.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from tests.vectors.reference.cases import REFERENCE, cases_catching, duplicate_names, load_model

model = load_model("saga")
FOLDER = REFERENCE.parent / "idempotency"
FILES = sorted(FOLDER.glob("saga-*.json"))
CASES = [(path.name, case) for path in FILES for case in model.load_cases(path)]
MALFORMED = (
    REFERENCE.parents[1] / "fixtures" / "vectors-malformed" / "idempotency" / "saga-malformed.json"
)


def _case(prefix: str) -> dict:
    import copy

    return copy.deepcopy(next(case for _, case in CASES if case["name"].startswith(prefix)))


# -- the files ---------------------------------------------------------------------------------


def test_there_are_at_least_40_saga_cases_named_gnn():
    assert len(CASES) >= 40, len(CASES)
    assert duplicate_names(CASES) == []
    numbers = [case["name"].split()[0] for _, case in CASES]
    assert all(n[0] == "g" and n[1:].isdigit() for n in numbers), numbers
    assert len(set(numbers)) == len(numbers)


def test_every_saga_file_in_the_folder_is_a_saga_file():
    for path in FOLDER.glob("*.json"):
        concept = json.loads(path.read_text(encoding="utf-8"))["concept"]
        assert (concept == "saga") == path.name.startswith("saga-"), path.name


@pytest.mark.parametrize(("file", "case"), CASES, ids=[case["name"] for _, case in CASES])
def test_case_agrees_with_the_reference_model(file, case):
    assert model.run_case(case) >= 2, f"{file}: log and outcome are checked"


@pytest.mark.parametrize(("file", "case"), CASES, ids=[case["name"] for _, case in CASES])
def test_case_is_well_formed(file, case):
    # Written apart from the model, so a lax model cannot wave a malformed case through.
    assert set(case) <= {"name", "saga", "script", "crash_after", "expect"}, file
    names = [step["name"] for step in case["saga"]["steps"]]
    assert names and len(set(names)) == len(names)
    assert all(":" not in n and n.strip() == n and " " not in n and n for n in names)
    log = case["expect"]["log"]
    for key, results in case.get("script", {}).items():
        step, kind = key.split(":")
        assert step in names and kind in ("action", "compensation"), key
        assert set(results) <= {"ok", "fail"}, key
    crashes = case.get("crash_after", [])
    assert crashes == sorted(set(crashes)) and all(1 <= n <= len(log) for n in crashes)
    assert [n for n, entry in enumerate(log, 1) if entry.endswith(" crashed")] == crashes
    for position in case["expect"].get("keys", {}):
        assert 1 <= int(position) <= len(log)


def test_the_cases_cover_every_rule_the_task_names():
    logs = [case["expect"]["log"] for _, case in CASES]
    crashed_kinds = {
        entry.split()[0].split(":")[1] for log in logs for entry in log if "crashed" in entry
    }
    assert crashed_kinds == {"action", "compensation"}
    assert any(len(case.get("crash_after", [])) >= 3 for _, case in CASES)
    assert any(a + 1 == b for _, c in CASES for a, b in itertools.pairwise(c["crash_after"])), (
        "a crash of a repetition"
    )
    keyed = [v for _, c in CASES for v in c["expect"].get("keys", {}).values()]
    assert any(k.endswith(":action") for k in keyed)
    assert any(k.endswith(":compensation") for k in keyed)
    assert {c["expect"]["outcome"] for _, c in CASES} == {"completed", "compensated"}
    assert any(
        c["expect"]["log"] == [f"{c['saga']['steps'][0]['name']}:action fail"] for _, c in CASES
    )
    assert any("retries" not in s for _, c in CASES for s in c["saga"]["steps"])


# -- the model refuses what it must ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("outcome", "completed"),
        (
            "log",
            [
                "reserve:action ok",
                "charge:action ok",
                "ship:action fail",
                "ship:action fail",
                "reserve:compensation ok",
                "charge:compensation ok",
            ],
        ),
    ],
    ids=["outcome", "log-order"],
)
def test_the_model_rejects_a_wrong_expectation(key, value):
    case = _case("g01 ")
    case["expect"][key] = value
    with pytest.raises(model.Mismatch, match=f"expect.{key}"):
        model.run_case(case)


def test_the_model_rejects_a_wrong_key():
    case = _case("g44 ")
    case["expect"]["keys"]["2"] = "order-21:charge:action:1"
    with pytest.raises(model.Mismatch, match="expect.keys"):
        model.run_case(case)


MALFORMED_CASES = json.loads(MALFORMED.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", MALFORMED_CASES, ids=[c["name"] for c in MALFORMED_CASES])
def test_the_model_rejects_every_malformed_fixture(case):
    with pytest.raises(model.VectorError, match=case["name"][:3]):
        model.run_case(case)


def test_the_malformed_fixtures_are_otherwise_valid():
    base = dict(MALFORMED_CASES[0], crash_after=[2])
    assert model.run_case(base) >= 2


def test_a_file_of_the_other_concept_has_no_saga_case_and_an_unknown_concept_fails(tmp_path):
    other = tmp_path / "idem.json"
    other.write_text(json.dumps({"concept": "idempotency_key", "cases": [{}]}), encoding="utf-8")
    assert model.load_cases(other) == []
    unknown = tmp_path / "x.json"
    unknown.write_text(json.dumps({"concept": "sagas", "cases": [{}]}), encoding="utf-8")
    with pytest.raises(model.VectorError, match="concept"):
        model.load_cases(unknown)


# -- copies of the model with one rule broken --------------------------------------------------


class RetriesOffByOne(model.Orchestrator):
    def failed_for_good(self, failures, retries):
        return failures >= retries


class OneRetryTooMany(model.Orchestrator):
    def failed_for_good(self, failures, retries):
        return failures >= retries + 2


class CompensatesTheFailedStep(model.Orchestrator):
    def first_to_compensate(self, failed):
        return failed


class CompensatesInForwardOrder(model.Orchestrator):
    def first_to_compensate(self, failed):
        self.last = failed - 1
        return 0 if failed > 0 else -1

    def next_to_compensate(self, step):
        last = getattr(self, "last", len(self.steps) - 1)
        return step + 1 if step < last else -1


class CompensationNotRetried(model.Orchestrator):
    def compensation_failed(self, p):
        p.step = self.next_to_compensate(p.step)


class CompensationRetriedOnlyUpToRetries(model.Orchestrator):
    def compensation_failed(self, p):
        p.failures += 1
        if p.failures > self.steps[p.step][1]:
            p.failures = 0
            p.step = self.next_to_compensate(p.step)


class CrashCountsAsAFailure(model.Orchestrator):
    def recover(self, p):
        if p.state == "running":
            p.failures += 1
            if self.failed_for_good(p.failures, self.steps[p.step][1]):
                p.state, p.step = "compensating", p.step - 1


class CrashTakenAsSuccess(model.Orchestrator):
    def recover(self, p):
        if p.state == "running":
            p.step, p.failures = p.step + 1, 0
        elif p.state == "compensating":
            p.step -= 1


class CrashForgetsFailures(model.Orchestrator):
    def recover(self, p):
        p.failures = 0


class CrashRestartsFromTheFirstStep(model.Orchestrator):
    def recover(self, p):
        if p.state == "running":
            p.step, p.failures = 0, 0


class FirstFailureEndsCompleted(model.Orchestrator):
    def outcome_when_nothing_to_compensate(self):
        return "completed"


class KeyCarriesTheAttempt(model.Orchestrator):
    def key(self, step, kind):
        self.calls = getattr(self, "calls", 0) + 1
        return f"{super().key(step, kind)}:{self.calls}"


class CompensationUsesTheActionKey(model.Orchestrator):
    def key(self, step, kind):
        return super().key(step, "action")


class KeyWithoutTheSagaId(model.Orchestrator):
    def key(self, step, kind):
        return f"{step}:{kind}"


class KeyWithTheSagaIdCutAtAColon(model.Orchestrator):
    def key(self, step, kind):
        return f"{self.saga_id.split(':')[0]}:{step}:{kind}"


class DefaultRetriesOne(model.Orchestrator):
    def __init__(self, saga_id, steps, progress, resumed):
        super().__init__(saga_id, steps, progress, resumed)
        self.steps = [(name, retries or 1) for name, retries in steps]


class CrashedAttemptTakesNoScriptEntry(model.Participant):
    def attempt(self, step, kind, key):
        try:
            return super().attempt(step, kind, key)
        except model.Crash:
            self.script.setdefault(f"{step}:{kind}", []).insert(0, self.log[-1].split()[0])
            raise


class BeyondTheScriptFails(model.Participant):
    def attempt(self, step, kind, key):
        if not self.script.get(f"{step}:{kind}"):
            self.script[f"{step}:{kind}"] = ["fail"] if kind == "action" else ["ok"]
        return super().attempt(step, kind, key)


MUTANTS = [
    RetriesOffByOne,
    OneRetryTooMany,
    CompensatesTheFailedStep,
    CompensatesInForwardOrder,
    CompensationNotRetried,
    CompensationRetriedOnlyUpToRetries,
    CrashCountsAsAFailure,
    CrashTakenAsSuccess,
    CrashForgetsFailures,
    CrashRestartsFromTheFirstStep,
    FirstFailureEndsCompleted,
    KeyCarriesTheAttempt,
    CompensationUsesTheActionKey,
    KeyWithoutTheSagaId,
    KeyWithTheSagaIdCutAtAColon,
    DefaultRetriesOne,
    CrashedAttemptTakesNoScriptEntry,
    BeyondTheScriptFails,
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.__name__ for m in MUTANTS])
def test_a_model_with_one_rule_broken_fails_some_case(mutant):
    assert cases_catching(model, mutant, CASES), f"no vector catches {mutant.__name__}"


def test_the_model_itself_is_caught_by_no_case():
    assert cases_catching(model, model.Orchestrator, CASES) == []
    assert cases_catching(model, model.Participant, CASES) == []


def test_the_model_runs_as_a_script_on_the_files():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(REFERENCE / "saga_model.py"), *map(str, FILES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout
    bad = subprocess.run(
        [sys.executable, str(REFERENCE / "saga_model.py"), str(MALFORMED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1 and bad.stdout.count("FAIL") == len(MALFORMED_CASES)


def test_paths_exist():
    assert Path(MALFORMED).is_file() and FILES
