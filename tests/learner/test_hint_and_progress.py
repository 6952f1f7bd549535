"""`twinbook hint` (one level at a time, remembered) and `twinbook progress` (per chapter,
from the last checks, `--refresh`), and the progress file under concurrent writers."""

from __future__ import annotations

import json
import threading

from learner_workbook import WORKER_POOL, fill_in, pairs, state

from twinbook.exercises import load_exercise
from twinbook.exercises.results import CheckResult, TestResult
from twinbook.workbook import hint
from twinbook.workbook.progress import CHANGED, DONE, UNCHECKED, Progress, workbook

PIPELINE = "ch01-concurrency/02-pipeline-stage"


def _hint_lines(output: str) -> list[str]:
    return [line.split(":")[0] for line in output.splitlines() if line.startswith("Hint ")]


def test_hints_are_revealed_one_level_at_a_time_and_remembered(cli, exercises):
    first = cli("hint", WORKER_POOL)
    assert _hint_lines(first.output) == ["Hint 1/3"]
    assert f"(next: twinbook hint {WORKER_POOL})" in first.output
    assert state(exercises)["hints"] == {WORKER_POOL: 1}
    assert _hint_lines(cli("hint", WORKER_POOL).output) == ["Hint 1/3", "Hint 2/3"]
    third = cli("hint", WORKER_POOL)
    assert _hint_lines(third.output) == ["Hint 1/3", "Hint 2/3", "Hint 3/3"]
    assert "(next:" not in third.output
    assert _hint_lines(cli("hint", WORKER_POOL).output) == [
        "Hint 1/3",
        "Hint 2/3",
        "Hint 3/3",
    ]  # no more
    # the hints are the exercise's, in order
    ex = load_exercise(exercises / WORKER_POOL)
    assert third.output.splitlines()[2] == f"Hint 3/3: {ex.hints[2]}"
    # another exercise has its own level
    assert _hint_lines(cli("hint", PIPELINE).output) == ["Hint 1/3"]
    assert state(exercises)["hints"] == {WORKER_POOL: 3, PIPELINE: 1}


def test_reset_and_an_explicit_level(cli, exercises):
    cli("hint", WORKER_POOL)
    cli("hint", WORKER_POOL)
    reset = cli("hint", WORKER_POOL, "--reset")
    assert reset.exit_code == 0 and "hidden again" in reset.output
    assert WORKER_POOL not in state(exercises)["hints"]
    assert _hint_lines(cli("hint", WORKER_POOL).output) == ["Hint 1/3"]
    # an explicit level shows 1..level (the old way), and is remembered when it is higher
    explicit = cli("hint", WORKER_POOL, "2")
    assert _hint_lines(explicit.output) == ["Hint 1/3", "Hint 2/3"]
    assert f"(next: twinbook hint {WORKER_POOL} 3)" in explicit.output
    assert _hint_lines(cli("hint", WORKER_POOL, "1").output) == ["Hint 1/3"]
    assert state(exercises)["hints"][WORKER_POOL] == 2
    assert _hint_lines(cli("hint", WORKER_POOL).output) == ["Hint 1/3", "Hint 2/3", "Hint 3/3"]


def test_the_notebooks_hint_shares_the_level(cli, exercises, monkeypatch, capsys):
    cli("hint", WORKER_POOL)
    monkeypatch.chdir(
        exercises / WORKER_POOL / "go"
    )  # GoNB / the kernel: cwd = the notebook's folder
    hint()
    assert _hint_lines(capsys.readouterr().out) == ["Hint 1/3", "Hint 2/3"]
    assert state(exercises)["hints"][WORKER_POOL] == 2


def test_progress_before_any_check(cli, exercises):
    out = cli("progress")
    assert out.exit_code == 0
    assert "│ ch01-concurrency │    0/4 │ 0/4 │" in out.output
    assert f"{len(pairs(exercises))} never checked" in out.output
    assert "Next: ch01-concurrency/01-worker-pool (python) (not checked yet)" in out.output


def test_progress_follows_checks_edits_and_refresh(cli, exercises):
    fill_in(exercises, WORKER_POOL, "python")
    assert cli("check", WORKER_POOL, "--lang", "python").exit_code == 0
    out = cli("progress")
    assert "│ ch01-concurrency │    1/4 │ 0/4 │" in out.output
    assert "Next: ch01-concurrency/01-worker-pool (go)" in out.output
    detail = cli("progress", "--exercises")
    row = next(
        line
        for line in detail.output.splitlines()
        if line.startswith("│ ch01-concurrency/01-worker-pool")
    )
    assert "✓ done" in row and "· not checked" in row

    # the learner breaks the notebook after the check: it no longer counts as done
    fill_in(exercises, WORKER_POOL, "python", replace={"return results": "return results[::-1]"})
    changed = cli("progress")
    assert "│ ch01-concurrency │    0/4 │ 0/4 │" in changed.output
    assert "1 changed since their last check" in changed.output
    assert (
        "Next: ch01-concurrency/01-worker-pool (python) (changed since its last check)"
        in changed.output
    )

    before = state(exercises)["checks"][WORKER_POOL]["python"]
    refreshed = cli("progress", "--refresh", "--jobs", "2")
    assert refreshed.exit_code == 0
    after = state(exercises)["checks"][WORKER_POOL]["python"]
    assert after["fingerprint"] != before["fingerprint"] and after["status"] == "failing"
    assert set(state(exercises)["checks"]) == {item.exercise.id for item in workbook(exercises)}
    assert "never checked" not in refreshed.output and "changed since" not in refreshed.output


def test_a_broken_progress_file_counts_as_empty(exercises):
    (exercises / ".twinbook").mkdir()
    (exercises / ".twinbook" / "progress.json").write_text("{ broken")
    progress = Progress.load(exercises)
    assert progress.hint_level(WORKER_POOL) == 0
    assert {item.status for item in workbook(exercises, progress)} == {UNCHECKED}
    progress.set_hint_level(WORKER_POOL, 2)
    assert json.loads((exercises / ".twinbook" / "progress.json").read_text())["hints"] == {
        WORKER_POOL: 2
    }


def test_concurrent_writers_keep_each_others_entries(exercises):
    """A watch and a check writing at once: read-modify-write under the lock loses nothing."""
    exes = [
        load_exercise(exercises / f"ch01-concurrency/{n}")
        for n in ("01-worker-pool", "02-pipeline-stage", "03-fan-in-merge", "04-rate-limiter")
    ]

    def writer(language: str) -> None:
        for ex in exes:
            for _ in range(5):
                result = CheckResult(ex.id, language, [TestResult("t", "passed")])
                Progress(exercises).record([(ex, result, f"print-{ex.id}-{language}")])
                Progress(exercises).set_hint_level(f"{ex.id}/{language}", 1)

    threads = [threading.Thread(target=writer, args=(lang,)) for lang in ("python", "go")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = state(exercises)
    assert all(set(data["checks"][ex.id]) == {"python", "go"} for ex in exes)
    assert len(data["hints"]) == 8
    progress = Progress.load(exercises)
    assert progress.status(exes[0], "python") == CHANGED  # fingerprint differs from the notebook's
    assert (
        progress.status(exes[0], "python", current="print-ch01-concurrency/01-worker-pool-python")
        == DONE
    )
