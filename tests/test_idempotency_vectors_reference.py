"""The idempotency-key vectors agree with the reference model of their contract, and pin every rule.

Every ``idempotency_key`` case in tests/vectors/idempotency/*.json is replayed by
tests/vectors/reference/idempotency_model.py (a plain transcription of
book/appendix/spec-idempotency.md) and must meet every expectation. The files are checked to
be well formed without the model's help, the model is shown to refuse wrong expectations and
malformed cases, and copies of the model with one rule broken each are shown to fail some
case: every rule is pinned by at least one vector.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.vectors.reference.cases import (
    REFERENCE,
    duplicate_names,
    first_case,
    load_model,
)

model = load_model("idempotency")
FOLDER = REFERENCE.parent / "idempotency"
CASES: list[tuple[str, dict[str, Any]]] = [
    (path.name, case) for path in sorted(FOLDER.glob("*.json")) for case in model.load(path)
]
IDS = [case["name"] for _, case in CASES]


def _requests(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in case["steps"] if "request" in step]


# -- the files ---------------------------------------------------------------------------------


def test_there_are_at_least_60_cases_numbered_and_unique():
    assert len(CASES) >= 60, len(CASES)
    assert duplicate_names(CASES) == []
    numbers = [int(name.split(" ", 1)[0][1:]) for name in IDS]
    assert all(name.startswith("i") for name in IDS)
    assert len(set(numbers)) == len(numbers)


@pytest.mark.parametrize(("file", "case"), CASES, ids=IDS)
def test_case_agrees_with_the_reference_model(file, case):
    checks = model.run_case(case)
    expects = sum(1 for step in case["steps"] if "expect" in step)
    assert checks >= 3 * expects, f"{file}: every answer checks status, replayed, handler_called"


@pytest.mark.parametrize(("file", "case"), CASES, ids=IDS)
def test_case_is_well_formed(file, case):
    # Written apart from the model, so that a lax model cannot wave a malformed file through.
    assert set(case) == {"name", "config", "steps"}, file
    assert set(case["config"]) == {"required", "ttl_ms", "lease_ms"}
    times = [step["at_ms"] for step in case["steps"]]
    assert times == sorted(times) and all(type(t) is int for t in times)
    ids = [step["request"]["id"] for step in _requests(case)]
    assert len(ids) == len(set(ids))
    held = set()
    for step in case["steps"]:
        if "finish" in step:
            assert set(step) == {"at_ms", "finish", "expect"}
            assert step["finish"] in held
            held.discard(step["finish"])
            assert step["expect"]["replayed"] is False and step["expect"]["handler_called"] is True
            continue
        assert (
            {"at_ms", "request", "handler"}
            <= set(step)
            <= {
                "at_ms",
                "request",
                "handler",
                "hold",
                "expect",
            }
        )
        assert ("hold" in step) != ("expect" in step)
        if step.get("hold"):
            held.add(step["request"]["id"])
        key = step["request"]["key"]
        assert key is None or key == key.strip(" "), "no key begins or ends with a space"
        expect = step.get("expect", {})
        if expect and not expect["handler_called"] and not expect["replayed"]:
            assert "body" not in expect, "the middleware's own bodies are not specified"


def test_every_rule_and_edge_has_a_case():
    steps = [step for _, case in CASES for step in case["steps"]]
    requests = [step for step in steps if "request" in step]
    keys = [step["request"]["key"] for step in requests]
    statuses = {step["expect"]["status"] for step in steps if "expect" in step}
    assert {400, 409, 422, 500} <= statuses
    assert any(k is None for k in keys) and "" in keys
    assert any(isinstance(k, str) and len(k) == 255 for k in keys)
    assert any(isinstance(k, str) and len(k) == 256 for k in keys)
    assert any(isinstance(k, str) and any(ord(c) > 0x7E for c in k) for k in keys)
    assert any(isinstance(k, str) and any(ord(c) < 0x20 for c in k) for k in keys)
    assert any(step.get("hold") for step in requests)
    assert any(step["handler"] == {"fail": True} for step in requests)
    assert {c["config"]["required"] for _, c in CASES} == {True, False}
    stored = {step["handler"].get("status") for step in requests}
    assert any(400 <= s < 500 for s in stored if s) and any(500 <= s for s in stored if s)


# -- the model refuses what it must ------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "key", "value"),
    [
        (1, "status", 200),
        (1, "body", "order 2"),
        (1, "replayed", False),
        (0, "handler_called", False),
    ],
)
def test_the_model_rejects_a_wrong_expectation(step, key, value):
    case = first_case(CASES, "i01 ")
    case["steps"][step]["expect"][key] = value
    with pytest.raises(model.Mismatch):
        model.run_case(case)


def _mutate_hold_on_refused(case):
    case["steps"][0]["request"]["key"] = ""


def _mutate_finish_unknown(case):
    case["steps"][2]["finish"] = "r9"


def _mutate_duplicate_id(case):
    case["steps"][1]["request"]["id"] = "r1"


def _mutate_unknown_key(case):
    case["steps"][1]["expect"]["headers"] = {}


def _mutate_body_of_own_answer(case):
    case["steps"][1]["expect"]["body"] = "conflict"


def _mutate_hold_and_expect(case):
    case["steps"][0]["expect"] = {"status": 201, "replayed": False, "handler_called": True}


def _mutate_bad_handler(case):
    case["steps"][1]["handler"] = {"fail": False}


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (_mutate_hold_on_refused, "hold on a request that does not reach its handler"),
        (_mutate_finish_unknown, "finish names no held request"),
        (_mutate_duplicate_id, "used twice"),
        (_mutate_unknown_key, "expect needs"),
        (_mutate_body_of_own_answer, "own answer"),
        (_mutate_hold_and_expect, "expect unless it holds"),
        (_mutate_bad_handler, "handler must be"),
    ],
)
def test_the_model_rejects_a_malformed_case_naming_it(mutate, match):
    case = first_case(CASES, "i45 ")
    mutate(case)
    with pytest.raises(model.VectorError, match=match) as info:
        model.run_case(case)
    assert "i45 " in str(info.value)


def test_the_script_reports_each_failing_case_and_file_by_name(tmp_path: Path):
    case = first_case(CASES, "i01 ")
    case["steps"][1]["expect"]["status"] = 200
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"concept": "idempotency_key", "cases": [case]}), encoding="utf-8")
    saga = tmp_path / "saga.json"
    saga.write_text(json.dumps({"concept": "saga", "cases": [{"name": "g"}]}), encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"concept": "breaker", "cases": [case]}), encoding="utf-8")
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"concept": "idempotency_key", "cases": []}), encoding="utf-8")
    script = REFERENCE / "idempotency_model.py"
    run = subprocess.run(
        [sys.executable, str(script), str(good), str(saga), str(other), str(empty)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "i01 " in run.stdout and "other.json" in run.stdout and "empty.json" in run.stdout
    assert "saga.json" not in run.stdout  # the other concept of the folder is not an error
    assert "3 case(s) failed" in run.stdout


# -- every rule is pinned ------------------------------------------------------------------------

M = model.Model


class TtlOpenAtBoundary(M):
    def expired(self, record, now):
        return now - record.stored_at > self.ttl_ms


class TtlOneEarly(M):
    def expired(self, record, now):
        return now - record.stored_at >= self.ttl_ms - 1


class LeaseOpenAtBoundary(M):
    def lease_run_out(self, record, now):
        return now - record.lease_at > self.lease_ms


class LeaseOneEarly(M):
    def lease_run_out(self, record, now):
        return now - record.lease_at >= self.lease_ms - 1


class LeaseNeverRunsOut(M):
    def lease_run_out(self, record, now):
        return False


class InProgressExpiresByTtl(M):
    def live(self, record, now):
        if record is not None and record.owner is not None and now - record.lease_at >= self.ttl_ms:
            return None
        return super().live(record, now)


class Keys256(M):
    def valid_key(self, key):
        return 1 <= len(key) <= 256 and all(0x20 <= ord(c) <= 0x7E for c in key)


class Keys254(M):
    def valid_key(self, key):
        return super().valid_key(key) and len(key) <= 254


class EmptyKeyIsMissing(M):
    def missing(self, key):
        return not key


class NonAsciiAllowed(M):
    def valid_key(self, key):
        return 1 <= len(key) <= 255 and all(ord(c) >= 0x20 and ord(c) != 0x7F for c in key)


class ControlCharsAllowed(M):
    def valid_key(self, key):
        return 1 <= len(key) <= 255 and all(ord(c) <= 0x7E for c in key)


class TabAllowed(M):
    def valid_key(self, key):
        return super().valid_key(key.replace("\t", " "))


class DelAllowed(M):
    def valid_key(self, key):
        return 1 <= len(key) <= 255 and all(0x20 <= ord(c) <= 0x7F for c in key)


class SpaceRefused(M):
    def valid_key(self, key):
        return super().valid_key(key) and " " not in key


class ScopeWithoutMethod(M):
    def scope(self, request):
        return ("*", request["path"], request["key"])


class ScopeWithoutPath(M):
    def scope(self, request):
        return (request["method"], "*", request["key"])


class PathNormalized(M):
    def scope(self, request):
        return (request["method"], request["path"].lower().rstrip("/"), request["key"])

    def fingerprint(self, request):
        return super().fingerprint(dict(request, path=request["path"].lower().rstrip("/")))


class BodyIgnored(M):
    def on_completed(self, record, fingerprint):
        return "replay"


class BodyWhitespaceIgnored(M):
    def fingerprint(self, request):
        return super().fingerprint(dict(request, body="".join(request["body"].split())))


class InProgressMismatchIs422(M):
    def on_in_progress(self, record, fingerprint, now):
        verdict = super().on_in_progress(record, fingerprint, now)
        if verdict == "conflict" and record.fingerprint != fingerprint:
            return "mismatch"
        return verdict

    def start(self, now, request):
        key = request["key"]
        if key is not None and self.valid_key(key):
            record = self.live(self.records.get(self.scope(request)), now)
            if record is not None and record.owner is not None:
                if self.on_in_progress(record, self.fingerprint(request), now) == "mismatch":
                    return model.Answer(422, None, False, False)
        return super().start(now, request)


class MismatchOverwritesFingerprint(M):
    def on_completed(self, record, fingerprint):
        verdict = super().on_completed(record, fingerprint)
        if verdict == "mismatch":
            record.fingerprint = fingerprint
        return verdict


class RequiredIgnored(M):
    def no_key(self):
        return "pass"


class OptionalRefused(M):
    def no_key(self):
        return "refuse"


class KeylessRequestsStored(M):
    def start(self, now, request):
        if request["key"] is None and not self.required:
            request = dict(request, key="")
            scope, fingerprint = self.scope(request), self.fingerprint(request)
            record = self.live(self.records.get(scope), now)
            if record is not None and record.owner is None:
                return model.Answer(record.status, record.body, True, False)
            return model.Held(scope, self.mark(scope, fingerprint, now), {})
        return super().start(now, request)


class ReplayRefreshesTtl(M):
    def replayed(self, record, now):
        record.stored_at = now


class StoredAtMarkTime(M):
    def store(self, scope, token, status, body, now):
        record = self.records.get(scope)
        lease_at = record.lease_at if record is not None else now
        super().store(scope, token, status, body, lease_at)


class NoOwnerCheckOnStore(M):
    def store(self, scope, token, status, body, now):
        record = self.records.setdefault(scope, model.Record("", owner=token))
        record.owner, record.status, record.body, record.stored_at = None, status, body, now


class NoOwnerCheckOnRelease(M):
    def release(self, scope, token, now):
        self.records.pop(scope, None)


class LateRequestNeverStores(M):
    def holds(self, scope, token, now):
        record = self.records.get(scope)
        return super().holds(scope, token, now) and not self.lease_run_out(record, now)


class FailureKeepsTheKey(M):
    def release(self, scope, token, now):
        pass


class FailureStores500(M):
    def release(self, scope, token, now):
        self.store(scope, token, 500, "", now)


class OnlySuccessStored(M):
    def store(self, scope, token, status, body, now):
        if status < 400:
            super().store(scope, token, status, body, now)
        else:
            self.release(scope, token, now)


class Only2xxAnd4xxStored(M):
    def store(self, scope, token, status, body, now):
        if status < 500:
            super().store(scope, token, status, body, now)
        else:
            self.release(scope, token, now)


class ConflictTakesTheKey(M):
    def on_in_progress(self, record, fingerprint, now):
        return "take"


def cases_catching(mutant: type) -> list[str]:
    """The cases that a model with one rule broken fails. A broken rule may also refuse a
    request that a case holds (a runner fails that case too), so a VectorError counts."""
    caught = []
    for file, case in CASES:
        try:
            model.run_case(case, mutant)
        except (model.Mismatch, model.VectorError):
            caught.append(f"{file}: {case['name']}")
    return caught


MUTANTS = [
    TtlOpenAtBoundary,
    TtlOneEarly,
    LeaseOpenAtBoundary,
    LeaseOneEarly,
    LeaseNeverRunsOut,
    InProgressExpiresByTtl,
    Keys256,
    Keys254,
    EmptyKeyIsMissing,
    NonAsciiAllowed,
    ControlCharsAllowed,
    TabAllowed,
    DelAllowed,
    SpaceRefused,
    ScopeWithoutMethod,
    ScopeWithoutPath,
    PathNormalized,
    BodyIgnored,
    BodyWhitespaceIgnored,
    InProgressMismatchIs422,
    MismatchOverwritesFingerprint,
    RequiredIgnored,
    OptionalRefused,
    KeylessRequestsStored,
    ReplayRefreshesTtl,
    StoredAtMarkTime,
    NoOwnerCheckOnStore,
    NoOwnerCheckOnRelease,
    LateRequestNeverStores,
    FailureKeepsTheKey,
    FailureStores500,
    OnlySuccessStored,
    Only2xxAnd4xxStored,
    ConflictTakesTheKey,
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.__name__ for m in MUTANTS])
def test_a_model_with_one_rule_broken_fails_some_case(mutant):
    assert cases_catching(mutant), f"no vector catches {mutant.__name__}"


def test_the_model_itself_is_caught_by_no_case():
    assert cases_catching(model.Model) == []
