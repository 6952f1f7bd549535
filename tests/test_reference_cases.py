"""The reference models' shared loader (tests/vectors/reference/cases.py) and command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vectors.reference.cases import (
    REFERENCE,
    VectorError,
    cases_catching,
    duplicate_names,
    file_cases,
    first_case,
    load_cases,
    load_model,
)

GOOD = {"concept": "limiter", "cases": [{"name": "a"}, {"name": "b"}]}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"concept": "breaker", "cases": []}, id="another concept"),
        pytest.param({"concept": "limiter", "cases": [], "comment": "?"}, id="an unknown key"),
        pytest.param({"concept": "limiter"}, id="no cases"),
        pytest.param({"concept": "limiter", "cases": {}}, id="cases not a list"),
        pytest.param([GOOD], id="not an object"),
    ],
)
def test_load_cases_refuses_what_is_not_a_file_of_the_concept(tmp_path: Path, data: object) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(VectorError, match="not a limiter vector file"):
        load_cases(path, "limiter")


def test_load_cases_returns_the_cases_in_order(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    assert load_cases(path, "limiter") == GOOD["cases"]


@pytest.mark.parametrize("concept", ["breaker", "limiter", "supervisor"])
def test_a_model_is_loaded_once_and_reads_its_concepts_files(concept: str) -> None:
    model = load_model(concept)
    assert load_model(concept) is model
    assert file_cases(concept) and all(isinstance(c, dict) for _, c in file_cases(concept))
    assert model.load_cases(REFERENCE.parent / concept / file_cases(concept)[0][0])


PASSING = {
    "concept": "limiter",
    "cases": [
        {
            "name": "allow: a full bucket allows",
            "config": {"rate": 1, "burst": 1},
            "steps": [{"at_ms": 0, "op": "allow", "expect": {"allowed": True}}],
        }
    ],
}


@pytest.mark.parametrize(
    ("data", "code", "last"),
    [
        pytest.param(PASSING, 0, "ok", id="passing"),
        pytest.param(GOOD, 1, "2 case(s) failed", id="failing"),
    ],
)
def test_a_model_run_as_a_script_reports_each_failing_case(
    tmp_path: Path, data: object, code: int, last: str
) -> None:
    # GOOD's cases have no config, so the model refuses both: the CLI counts them and fails.
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    script = REFERENCE / "limiter_model.py"
    run = subprocess.run(
        [sys.executable, str(script), str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == code, run.stderr
    assert run.stdout.splitlines()[-1] == last


def test_duplicate_names_are_found_across_files() -> None:
    cases = [("a.json", {"name": "x"}), ("b.json", {"name": "y"}), ("c.json", {"name": "x"})]
    assert duplicate_names(cases) == ["x"]
    assert duplicate_names(cases[:2]) == []


def test_first_case_is_a_copy_that_can_be_broken() -> None:
    cases = [("a.json", {"name": "wait: one", "steps": [1]}), ("a.json", {"name": "wait: two"})]
    case = first_case(cases, "wait:")
    case["steps"].append(2)
    assert cases[0][1]["steps"] == [1]
    with pytest.raises(StopIteration):
        first_case(cases, "allow:")


@pytest.mark.parametrize("concept", ["breaker", "limiter"])
def test_the_model_itself_is_caught_by_no_case(concept: str) -> None:
    model = load_model(concept)
    unbroken = model.Breaker if concept == "breaker" else model.Limiter
    cases = file_cases(concept)
    assert cases_catching(model, unbroken, cases) == []


def test_a_refused_file_is_reported_by_name_and_the_others_still_run(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"concept": "breaker", "cases": []}), encoding="utf-8")
    passing = tmp_path / "passing.json"
    passing.write_text(json.dumps(PASSING), encoding="utf-8")
    script = REFERENCE / "limiter_model.py"
    run = subprocess.run(
        [sys.executable, str(script), str(broken), str(passing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == [
        f"FAIL {broken}: {broken}: not a limiter vector file",
        "1 case(s) failed",
    ]
