"""Build a class of submissions from the real exercises, for the grader's tests and benchmark.

A student starts as a copy of the learner's ``exercises/`` (stub answers); each exercise's
notebook then gets the solution's answer cells, custom code, or is removed. Zips are made
from such folders, hostile zips by hand.
"""

from __future__ import annotations

import json
import stat
import zipfile
from functools import lru_cache
from pathlib import Path

from tests.repo import SOLUTIONS

POOL = "ch01-concurrency/01-worker-pool"

# Python: every visible test passes; submits every item at once, so the hidden test that
# wants no new call after an error fails.
PY_POOL_EAGER = """\
from concurrent.futures import ThreadPoolExecutor


def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    with ThreadPoolExecutor(max_workers=limit) as pool:
        return list(pool.map(fn, items))
"""

# Python: one call at a time: test_runs_limit_calls_at_once fails.
PY_POOL_SEQUENTIAL = """\
def map_limited(fn, items, limit):
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    return [fn(x) for x in items]
"""

PY_SYNTAX_ERROR = """\
def map_limited(fn, items, limit):
    return [fn(x) for x in items
"""

# Go: one call at a time, ctx ignored: TestRunsLimitCallsAtOnce fails.
GO_POOL_SEQUENTIAL = """\
func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {
	if limit < 1 {
		return nil, fmt.Errorf("limit must be at least 1, got %d", limit)
	}
	out := make([]int, len(items))
	for i, item := range items {
		v, err := fn(ctx, item)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
"""

GO_COMPILE_ERROR = """\
func MapLimited(ctx context.Context, limit int, items []int, fn func(context.Context, int) (int, error)) ([]int, error) {
	return undefinedThing(items), nil
}
"""


def _tomls() -> dict[str, dict]:
    """exercise id -> parsed exercise.toml, from the same snapshot as :func:`learner_tree`."""
    import tomllib

    out = {}
    for rel, data in learner_tree().items():
        rel = Path(rel)
        if rel.name == "exercise.toml":
            out[rel.parent.as_posix()] = tomllib.loads(data.decode("utf-8"))
    return out


def notebook_rel(ex_id: str, lang: str) -> str:
    """``<id>/<lang>/<name>.ipynb`` from the exercise's exercise.toml."""
    return f"{ex_id}/{_tomls()[ex_id][lang]['notebook']}"


def exercise_languages() -> list[tuple[str, str]]:
    return [
        (ex_id, lang)
        for ex_id, data in sorted(_tomls().items())
        for lang in ("python", "go")
        if lang in data
    ]


def answer_sources(notebook: Path) -> list[str]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if (
            cell["cell_type"] == "code"
            and cell.get("metadata", {}).get("twinbook", {}).get("role") == "answer"
        ):
            src = cell["source"]
            out.append("".join(src) if isinstance(src, list) else src)
    return out


def set_answers(notebook: Path, sources: list[str]) -> None:
    """Replace the notebook's answer cells by ``sources`` (extra answer cells emptied)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    i = 0
    for cell in nb["cells"]:
        if (
            cell["cell_type"] == "code"
            and cell.get("metadata", {}).get("twinbook", {}).get("role") == "answer"
        ):
            cell["source"] = sources[i] if i < len(sources) else ""
            i += 1
    notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")


@lru_cache(maxsize=1)
def learner_tree() -> dict[str, bytes]:
    """exercises/ as the generator makes it from solutions/ (stub answers): built in memory
    so that edits to the working tree's exercises/ never change a test's class."""
    from twinbook.authoring.generate import generate_tree

    return generate_tree(SOLUTIONS)


def make_student(
    dest: Path, answers: dict | None = None, *, default: str = "solution", layout: str = "exercises"
) -> Path:
    """A student folder at ``dest``.

    ``answers`` maps (exercise id, language) to "solution", "stub", "missing", "invalid" or
    Python/Go source for the (first) answer cell; others get ``default``. ``layout``
    "exercises" copies exercises/ as the folder itself, "repo" puts it under exercises/.
    """
    answers = answers or {}
    base = dest / "exercises" if layout == "repo" else dest
    for rel, data in learner_tree().items():
        if str(rel).endswith("README.md"):
            continue
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_bytes(data)
    for ex_id, lang in exercise_languages():
        what = answers.get((ex_id, lang), default)
        notebook = base / notebook_rel(ex_id, lang)
        if what == "stub":
            continue
        if what == "missing":
            notebook.unlink()
        elif what == "invalid":
            notebook.write_text('{"cells": [ this is not json', encoding="utf-8")
        elif what == "solution":
            set_answers(notebook, answer_sources(SOLUTIONS / notebook_rel(ex_id, lang)))
        else:
            set_answers(notebook, [what])
    return dest


def zip_folder(folder: Path, zip_path: Path, prefix: str = "") -> Path:
    """Zip ``folder``'s contents, under ``prefix/`` when given (a wrapping folder)."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                rel = path.relative_to(folder).as_posix()
                zf.write(path, f"{prefix}/{rel}" if prefix else rel)
    return zip_path


def traversal_zip(zip_path: Path, good_folder: Path | None = None) -> Path:
    """A zip with a good submission plus a member that climbs out with '..'."""
    if good_folder is not None:
        zip_folder(good_folder, zip_path)
    with zipfile.ZipFile(zip_path, "a" if good_folder is not None else "w") as zf:
        zf.writestr("../../escaped-by-zip.ipynb", "{}")
    return zip_path


def symlink_zip(zip_path: Path, target: str) -> Path:
    """A zip whose exercise notebook is a symlink to ``target``."""
    info = zipfile.ZipInfo(f"exercises/{notebook_rel(POOL, 'python')}")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr(info, target)
    return zip_path


def add_cheats(student: Path) -> None:
    """Files a student adds to make tests pass; the grader must ignore every one."""
    py = student / POOL / "python"
    go = student / POOL / "go"
    (py / "conftest.py").write_text(
        "import pytest\n\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    report = outcome.get_result()\n"
        "    report.outcome = 'passed'\n"
        "    report.longrepr = None\n"
    )
    visible = [
        line.split("(")[0][4:]
        for line in (SOLUTIONS / POOL / "python/test_visible.py").read_text().splitlines()
        if line.startswith("def test_")
    ]
    hidden = [
        line.split("(")[0][4:]
        for line in (SOLUTIONS / POOL / "python/test_hidden.py").read_text().splitlines()
        if line.startswith("def test_")
    ]
    (py / "test_visible.py").write_text(
        "".join(f"def {t}(answer):\n    pass\n\n\n" for t in visible)
    )
    (py / "test_hidden.py").write_text("".join(f"def {t}(answer):\n    pass\n\n\n" for t in hidden))
    (py / "sitecustomize.py").write_text("import builtins\nbuiltins.AssertionError = Exception\n")
    (py / "pytest.ini").write_text("[pytest]\naddopts = -p no:python\n")
    (go / "go.mod").write_text("module answer\n\ngo 1.26\n\nreplace answer => ./cheat\n")
    go_tests = [
        line.split("(")[0][5:]
        for line in (SOLUTIONS / POOL / "go/hidden_test.go").read_text().splitlines()
        if line.startswith("func Test")
    ]
    (go / "hidden_test.go").write_text(
        'package main\n\nimport "testing"\n\n'
        + "".join(f"func {t}(t *testing.T) {{}}\n\n" for t in go_tests)
    )
    (go / "zz_main_test.go").write_text(
        'package main\n\nimport (\n\t"os"\n\t"testing"\n)\n\nfunc TestMain(m *testing.M) { os.Exit(0) }\n'
    )
