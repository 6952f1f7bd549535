"""The Avro vectors (tests/vectors/avro) agree with Apache Avro, and pin every rule.

The reference model (tests/vectors/reference/avro_model.py) is Apache Avro 1.12.2's
``avro.compatibility`` (the spec's rules are Avro's own), with the defaults checked as the
spec says: every case gets its answer from it, except the departures the vectors README
lists, each on purpose. The files are checked to be well
formed without the implementations' help (known keys, unique names numbered by concept,
both answers in every file, every level), and copies of the Python checker with one rule
broken each must fail some case: every rule is pinned by at least one vector.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from python.tests.schema.vectors import run_case
from tests.vectors.reference.cases import load_model
from twinbook.schema import Level, defaults, level, resolve

FOLDER = Path(__file__).resolve().parent / "vectors" / "avro"
FILES = sorted(FOLDER.glob("*.json"))
CASES: list[tuple[str, str, dict[str, Any]]] = [
    (path.name, data["concept"], case)
    for path in FILES
    for data in [json.loads(path.read_text(encoding="utf-8"))]
    for case in data["cases"]
]
PREFIX = {"avro_resolution": "a", "registry_compatibility": "r"}
KEYS = {
    "avro_resolution": {"name", "reader", "writer", "compatible"},
    "registry_compatibility": {"name", "level", "existing", "candidate", "compatible"},
}
model = load_model("avro")  # tests/vectors/reference/avro_model.py: Apache Avro, plus the spec


def topic(case: dict[str, Any]) -> str:
    """A case's name without its number."""
    return str(case["name"]).split(" ", 1)[1]


def ids(cases: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    return [case["name"] for _, _, case in cases]


def test_there_are_at_least_80_cases_of_both_concepts():
    assert len(CASES) >= 80, len(CASES)
    concepts = {concept for _, concept, _ in CASES}
    assert concepts == set(PREFIX)


def test_names_are_unique_and_numbered_by_concept():
    names = [case["name"] for _, _, case in CASES]
    assert len(names) == len(set(names))
    for _, concept, case in CASES:
        assert re.match(rf"{PREFIX[concept]}\d{{2,3}} \S", case["name"]), case["name"]
    numbers = [case["name"].split()[0] for _, _, case in CASES]
    assert len(numbers) == len(set(numbers)), "a number is used twice"


@pytest.mark.parametrize(("file", "concept", "case"), CASES, ids=ids(CASES))
def test_case_is_well_formed(file, concept, case):
    assert set(case) - {"invalid"} == KEYS[concept], file
    assert isinstance(case["compatible"], bool)
    assert case.get("invalid", False) in (True, False)
    assert not (case.get("invalid") and case["compatible"]), "invalid is never compatible"
    if concept == "registry_compatibility":
        assert case["level"] in {str(v) for v in Level}


def test_every_file_has_both_answers_and_every_level_both_ways():
    for path in FILES:
        answers = {case["compatible"] for file, _, case in CASES if file == path.name}
        assert answers == {True, False}, path.name
    for lvl in Level:
        answers = {
            c["compatible"]
            for _, concept, c in CASES
            if c.get("level") == lvl and not c.get("invalid")
        }
        assert True in answers, lvl
        assert lvl is Level.NONE or False in answers, lvl
    invalid = [c for _, _, c in CASES if c.get("invalid")]
    assert {concept for _, concept, c in CASES if c.get("invalid")} == set(PREFIX)
    assert len(invalid) >= 20


@pytest.mark.parametrize(("file", "concept", "case"), CASES, ids=ids(CASES))
def test_case_agrees_with_the_reference_model(file, concept, case):
    assert model.run_case(case) >= 1 + ("invalid" in case), file


def test_the_departures_listed_are_cases():
    assert model.DEPARTS <= {topic(case) for _, _, case in CASES}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda c: c.update(compatible=not c["compatible"]), "the model answers"),
        (lambda c: c.update(invalid=True), "expect.invalid"),
    ],
    ids=["wrong answer", "wrong invalid"],
)
def test_the_model_rejects_a_wrong_expectation(change, match):
    case = copy.deepcopy(next(c for _, _, c in CASES if c["name"].startswith("a01 ")))
    change(case)
    with pytest.raises(model.Mismatch, match=match):
        model.run_case(case)


# -- every rule is pinned: the Python checker with any one rule broken fails some case ------


