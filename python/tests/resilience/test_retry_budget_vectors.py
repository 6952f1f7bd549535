"""The retry budget's shared vectors: one test per case, the same cases as Go's runner.

Cases come from every ``*.json`` in ``$TWINBOOK_VECTORS_DIR/retry_budget/`` when that
variable is set, else from the repository's ``tests/vectors/retry_budget/`` (the rule
shared with ``go/resilience/retry_budget_vectors_test.go``; the finding and loading is
``python/tests/vectors_files.py``). The format is in
``tests/vectors/README.md``. A case with an op or a key this runner does not know fails;
nothing is skipped.
"""

from __future__ import annotations

import math

import pytest
from vectors_files import Case, Loaded, case_of, load_cases, vectors_dir

from twinbook.resilience import RetryBudget

CASE_KEYS = {"name", "config", "steps", "error"}
CONFIG_KEYS = {"ratio", "max_tokens"}
STEP_KEYS = {"op", "times", "expect"}
EXPECT_ON = {"allowed": {"retry"}, "tokens": {"call", "retry"}}
SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
OTHER_FIELD = {"ratio": "max_tokens", "max_tokens": "ratio"}

LOADED = load_cases("retry_budget")
CASES = [item for item in LOADED if isinstance(item, Case)]


def _number(raw: object) -> float:
    if isinstance(raw, str):
        return SPECIAL[raw]
    assert isinstance(raw, (int, float)) and not isinstance(raw, bool), f"not a number: {raw!r}"
    return float(raw)


def test_there_are_cases() -> None:
    assert len(CASES) >= 10, f"only {len(CASES)} cases in {vectors_dir('retry_budget')}"
    names = [case.name for case in CASES]
    assert len(set(names)) == len(names), "case names must be unique"


@pytest.mark.parametrize("item", LOADED, ids=[item.name for item in LOADED])
def test_retry_budget_vector(item: Loaded) -> None:
    case = case_of(item).body
    assert isinstance(case.get("name"), str), "a case needs a name"
    assert set(case) <= CASE_KEYS and ("steps" in case) != ("error" in case), sorted(case)
    config = case["config"]
    assert set(config) == CONFIG_KEYS, sorted(config)
    ratio, max_tokens = _number(config["ratio"]), _number(config["max_tokens"])
    if "error" in case:
        field = case["error"]
        with pytest.raises(ValueError) as raised:
            RetryBudget(ratio=ratio, max_tokens=max_tokens)
        message = str(raised.value)
        assert message.startswith(f"{field}:") and OTHER_FIELD[field] not in message, message
        return
    budget = RetryBudget(ratio=ratio, max_tokens=max_tokens)
    assert case["steps"], "a case needs steps"
    for number, step in enumerate(case["steps"], 1):
        where = f"step {number} ({step.get('op')!r})"
        assert set(step) <= STEP_KEYS, f"{where}: unknown keys {sorted(set(step) - STEP_KEYS)}"
        op, expect = step["op"], step.get("expect", {})
        for key in expect:
            assert op in EXPECT_ON.get(key, set()), f"{where}: expect.{key} is not for {op!r}"
        allowed: bool | None = None
        if op == "call":
            for _ in range(step.get("times", 1)):
                budget.record_call()
        elif op == "retry":
            assert "times" not in step, f"{where}: times is for call only"
            allowed = budget.try_spend()
        else:
            pytest.fail(f"{where}: unknown op {op!r}")
        if "allowed" in expect:
            assert allowed is expect["allowed"], f"{where}: allowed"
        if "tokens" in expect:
            assert budget.tokens == expect["tokens"], f"{where}: tokens"
