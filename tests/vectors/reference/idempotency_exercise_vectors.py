"""Which idempotency vectors chapter 5's exercises replay, and their embedded copies.

The same mechanism as chapters 2 to 4 (exercise_vectors.py writes the blocks): the grader
copies only an exercise's test files and its chapter's helper file into a submission's sandbox,
so the hidden tests embed the cases their exercise covers between two marker lines and replay
them with the one replayer per language in the chapter's helper file (REPLAYERS). The
idempotency-keys exercise is the whole contract of the keys without HTTP, so it replays every
``idempotency_key`` case; the saga exercise runs a saga in one process, without a store, so it
replays every ``saga`` case without a crash (``crash_after`` empty).
`--write` rewrites the blocks in solutions/ from whatever tests/vectors/idempotency holds, and
tests/test_idempotency_exercise_vectors.py fails when a block is stale.

    .venv/bin/python tests/vectors/reference/idempotency_exercise_vectors.py --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import load_script  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors" / "idempotency"
SOLUTIONS = ROOT / "solutions" / "ch05-outbox"
SOURCE = "idempotency_exercise_vectors.py from tests/vectors/idempotency"
CONCEPT = "idempotency_key"
OTHER_CONCEPTS = {"saga"}
CASE_KEYS = {"name", "config", "steps"}

EXERCISES = {"01-idempotency-keys": {}, "04-saga-compensation": {}}
HIDDEN_FILES = {"python": "python/test_hidden.py", "go": "go/hidden_test.go"}
# the chapter's helper files, where the replayer lives, and how its loop over a case's steps reads
REPLAYERS = {
    "python": (SOLUTIONS / "chapter_helpers.py", 'enumerate(case["steps"])'),
    "go": (SOLUTIONS / "chapter_helpers_test.go", "range c.Steps"),
}


def _blocks():
    return load_script("exercise_vectors.py", "twinbook_breaker_exercise_vectors")


def replayer_copies() -> list[Path]:
    """Files in the chapter, other than its helper files, that loop over a case's steps:
    a replayer written again instead of the helper's being used."""
    copies = []
    for helper, loop in REPLAYERS.values():
        for path in sorted(SOLUTIONS.rglob(f"*{helper.suffix}")):
            if path != helper and loop in path.read_text(encoding="utf-8"):
                copies.append(path)
    return copies


def all_cases() -> list[dict]:
    """Every idempotency_key case of tests/vectors/idempotency, in file then case order; a
    saga file is passed over, a file of an unknown concept or a malformed case refused."""
    found = []
    for path in sorted(VECTORS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
            raise ValueError(f"{path}: not a vector file")
        if data.get("concept") in OTHER_CONCEPTS:
            continue
        if data.get("concept") != CONCEPT:
            raise ValueError(f"{path}: unknown concept {data.get('concept')!r}")
        for case in data["cases"]:
            if not isinstance(case, dict) or set(case) != CASE_KEYS:
                raise ValueError(f"{path}: {case!r}: keys {sorted(CASE_KEYS)} exactly")
            found.append(case)
    return found


def saga_cases() -> list[dict]:
    """Every saga case of tests/vectors/idempotency, in file then case order."""
    found = []
    for path in sorted(VECTORS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("concept") == "saga":
            found.extend(data["cases"])
    return found


def select(exercise: str) -> list[dict]:
    assert exercise in EXERCISES, exercise
    if exercise == "04-saga-compensation":
        return [case for case in saga_cases() if not case.get("crash_after")]
    return all_cases()


def replace_block(text: str, language: str, cases: list[dict]) -> str:
    """exercise_vectors.py's block, except that a backtick (a key of the punctuation case) is
    written as JSON's \\u0060 in Go: a raw string literal cannot hold one."""
    blocks = _blocks()
    if language != "go":
        return blocks.replace_block(text, language, cases, SOURCE)
    start = text.index(blocks.BEGIN[language])
    end = text.index(blocks.END[language], start) + len(blocks.END[language])
    block = blocks.block(language, [], SOURCE)
    block = block.replace(blocks.render([]), blocks.render(cases).replace("`", "\\u0060"))
    return text[:start] + block + text[end:]


def stale_files() -> list[Path]:
    return _blocks().stale_files(SOLUTIONS, EXERCISES, select, replace_block)


def write() -> None:
    _blocks().write(SOLUTIONS, EXERCISES, select, replace_block)


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    for exercise in EXERCISES:
        print(f"{exercise}: {len(select(exercise))} cases")
