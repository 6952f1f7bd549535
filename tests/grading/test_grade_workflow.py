"""The instructors' workflow (.github/workflows/grade.yml), run locally on a sample class:
its steps' own ``run:`` scripts, read from the file, for the plan, every shard of the
matrix and the merge (artifacts are copied as upload/download would). The merged OUT must
be byte for byte what the same step writes for one shard of one (a whole-class run)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import classbuild as cb
import pytest
import yaml

from tests.repo import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "grade.yml"
POOL = cb.POOL


def _steps() -> dict[tuple[str, str], dict]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {
        (job, step.get("name", step.get("uses", ""))): step
        for job, spec in data["jobs"].items()
        for step in spec["steps"]
    }


def _run(step: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A step's ``run:`` script as GitHub runs it (bash -eo pipefail)."""
    script = next(s["run"] for (_, name), s in _steps().items() if name == step)
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"{step}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def runner(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A checkout-like folder (the venv of this one) and a runner's environment; sudo is a
    pass-through (the test may already be root, or have no sudo at all)."""
    work = tmp_path / "checkout"
    work.mkdir()
    (work / ".venv").symlink_to(ROOT / ".venv")
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
    (shim / "sudo").chmod(0o755)
    subs = work / "submissions"
    only_pool = {pair: "stub" for pair in cb.exercise_languages() if pair[0] != POOL}
    cb.make_student(subs / "perfect", only_pool)
    cb.make_student(
        subs / "partial",
        {**only_pool, (POOL, "python"): cb.PY_POOL_SEQUENTIAL, (POOL, "go"): "missing"},
    )
    cb.traversal_zip(subs / "zipped.zip")
    cb.make_student(subs / "untouched", default="stub")
    env = {
        **os.environ,
        "PATH": f"{shim}:{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "SUBMISSIONS": "submissions",
        "JOBS": "2",
        "GRADE_ARGS": f"--exercise {POOL.split('/')[1]}",
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary"),
    }
    return work, env


def test_the_workflow_grades_in_shards_and_merges_to_one_runs_bytes(runner, tmp_path):
    work, env = runner
    _run("Plan the shards", work, {**env, "SHARDS": "3"})
    assert Path(env["GITHUB_OUTPUT"]).read_text() == "shards=[1,2,3]\n"
    shards = work / "shards"
    for k in (1, 2, 3):
        _run("Grade shard", work, {**env, "SHARD": str(k), "SHARDS": "3"})
        # upload-artifact + download-artifact (pattern, no merge-multiple): a folder each
        shutil.copytree(work / f"out-{k}", shards / f"shard-7-{k}")
        shutil.rmtree(work / f"out-{k}")
    merged = _run("Merge", work, env)
    assert "merged 3 shards: 4 students" in merged.stdout
    _run("Summary", work, env)
    assert "## twinbook grade: 4 students" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    # the same step as one shard of one: a whole-class run
    _run("Plan the shards", work, {**env, "SHARDS": "1"})
    _run("Grade shard", work, {**env, "SHARD": "1", "SHARDS": "1"})
    one, both = files(work / "out-1"), files(work / "out")
    assert sorted(one) == sorted(both)
    for rel in one:
        assert one[rel] == both[rel], rel
    book = (work / "out" / "gradebook.csv").read_text(encoding="utf-8")
    assert re.search(r"^perfect,14,14,28,28,", book, re.M)
    assert "untouched" in book and "not started" in book
    assert (work / "out" / "returned" / "perfect" / POOL / "python" / "worker_pool.html").is_file()


def test_the_workflow_installs_only_what_grading_needs():
    text = WORKFLOW.read_text(encoding="utf-8")
    installs = [s["run"] for (_, name), s in _steps().items() if name.startswith("Install")]
    assert installs and all(run.startswith("make setup-grade") for run in installs)
    assert "chromium" not in text.lower() and "make setup " not in text
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\nsetup-grade:", 1)[1].split("\n\n", 1)[0]
    assert "'./python[grade]'" in target and "apt-get" not in target
    assert "gonb" not in target and "ipykernel" not in target
    extras = tomllib.loads((ROOT / "python" / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["grade"]
    names = {re.split(r"[=<>\[]", e)[0] for e in extras}
    assert "nbconvert" in names
    assert not names & {"playwright", "sphinx", "jupyterlab", "myst-nb", "ipykernel"}
    assert all("==" in e for e in extras)  # pinned


def test_every_action_is_pinned_to_a_full_tag():
    for ref in re.findall(r"uses:\s*(\S+)", WORKFLOW.read_text(encoding="utf-8")):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+", ref), ref
