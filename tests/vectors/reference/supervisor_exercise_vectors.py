"""Which supervisor vectors each chapter 3 exercise's hidden tests replay, and their embedded copies.

The same mechanism as chapter 2's (exercise_vectors.py, whose block format this module uses):
the grader copies only an exercise's test files and its chapter's helper file into a
submission's sandbox, so the hidden tests embed the cases their exercise covers between two
marker lines and replay them with the one replayer per language in the chapter's helper file
(REPLAYERS). An exercise's learner writes a flat supervisor (workers only, no nested
supervisor, no validation), so a case applies when its tree is valid and flat and its strategy
is one the exercise teaches. `--write` rewrites the blocks in solutions/, and
tests/test_supervisor_vectors_reference.py fails when a block is stale.

    .venv/bin/python tests/vectors/reference/supervisor_exercise_vectors.py --write
"""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import load_model, load_script  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors" / "supervisor"
SOLUTIONS = ROOT / "solutions" / "ch03-teammates"
SOURCE = "supervisor_exercise_vectors.py from tests/vectors/supervisor"


def _model():
    return load_model("supervisor")


def _blocks():
    return load_script("exercise_vectors.py", "twinbook_breaker_exercise_vectors")


# exercise -> the strategies its learner's Tree knows
EXERCISES = {
    "03-one-for-one": {"strategies": {"one_for_one"}},
    "04-rest-for-one": {"strategies": {"rest_for_one", "one_for_all"}},
}
HIDDEN_FILES = {"python": "python/test_hidden.py", "go": "go/hidden_test.go"}
# the chapter's helper files, where the replayer lives, and how its loop over a case's steps reads
REPLAYERS = {
    "python": (SOLUTIONS / "chapter_helpers.py", 'enumerate(case["steps"])'),
    "go": (SOLUTIONS / "chapter_helpers_test.go", "range c.Steps"),
}


def replayer_copies() -> list[Path]:
    """Files in the chapter, other than its helper files, that loop over a case's steps:
    a replayer written again instead of the helper's being used."""
    copies = []
    for helper, loop in REPLAYERS.values():
        for path in sorted(SOLUTIONS.rglob(f"*{helper.suffix}")):
            if path != helper and loop in path.read_text(encoding="utf-8"):
                copies.append(path)
    return copies


def flat(case: dict) -> bool:
    """A case with steps whose tree has workers only (``kind`` absent or ``"worker"``)."""
    return "steps" in case and all(
        child.get("kind", "worker") == "worker" for child in case["tree"]["children"]
    )


def all_cases() -> list[dict]:
    m = _model()
    return [case for path in sorted(VECTORS.glob("*.json")) for case in m.load_cases(path)]


def select(exercise: str) -> list[dict]:
    strategies = EXERCISES[exercise]["strategies"]
    return [c for c in all_cases() if flat(c) and c["tree"]["strategy"] in strategies]


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
