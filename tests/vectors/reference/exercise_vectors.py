"""Which breaker vectors each chapter 2 exercise's hidden tests replay, and their embedded copies.

The grader copies only an exercise's test files (and its chapter's helper file) into a
submission's sandbox, so the hidden tests cannot read tests/vectors/: each one embeds the
cases its exercise covers between two marker lines, and replays them with the one replayer
per language in the chapter's helper file (REPLAYERS), through a small driver around the
learner's code. This module decides the subset (from the features a case exercises, found by
replaying it on the reference model) and renders the block; `--write` rewrites the blocks in
solutions/, and tests/test_vectors_reference.py fails when a block is stale.

    .venv/bin/python tests/vectors/reference/exercise_vectors.py --write
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors" / "breaker"
SOLUTIONS = ROOT / "solutions" / "ch02-circuit-breaker"


def _model():
    name = "twinbook_breaker_reference_model"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("breaker_model.py")
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# Every feature a case can need beyond a count-window breaker with closed, open and
# half_open states, success/failure outcomes, `call`, `state` and `metrics`.
FEATURES = {
    "time": "a time-based sliding window",
    "slow": "a call slower than slow_call_duration_ms",
    "ignored": "an ignored outcome",
    "two_step": "acquire / complete",
    "manual": "force_open, disable, close or reset",
    "max_wait": "max_wait_in_half_open_ms > 0",
    "probes": "a call permitted in half_open with more than one permit",
}

# exercise id -> (hidden test file, the features its learner's breaker supports, or "time":
# a case with a time window, replayed through the hidden harness around the learner's window)
EXERCISES = {
    "01-count-window": {"features": set()},
    "02-time-window": {"features": set(FEATURES), "require": {"time"}},
    "03-half-open-permits": {"features": {"two_step", "ignored", "probes"}},
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
        suffix = helper.suffix
        for path in sorted(SOLUTIONS.rglob(f"*{suffix}")):
            if path != helper and loop in path.read_text(encoding="utf-8"):
                copies.append(path)
    return copies


def features(case: dict) -> set[str]:
    """The features a case exercises (replayed on the reference model)."""
    m = _model()
    cfg = case["config"]
    found = set()
    if cfg["sliding_window"] == "time":
        found.add("time")
    if cfg["max_wait_in_half_open_ms"] > 0:
        found.add("max_wait")
    b = m.Breaker(dict(cfg))
    acquired = {}
    for step in case["steps"]:
        op, at = step["op"], step["at_ms"]
        if step.get("outcome") == "ignored":
            found.add("ignored")
        if op in ("acquire", "complete"):
            found.add("two_step")
        if op in ("force_open", "disable", "close", "reset"):
            found.add("manual")
        if op in ("call", "acquire"):
            b.advance(at)
            probing = b.state == "half_open"
            perm = b.acquire(at)
            if perm is not None and probing and cfg["half_open_permitted_calls"] > 1:
                found.add("probes")
            if op == "call":
                if perm is not None:
                    _complete(b, perm, step["outcome"], at + step["duration_ms"], found)
            else:
                acquired[step["id"]] = perm
        elif op == "complete":
            _complete(b, acquired.pop(step["id"]), step["outcome"], at, found)
        elif op in ("state", "metrics"):
            b.advance(at)
        else:
            b.manual(op, at)
    return found


def _complete(b, perm, outcome, at, found) -> None:
    """Complete on the model; a slow call counts as a feature only when it is recorded."""
    b.advance(at)
    recorded = (
        perm.generation == b.generation
        and outcome != "ignored"
        and b.state in ("closed", "half_open")
    )
    if recorded and at - perm.at_ms > b.cfg["slow_call_duration_ms"]:
        found.add("slow")
    b.complete(perm, outcome, at)


def all_cases() -> list[dict]:
    m = _model()
    return [case for path in sorted(VECTORS.glob("*.json")) for case in m.load_cases(path)]


def select(exercise: str) -> list[dict]:
    rule = EXERCISES[exercise]
    chosen = []
    for case in all_cases():
        f = features(case)
        if f <= rule["features"] and rule.get("require", set()) <= f:
            chosen.append(case)
    return chosen


def render(cases: list[dict]) -> str:
    """The cases as JSON, one case per line (both languages embed the same text)."""
    return "[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]"


BEGIN = {"python": "# vectors:begin", "go": "// vectors:begin"}
END = {"python": "# vectors:end", "go": "// vectors:end"}


def block(
    language: str, cases: list[dict], source: str = "exercise_vectors.py from tests/vectors/breaker"
) -> str:
    """The embedded block; ``source`` names the generator and the vectors it copies."""
    note = f"generated by tests/vectors/reference/{source}; do not edit"
    if language == "python":
        return (
            f'{BEGIN["python"]} ({note})\nVECTORS = json.loads(r"""\n{render(cases)}\n""")\n'
            f"{END['python']}"
        )
    # the blank line before the end marker is gofmt's: a comment after a declaration
    return f"{BEGIN['go']} ({note})\nconst hiddenVectorsJSON = `\n{render(cases)}\n`\n\n{END['go']}"


def replace_block(text: str, language: str, cases: list[dict], source: str | None = None) -> str:
    start = text.index(BEGIN[language])
    end = text.index(END[language], start) + len(END[language])
    new = block(language, cases) if source is None else block(language, cases, source)
    return text[:start] + new + text[end:]


def stale_files(
    solutions: Path = SOLUTIONS, exercises=None, select_cases=None, replace=None
) -> list[Path]:
    """The hidden test files whose embedded block is not what ``replace`` would write.

    The defaults are chapter 2's; chapter 3's module passes its own folder, exercises,
    selection and block writer (supervisor_exercise_vectors.py)."""
    exercises = EXERCISES if exercises is None else exercises
    select_cases = select if select_cases is None else select_cases
    replace = replace_block if replace is None else replace
    stale = []
    for exercise in exercises:
        cases = select_cases(exercise)
        for language, rel in HIDDEN_FILES.items():
            path = solutions / exercise / rel
            if not path.is_file():
                stale.append(path)
                continue
            text = path.read_text(encoding="utf-8")
            if replace(text, language, cases) != text:
                stale.append(path)
    return stale


def write(solutions: Path = SOLUTIONS, exercises=None, select_cases=None, replace=None) -> None:
    """Rewrite the stale blocks (the same arguments as stale_files)."""
    exercises = EXERCISES if exercises is None else exercises
    select_cases = select if select_cases is None else select_cases
    replace = replace_block if replace is None else replace
    for exercise in exercises:
        cases = select_cases(exercise)
        for language, rel in HIDDEN_FILES.items():
            path = solutions / exercise / rel
            if not path.is_file():
                print(f"missing {path.relative_to(ROOT)}")
                continue
            text = path.read_text(encoding="utf-8")
            new = replace(text, language, cases)
            if new != text:
                path.write_text(new, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)} ({len(cases)} cases)")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    for exercise in EXERCISES:
        print(f"{exercise}: {len(select(exercise))} cases")
