"""Replay one supervisor vector case through :class:`twinbook.supervisor.Tree`.

The format is the supervisor spec's (the book's appendix): a case is
``{"name", "tree", "steps"}`` or ``{"name", "tree", "expect_error"}``. A key
this runner does not know, a step out of order or an exit the tree cannot
take is a malformed case: it fails, naming the case and the reason, never
skips. Kept apart from the test module so that other runners (the runtime's
replay) can share the checking.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from twinbook.supervisor import FIELDS, Spec, SpecError, Tree, TreeError, parse_spec

CASE_KEYS = {"name", "tree", "steps", "expect_error"}
STEP_KEYS = {"at_ms", "exit", "expect"}
EXIT_KEYS = {"child", "reason"}
EXPECT_KEYS = {"log", "running", "stopped"}


class Malformed(AssertionError):
    """The case itself breaks the format: reported as a failure naming the reason."""


@dataclass(frozen=True)
class Step:
    """One checked step: its time, the exit it feeds (None for the start) and what to expect."""

    number: int
    at_ms: int
    exit: tuple[str, str] | None
    expect: Mapping[str, Any]


def whole_word(word: str, text: str) -> bool:
    """Whether ``word`` is in ``text`` with no letter, digit or ``_`` on either side."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text) is not None


def _json_int(value: object) -> bool:
    return type(value) is int


def steps_of(case: Mapping[str, Any]) -> list[Step]:
    """The case's steps, checked against the format; :class:`Malformed` says what is wrong."""
    raw = case["steps"]
    if not isinstance(raw, list) or not raw:
        raise Malformed("steps must be a non-empty list")
    steps: list[Step] = []
    last = 0
    for number, step in enumerate(raw, 1):
        where = f"step {number}"
        if not isinstance(step, dict):
            raise Malformed(f"{where}: not a JSON object")
        if unknown := set(step) - STEP_KEYS:
            raise Malformed(f"{where}: unknown keys {sorted(unknown)}")
        at_ms = step.get("at_ms")
        if not _json_int(at_ms) or at_ms < last:  # type: ignore[operator]
            raise Malformed(f"{where}: at_ms must be a JSON integer >= {last}, got {at_ms!r}")
        assert isinstance(at_ms, int)
        last = at_ms
        expect = step.get("expect", {})
        if not isinstance(expect, dict):
            raise Malformed(f"{where}: expect is not a JSON object")
        if unknown := set(expect) - EXPECT_KEYS:
            raise Malformed(f"{where}: unknown expect keys {sorted(unknown)}")
        for key in ("log", "running"):
            if key in expect and not (
                isinstance(expect[key], list) and all(isinstance(x, str) for x in expect[key])
            ):
                raise Malformed(f"{where}: expect.{key} must be a list of strings")
        if "stopped" in expect and not isinstance(expect["stopped"], bool):
            raise Malformed(f"{where}: expect.stopped must be true or false")
        exit_ = step.get("exit")
        if number == 1:
            if exit_ is not None or at_ms != 0:
                raise Malformed("step 1 starts the tree: at_ms 0 and no exit")
            steps.append(Step(number, at_ms, None, expect))
            continue
        if not isinstance(exit_, dict):
            raise Malformed(f"{where}: every step after the first needs an exit object")
        if set(exit_) != EXIT_KEYS:
            raise Malformed(f"{where}: exit needs exactly {sorted(EXIT_KEYS)}, got {sorted(exit_)}")
        child, reason = exit_["child"], exit_["reason"]
        if not isinstance(child, str) or not isinstance(reason, str):
            raise Malformed(f"{where}: exit child and reason must be strings")
        steps.append(Step(number, at_ms, (child, reason), expect))
    return steps


def check_error(case: Mapping[str, Any], build: Callable[[Any], object] = parse_spec) -> None:
    """An ``expect_error`` case: building must fail naming that field, and no other."""
    field = case["expect_error"]
    if field not in FIELDS:
        raise Malformed(f"expect_error must be one of {list(FIELDS)}, got {field!r}")
    try:
        build(case["tree"])
    except SpecError as exc:
        message = str(exc)
        assert whole_word(field, message), f"error {message!r} does not name {field!r}"
        others = [f for f in FIELDS if f != field and whole_word(f, message)]
        assert not others, f"error {message!r} names {others} besides {field!r}"
        return
    raise AssertionError(f"the tree was built; expected an error naming {field!r}")


def compare(step: Step, log: list[str], running: list[str], stopped: bool) -> None:
    """Fail with the step's number when what happened differs from what it expects."""
    expect = step.expect
    where = f"step {step.number} (at {step.at_ms} ms, exit {step.exit})"
    if "log" in expect:
        assert log == expect["log"], f"{where}: log {log} != expected {expect['log']}"
    if "running" in expect:
        assert running == expect["running"], (
            f"{where}: running {running} != expected {expect['running']}"
        )
    if "stopped" in expect:
        assert stopped is expect["stopped"], f"{where}: stopped {stopped} != {expect['stopped']}"


def run_case(case: Mapping[str, Any]) -> None:
    """Replay a case through the tree, step by step, failing at the first difference."""
    if not isinstance(case.get("name"), str) or not case["name"]:
        raise Malformed("a case needs a non-empty string name")
    if unknown := set(case) - CASE_KEYS:
        raise Malformed(f"unknown keys {sorted(unknown)}")
    if "tree" not in case:
        raise Malformed("a case needs a tree")
    if ("steps" in case) == ("expect_error" in case):
        raise Malformed("a case has either steps or expect_error, not both nor neither")
    if "expect_error" in case:
        check_error(case)
        return
    steps = steps_of(case)
    try:
        spec: Spec = parse_spec(case["tree"])
    except SpecError as exc:
        raise Malformed(f"the tree is invalid: {exc}") from exc
    tree = Tree(spec)
    for step in steps:
        try:
            if step.exit is None:
                log = tree.start(step.at_ms)
            else:
                log = tree.exit(step.exit[0], step.exit[1], step.at_ms)
        except TreeError as exc:
            raise Malformed(f"step {step.number}: {exc}") from exc
        compare(step, log, tree.running(), tree.stopped)
