"""Which Avro vectors chapter 4's compatibility exercise replays, and their embedded copies.

The same mechanism as chapters 2 and 3 (exercise_vectors.py writes the blocks): the grader
copies only an exercise's test files and its chapter's helper file into a submission's sandbox,
so the hidden tests embed the cases their exercise covers between two marker lines and replay
them with the one replayer per language in the chapter's helper file (REPLAYERS). The
learner's ``can_read`` takes valid schemas and compares named types by their short names, so a
case applies when it is an ``avro_resolution`` case whose schemas are valid (not marked
``"invalid": true``) and whose named types have distinct short names in each schema. `--write`
rewrites the blocks in solutions/ from whatever tests/vectors/avro holds, and
tests/test_avro_exercise_vectors.py fails when a block is stale.

    .venv/bin/python tests/vectors/reference/avro_exercise_vectors.py --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import load_script  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors" / "avro"
SOLUTIONS = ROOT / "solutions" / "ch04-events"
SOURCE = "avro_exercise_vectors.py from tests/vectors/avro"
CONCEPT = "avro_resolution"
# the keys a case may have, and the ones the embedded copy keeps (the replayer's)
CASE_KEYS = {"name", "reader", "writer", "compatible", "invalid"}
REPLAYED_KEYS = ("name", "reader", "writer", "compatible")

EXERCISES = {"01-avro-compatibility": {}}
HIDDEN_FILES = {"python": "python/test_hidden.py", "go": "go/hidden_test.go"}
# the chapter's helper files, where the replayer lives, and how its loop over the cases reads
REPLAYERS = {
    "python": (SOLUTIONS / "chapter_helpers.py", 'case["compatible"]'),
    "go": (SOLUTIONS / "chapter_helpers_test.go", "*c.Compatible"),
}
NAMED = ("record", "enum", "fixed")


def _blocks():
    return load_script("exercise_vectors.py", "twinbook_breaker_exercise_vectors")


def replayer_copies() -> list[Path]:
    """Files in the chapter, other than its helper files, that compare a case's answer:
    a replayer written again instead of the helper's being used."""
    copies = []
    for helper, loop in REPLAYERS.values():
        for path in sorted(SOLUTIONS.rglob(f"*{helper.suffix}")):
            if path != helper and loop in path.read_text(encoding="utf-8"):
                copies.append(path)
    return copies


def short_names(schema, found: list[str]) -> list[str]:
    """The short names (without namespace) of every named type a schema defines, in order."""
    if isinstance(schema, list):
        for branch in schema:
            short_names(branch, found)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in NAMED:
            found.append(str(schema.get("name")).rsplit(".", 1)[-1])
        if kind == "record":
            for field in schema.get("fields") or []:
                short_names(field.get("type"), found)
        elif kind == "array":
            short_names(schema.get("items"), found)
        elif kind == "map":
            short_names(schema.get("values"), found)
        elif isinstance(kind, (dict, list)):
            short_names(kind, found)
    return found


def in_scope(case: dict) -> bool:
    """A valid case whose schemas each name their named types with distinct short names."""
    if case.get("invalid", False):
        return False
    for side in ("reader", "writer"):
        names = short_names(case[side], [])
        if len(names) != len(set(names)):
            return False
    return True


def all_cases() -> list[dict]:
    """Every avro_resolution case of tests/vectors/avro, in file then case order; a file of
    another concept is passed over, a malformed one refused naming it."""
    found = []
    for path in sorted(VECTORS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
            raise ValueError(f"{path}: not a vector file")
        if data.get("concept") != CONCEPT:
            continue
        for case in data["cases"]:
            if not isinstance(case, dict) or set(case) - CASE_KEYS:
                raise ValueError(f"{path}: {case!r}: keys {sorted(CASE_KEYS)} only")
            found.append(case)
    return found


def select(exercise: str) -> list[dict]:
    assert exercise in EXERCISES, exercise
    return [{k: c[k] for k in REPLAYED_KEYS} for c in all_cases() if in_scope(c)]


def replace_block(text: str, language: str, cases: list[dict]) -> str:
    return _blocks().replace_block(text, language, cases, SOURCE)


def stale_files() -> list[Path]:
    return _blocks().stale_files(SOLUTIONS, EXERCISES, select, replace_block)


def write() -> None:
    _blocks().write(SOLUTIONS, EXERCISES, select, replace_block)


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    for exercise in EXERCISES:
        print(f"{exercise}: {len(select(exercise))} cases")
