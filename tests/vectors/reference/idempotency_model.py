"""The reference model of the idempotency-key contract (book/appendix/spec-idempotency.md).

A deliberately plain transcription of the page's "Idempotency keys" section: a dict of
records, one per (method, path, key), and the six rules in order. It replays every case of
the ``idempotency_key`` files in tests/vectors/idempotency/ and raises :class:`Mismatch`
when an answer differs from the case's expectation, :class:`VectorError` when the case is
malformed (an unknown key, a hold on a request that does not reach its handler, a finish of
a request that is not held). Each rule is one method of :class:`Model`, so that
tests/test_idempotency_vectors_reference.py can break them one at a time and show that some
vector catches each.

Run it as a script on vector files: ``python tests/vectors/reference/idempotency_model.py
tests/vectors/idempotency/*.json`` (files of the ``saga`` concept in the same folder are
passed over: they are the saga model's).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import Mismatch, VectorError, main  # noqa: E402

CONCEPT = "idempotency_key"
OTHER_CONCEPTS = {"saga"}
CASE_KEYS = {"name", "config", "steps"}
CONFIG_KEYS = {"required", "ttl_ms", "lease_ms"}
REQUEST_STEP_KEYS = {"at_ms", "request", "handler", "expect", "hold"}
FINISH_STEP_KEYS = {"at_ms", "finish", "expect"}
REQUEST_KEYS = {"id", "key", "method", "path", "body"}
EXPECT_KEYS = {"status", "body", "replayed", "handler_called"}
REQUIRED_EXPECT = {"status", "replayed", "handler_called"}
MAX_KEY = 255


@dataclass
class Record:
    """One scoped key's record: in progress (``owner`` set) or completed (``stored_at`` set)."""

    fingerprint: str
    owner: int | None = None
    lease_at: int = 0
    status: int = 0
    body: str = ""
    stored_at: int | None = None


@dataclass
class Answer:
    """What a client got back."""

    status: int
    body: str | None  # None: the middleware's own answer, whose body is not specified
    replayed: bool
    handler_called: bool


@dataclass
class Held:
    """A request whose handler is still running: its scope, the token of its mark, its handler."""

    scope: tuple[str, str, str] | None
    token: int | None
    handler: dict[str, Any]


@dataclass
class Model:
    """The contract, one rule per method; a broken copy overrides one of them."""

    required: bool
    ttl_ms: int
    lease_ms: int
    records: dict[tuple[str, str, str], Record] = field(default_factory=dict)
    tokens: itertools.count = field(default_factory=lambda: itertools.count(1))

    # -- keys, scopes, fingerprints -----------------------------------------------------------

    def missing(self, key: str | None) -> bool:
        return key is None

    def valid_key(self, key: str) -> bool:
        return 1 <= len(key) <= MAX_KEY and all(0x20 <= ord(c) <= 0x7E for c in key)

    def scope(self, request: dict[str, Any]) -> tuple[str, str, str]:
        return (request["method"], request["path"], request["key"])

    def fingerprint(self, request: dict[str, Any]) -> str:
        body = request["body"].encode("utf-8")
        return f"{request['method']} {request['path']} {hashlib.sha256(body).hexdigest()}"

    # -- time ------------------------------------------------------------------------------------

    def expired(self, record: Record, now: int) -> bool:
        assert record.stored_at is not None
        return now - record.stored_at >= self.ttl_ms

    def lease_run_out(self, record: Record, now: int) -> bool:
        return now - record.lease_at >= self.lease_ms

    def live(self, record: Record | None, now: int) -> Record | None:
        """The record as the rules see it: an expired completed one counts as absent."""
        if record is None:
            return None
        if record.owner is None and self.expired(record, now):
            return None
        return record

    # -- the rules -------------------------------------------------------------------------------

    def no_key(self) -> str:
        """Rule 1: what a request without the header gets: ``refuse`` or ``pass``."""
        return "refuse" if self.required else "pass"

    def on_completed(self, record: Record, fingerprint: str) -> str:
        """Rules 3 and 4: ``mismatch`` or ``replay``."""
        return "replay" if record.fingerprint == fingerprint else "mismatch"

    def on_in_progress(self, record: Record, fingerprint: str, now: int) -> str:
        """Rule 5: ``conflict`` while the lease holds, else ``take`` (rule 6)."""
        return "take" if self.lease_run_out(record, now) else "conflict"

    def replayed(self, record: Record, now: int) -> None:
        """A replay does not move the record's stored time."""

    def mark(self, scope: tuple[str, str, str], fingerprint: str, now: int) -> int:
        token = next(self.tokens)
        self.records[scope] = Record(fingerprint, owner=token, lease_at=now)
        return token

    def holds(self, scope: tuple[str, str, str], token: int, now: int) -> bool:
        record = self.records.get(scope)
        return record is not None and record.owner == token

    def store(
        self, scope: tuple[str, str, str], token: int, status: int, body: str, now: int
    ) -> None:
        if self.holds(scope, token, now):
            record = self.records[scope]
            record.owner, record.status, record.body, record.stored_at = None, status, body, now

    def release(self, scope: tuple[str, str, str], token: int, now: int) -> None:
        if self.holds(scope, token, now):
            del self.records[scope]

    # -- a request -------------------------------------------------------------------------------

    def start(self, now: int, request: dict[str, Any]) -> Answer | Held:
        """A request arrives: the middleware's own answer, a replay, or a handler running."""
        key = request["key"]
        if self.missing(key):
            if self.no_key() == "refuse":
                return Answer(400, None, False, False)
            return Held(None, None, {})
        if not self.valid_key(key):
            return Answer(400, None, False, False)
        scope, fingerprint = self.scope(request), self.fingerprint(request)
        record = self.live(self.records.get(scope), now)
        if record is not None and record.owner is None:
            if self.on_completed(record, fingerprint) == "replay":
                self.replayed(record, now)
                return Answer(record.status, record.body, True, False)
            return Answer(422, None, False, False)
        if record is not None and self.on_in_progress(record, fingerprint, now) == "conflict":
            return Answer(409, None, False, False)
        return Held(scope, self.mark(scope, fingerprint, now), {})

    def end(self, now: int, held: Held) -> Answer:
        """The handler of a running request ends at ``now`` as its ``handler`` says."""
        handler = held.handler
        if handler.get("fail"):
            if held.scope is not None and held.token is not None:
                self.release(held.scope, held.token, now)
            return Answer(500, None, False, True)
        status, body = handler["status"], handler["body"]
        if held.scope is not None and held.token is not None:
            self.store(held.scope, held.token, status, body, now)
        return Answer(status, body, False, True)