def caught(patches: dict[tuple[Any, str], Any]) -> list[str]:
    """The cases that fail with the given module attributes replaced."""
    saved = {(mod, attr): getattr(mod, attr) for mod, attr in patches}
    for (mod, attr), value in patches.items():
        setattr(mod, attr, value)
    failing = []
    try:
        for _, concept, case in CASES:
            try:
                run_case(concept, case)
            except (AssertionError, RecursionError):
                failing.append(case["name"])
    finally:
        for (mod, attr), value in saved.items():
            setattr(mod, attr, value)
    return failing


R = resolve._Resolver  # noqa: SLF001 (the mutants replace the checker's parts)
original_can_read = R.can_read


def _promotions(**changes: frozenset[str]) -> dict[str, frozenset[str]]:
    return {**resolve.PROMOTIONS, **changes}


def _union_any_writer(self, reader, writer):
    if writer.type == "union":
        return any(self.can_read(reader, b) for b in writer.branches)
    return original_can_read(self, reader, writer)


def _union_all_reader(self, reader, writer):
    if reader.type == "union" and writer.type != "union":
        return all(self.can_read(b, writer) for b in reader.branches)
    return original_can_read(self, reader, writer)


def _no_recursion_guard(self, reader, writer, same):
    return resolve._names_match(reader, writer) and same(reader, writer)  # noqa: SLF001


def _fixed_any_size(self, reader, writer):
    if reader.type == writer.type == "fixed":
        return resolve._names_match(reader, writer)  # noqa: SLF001
    return original_can_read(self, reader, writer)


def _logical_matters(self, reader, writer):
    if reader.logical != writer.logical and reader.type != "union" and writer.type != "union":
        return False
    return original_can_read(self, reader, writer)


def _compatible_latest_is_first(lvl, candidate, existing):
    return original_compatible(lvl, candidate, list(reversed(existing)))


def _compatible_never_transitive(lvl, candidate, existing):
    plain = {"BACKWARD_TRANSITIVE": "BACKWARD", "FORWARD_TRANSITIVE": "FORWARD"}
    plain["FULL_TRANSITIVE"] = "FULL"
    return original_compatible(Level(plain.get(lvl, lvl)), candidate, existing)


def _compatible_directions_swapped(lvl, candidate, existing):
    swap = {"BACKWARD": "FORWARD", "FORWARD": "BACKWARD"}
    swap |= {
        "BACKWARD_TRANSITIVE": "FORWARD_TRANSITIVE",
        "FORWARD_TRANSITIVE": "BACKWARD_TRANSITIVE",
    }
    return original_compatible(Level(swap.get(lvl, lvl)), candidate, existing)


def _compatible_empty_refuses(lvl, candidate, existing):
    return bool(existing) and original_compatible(lvl, candidate, existing)


original_compatible = level.compatible
original_valid_default = defaults.valid_default


def _union_default_any_branch(schema, value):
    if schema.type == "union":
        return any(original_valid_default(b, value) for b in schema.branches)
    return original_valid_default(schema, value)


