"""``--shard K/N`` and ``grade merge``: a class graded in one run and in 3 shards merged
gives the same OUT byte for byte (scripted backend: no student code runs here; the
instructors' workflow test does the same through the CLI and the real sandbox)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import classbuild as cb
import pytest
from rich.console import Console
from test_grade_scoring import POOL, Scripted, backend, student

from tests.repo import SOLUTIONS
from twinbook.grading.command import _fill, merge_run
from twinbook.grading.grade import ClassOptions, GradeSetupError, grade_class
from twinbook.grading.outdir import replace_out
from twinbook.grading.shards import parse_shard, select
from twinbook.grading.submissions import find_entries


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def class_dir(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    student(subs, "ann", "def map_limited(fn, items, limit): ...\n")
    student(subs, "bob", "# outcome test_results_in_order failed\n")
    student(subs, "cy", "# REJECT\n")
    cb.make_student(subs / "dee", {(POOL, "go"): "missing"}, default="stub")
    cb.traversal_zip(subs / "eve.zip")
    (subs / "fay\nlines").mkdir()
    student(subs, "gus", "# outcome test_hidden_no_threads_left_behind failed\n")
    for n, folder in enumerate(sorted(subs.iterdir())):  # file times for the deadline
        for path in folder.rglob("*.ipynb") if folder.is_dir() else [folder]:
            os.utime(path, (1_800_000_000 + 3600 * n,) * 2)
    return subs


def _grade(subs: Path, out: Path, shard: tuple[int, int] | None) -> None:
    options = ClassOptions(
        shard=shard,
        deadline=datetime.fromtimestamp(1_800_000_000 + 3 * 3600, UTC),
        assignment="week 1",
    )
    grades = grade_class(
        subs, solutions=SOLUTIONS, exercises=[POOL], be=backend(Scripted()), options=options
    )
    # shards render their returned notebooks in 2 processes, the whole run in 1: same bytes
    replace_out(
        out, lambda stage: _fill(grades, stage, returned=True, jobs=1 if shard is None else 2)
    )


def test_three_shards_merged_equal_one_run_byte_for_byte(class_dir, tmp_path):
    _grade(class_dir, tmp_path / "all", None)
    shards = [tmp_path / f"shard-{k}" for k in (1, 2, 3)]
    for k, out in enumerate(shards, 1):
        _grade(class_dir, out, (k, 3))
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115
    assert (
        merge_run(shards, tmp_path / "merged", solutions=SOLUTIONS, console=quiet, stdout=quiet)
        == 0
    )
    one, merged = files(tmp_path / "all"), files(tmp_path / "merged")
    assert sorted(one) == sorted(merged)
    for rel in one:
        assert one[rel] == merged[rel], rel
    # the shards are disjoint and cover the class
    ids = [sorted(p.stem for p in (s / "feedback").glob("*.md")) for s in shards]
    assert sorted(sum(ids, [])) == sorted(
        p.stem for p in (tmp_path / "all" / "feedback").glob("*.md")
    )
    assert all(ids) and len(set(sum(ids, []))) == 7
    assert any(p.name.endswith(".html") for p in (tmp_path / "all" / "returned").rglob("*"))
    assert "late" in (tmp_path / "all" / "gradebook.csv").read_text().splitlines()[0]


def test_slices_are_round_robin_over_sorted_ids(class_dir):
    entries, _ = find_entries(class_dir)
    names = [e.student for e in entries]
    assert names == sorted(names)
    assert [e.student for e in select(entries, (2, 3))] == names[1::3]
    assert select(entries, None) == entries


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0", "-1/2"])
def test_a_bad_shard_is_refused(text):
    with pytest.raises(GradeSetupError, match="--shard"):
        parse_shard(text)


def test_merge_refuses_shards_that_do_not_fit(class_dir, tmp_path):
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115
    _grade(class_dir, tmp_path / "a", (1, 2))
    assert (
        merge_run(
            [tmp_path / "a", tmp_path / "a"], tmp_path / "m", solutions=SOLUTIONS, console=quiet
        )
        == 2
    )
    (tmp_path / "plain").mkdir()
    err = Console(record=True, width=300)
    assert merge_run([tmp_path / "plain"], tmp_path / "m", solutions=SOLUTIONS, console=err) == 2
    assert "grades.json: not found" in err.export_text()
    grades = grade_class(
        class_dir, solutions=SOLUTIONS, be=backend(Scripted()), options=ClassOptions(shard=(2, 2))
    )
    replace_out(tmp_path / "b", lambda stage: _fill(grades, stage, returned=False))
    err = Console(record=True, width=300)
    assert (
        merge_run(
            [tmp_path / "a", tmp_path / "b"], tmp_path / "m", solutions=SOLUTIONS, console=err
        )
        == 2
    )
    assert "differ in columns" in err.export_text()
    assert not (tmp_path / "m").exists()