# -- replaying a case ----------------------------------------------------------------------------


def _check_handler(where: str, handler: Any) -> None:
    if handler == {"fail": True}:
        return
    if not isinstance(handler, dict) or set(handler) != {"status", "body"}:
        raise VectorError(f"{where}: handler must be {{status, body}} or {{fail: true}}")
    if type(handler["status"]) is not int or not isinstance(handler["body"], str):
        raise VectorError(f"{where}: handler status must be an integer and body a string")


def _check_request(where: str, request: Any) -> None:
    if not isinstance(request, dict) or set(request) != REQUEST_KEYS:
        raise VectorError(f"{where}: request must have exactly {sorted(REQUEST_KEYS)}")
    if request["key"] is not None and not isinstance(request["key"], str):
        raise VectorError(f"{where}: request key must be a string or null")


def _compare(where: str, expect: Any, got: Answer) -> int:
    if not isinstance(expect, dict) or not REQUIRED_EXPECT <= set(expect) <= EXPECT_KEYS:
        raise VectorError(f"{where}: expect needs {sorted(REQUIRED_EXPECT)} (and maybe body)")
    checks = 0
    for key in ("status", "replayed", "handler_called", "body"):
        if key not in expect:
            continue
        if key == "body" and got.body is None:
            raise VectorError(f"{where}: expect.body given for the middleware's own answer")
        if getattr(got, key) != expect[key]:
            raise Mismatch(f"{where}: {key} is {getattr(got, key)!r}, expected {expect[key]!r}")
        checks += 1
    return checks


def run_case(case: dict[str, Any], model: type[Model] = Model) -> int:
    """Replay one case on a new model; return how many expectations it checked."""
    name = case.get("name", "?")
    if not isinstance(case, dict) or set(case) != CASE_KEYS:
        raise VectorError(f"{name}: a case has exactly {sorted(CASE_KEYS)}")
    config = case["config"]
    if not isinstance(config, dict) or set(config) != CONFIG_KEYS:
        raise VectorError(f"{name}: config has exactly {sorted(CONFIG_KEYS)}")
    steps = case["steps"]
    if not isinstance(steps, list) or not steps:
        raise VectorError(f"{name}: steps must be a non-empty list")
    m = model(config["required"], config["ttl_ms"], config["lease_ms"])
    held: dict[str, Held] = {}
    ids: set[str] = set()
    checks = 0
    for index, step in enumerate(steps):
        where = f"{name} step {index + 1}"
        now = step.get("at_ms")
        if type(now) is not int:
            raise VectorError(f"{where}: at_ms must be an integer")
        if "finish" in step:
            if set(step) != FINISH_STEP_KEYS:
                raise VectorError(f"{where}: a finish step has exactly {sorted(FINISH_STEP_KEYS)}")
            running = held.pop(step["finish"], None)
            if running is None:
                raise VectorError(f"{where}: finish names no held request: {step['finish']!r}")
            checks += _compare(where, step["expect"], m.end(now, running))
            continue
        if not {"at_ms", "request", "handler"} <= set(step) <= REQUEST_STEP_KEYS:
            raise VectorError(f"{where}: unknown or missing keys in {sorted(step)}")
        request, handler = step["request"], step["handler"]
        _check_request(where, request)
        _check_handler(where, handler)
        if request["id"] in ids:
            raise VectorError(f"{where}: request id {request['id']!r} used twice")
        ids.add(request["id"])
        hold = step.get("hold", False)
        if (
            hold not in (True, False)
            or (hold and "expect" in step)
            or (not hold and "expect" not in step)
        ):
            raise VectorError(f"{where}: a step has expect unless it holds, and hold is true")
        got = m.start(now, request)
        if isinstance(got, Held):
            got.handler = handler
            if hold:
                held[request["id"]] = got
                continue
            got = m.end(now, got)
        elif hold:
            raise VectorError(f"{where}: hold on a request that does not reach its handler")
        checks += _compare(where, step["expect"], got)
    return checks


def load(path: Path) -> list[dict[str, Any]]:
    """The idempotency-key cases of one file; a saga file of the same folder has none here."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"concept", "cases"}:
        raise VectorError(f"{path}: not a vector file")
    if data["concept"] in OTHER_CONCEPTS:
        return []
    if data["concept"] != CONCEPT or not isinstance(data["cases"], list) or not data["cases"]:
        raise VectorError(f"{path}: not an {CONCEPT} vector file with cases")
    return data["cases"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], CONCEPT, run_case, load))