def _int_default_any_number(schema, value):
    if schema.type in ("int", "long"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return original_valid_default(schema, value)


MUTANTS: dict[str, dict[tuple[Any, str], Any]] = {
    "long narrowed to int": {
        (resolve, "PROMOTIONS"): _promotions(long=frozenset({"int", "float", "double"}))
    },
    "int not promoted to long": {
        (resolve, "PROMOTIONS"): _promotions(int=frozenset({"float", "double"}))
    },
    "int not promoted to float": {
        (resolve, "PROMOTIONS"): _promotions(int=frozenset({"long", "double"}))
    },
    "long not promoted to double": {
        (resolve, "PROMOTIONS"): _promotions(long=frozenset({"float"}))
    },
    "float not promoted to double": {(resolve, "PROMOTIONS"): _promotions(float=frozenset())},
    "double narrowed to float": {(resolve, "PROMOTIONS"): _promotions(double=frozenset({"float"}))},
    "string not read as bytes": {(resolve, "PROMOTIONS"): _promotions(string=frozenset())},
    "bytes not read as string": {(resolve, "PROMOTIONS"): _promotions(bytes=frozenset())},
    "int read as string": {
        (resolve, "PROMOTIONS"): _promotions(int=frozenset({"long", "float", "double", "string"}))
    },
    "names ignored": {(resolve, "_names_match"): lambda r, w: True},
    "full names compared": {
        (resolve, "_names_match"): lambda r, w: r.name == w.name or w.name in r.aliases
    },
    "reader aliases ignored": {
        (resolve, "_names_match"): lambda r, w: (
            r.name.rpartition(".")[2] == w.name.rpartition(".")[2]
        )
    },
    "writer aliases honoured": {
        (resolve, "_names_match"): lambda r, w: (
            resolve.short_name(r.name) in {resolve.short_name(n) for n in (w.name, *w.aliases)}
            or any(resolve.short_name(a) == resolve.short_name(w.name) for a in r.aliases)
        )
    },
    "field aliases ignored": {
        (resolve, "_writer_field"): lambda w, rf: next(
            (f for f in w.fields if f.name == rf.name), None
        )
    },
    "field aliases before the name": {
        (resolve, "_writer_field"): lambda w, rf: next(
            (f for f in w.fields if f.name in rf.aliases or f.name == rf.name), None
        )
    },
    "writer field aliases honoured": {
        (resolve, "_writer_field"): lambda w, rf: next(
            (f for f in w.fields if rf.name in (f.name, *f.aliases) or f.name in rf.aliases), None
        )
    },
    "reader defaults ignored": {
        (R, "records"): lambda self, r, w: all(
            (wf := resolve._writer_field(w, rf)) is not None and self.can_read(rf.type, wf.type)
            for rf in r.fields
        )
    },  # noqa: SLF001
    "missing fields without default allowed": {
        (R, "records"): lambda self, r, w: all(
            (wf := resolve._writer_field(w, rf)) is None or self.can_read(rf.type, wf.type)
            for rf in r.fields
        )
    },  # noqa: SLF001
    "enum default ignored": {
        (resolve, "_enums"): lambda r, w: all(s in r.symbols for s in w.symbols)
    },
    "enum symbols ignored": {(resolve, "_enums"): lambda r, w: True},
    "reader symbols must be the writer's": {
        (resolve, "_enums"): lambda r, w: (
            r.enum_default is not None or all(s in w.symbols for s in r.symbols)
        )
    },
    "fixed sizes ignored": {(R, "can_read"): _fixed_any_size},
    "a writer union needs only one readable branch": {(R, "can_read"): _union_any_writer},
    "a reader union needs every branch": {(R, "can_read"): _union_all_reader},
    "logical types matter": {(R, "can_read"): _logical_matters},
    "no recursion guard": {(R, "named"): _no_recursion_guard},
    "the latest is the first": {(level, "compatible"): _compatible_latest_is_first},
    "transitive levels check the latest only": {
        (level, "compatible"): _compatible_never_transitive
    },
    "backward and forward swapped": {(level, "compatible"): _compatible_directions_swapped},
    "an empty subject refuses": {(level, "compatible"): _compatible_empty_refuses},
    "a union default may match any branch": {
        (defaults, "valid_default"): _union_default_any_branch
    },
    "an int default may be any number": {(defaults, "valid_default"): _int_default_any_number},
    "defaults never checked": {(defaults, "valid_default"): lambda s, v: True},
}


def _patch_imports(patches: dict[tuple[Any, str], Any]) -> dict[tuple[Any, str], Any]:
    """Modules that imported a patched function by name get the mutant too."""
    runner = importlib.import_module("python.tests.schema.vectors")
    parse_module = importlib.import_module(
        "twinbook.schema.parse"
    )  # the package's parse is the function

    out = dict(patches)
    for (mod, attr), value in patches.items():
        if mod is level and attr == "compatible":
            out[(runner, "compatible")] = value
        if mod is defaults and attr == "valid_default":
            out[(parse_module, "valid_default")] = value
    return out


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_a_checker_with_one_rule_broken_fails_some_case(mutant):
    assert caught(_patch_imports(MUTANTS[mutant])), f"no vector catches: {mutant}"


def test_the_checker_itself_is_caught_by_no_case():
    assert caught({}) == []


def test_the_model_run_as_a_script_reports_each_failing_case_and_file(tmp_path):
    good = {"concept": "avro_resolution", "cases": [CASES[0][2]]}
    bad_case = dict(CASES[0][2], compatible=not CASES[0][2]["compatible"])
    files = {
        "good.json": good,
        "bad.json": {"concept": "registry_compatibility", "cases": [bad_case]},
        "empty.json": {"concept": "avro_resolution", "cases": []},
    }
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    script = Path(model.__file__)
    run = subprocess.run(
        [sys.executable, str(script), *(str(tmp_path / n) for n in files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    lines = run.stdout.splitlines()
    assert (run.returncode, lines[-1]) == (1, "2 case(s) failed"), run.stdout + run.stderr
    assert any(line.startswith(f"FAIL {tmp_path / 'bad.json'}: ") for line in lines)
    assert any(line.startswith(f"FAIL {tmp_path / 'empty.json'}: ") for line in lines)
