"""Go's tests run under the race detector, in the learner's check and in the grader.

The rate limiter's hidden TestHiddenConcurrentAllow calls Allow from 200 goroutines at
once. An answer without the limiter's lock may still count right (the goroutines seldom
interleave inside Allow), so what fails it is the race detector: every unguarded access
to the bucket from two goroutines is a race it reports, whatever the count. The race
fails that test, with a message in the exercise's terms, in the check (at the learner's
cell lines), in the grader's single-exercise run and in its batch; the solution passes
all three. The race detector's own report stays out of the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import LIMITS

from tests import repo
from twinbook.exercises.model import load_exercise
from twinbook.exercises.notebook import go_answer_file, read_answer_cells
from twinbook.grading import sandbox
from twinbook.runner import gorunner, messages
from twinbook.runner.check import check_source

LIMITER = repo.SOLUTIONS / "ch01-concurrency" / "04-rate-limiter"
POOL = repo.SOLUTIONS / "ch01-concurrency" / "01-worker-pool"
RACY_TEST = "TestHiddenConcurrentAllow"
#: the limiter's tests that call Allow from many goroutines: the ones a missing lock fails
CONCURRENT_TESTS = {RACY_TEST, "TestHiddenConcurrentAllowWhileTimePasses"}
LOCK = "\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n"
#: what the learner must never see: the report's own lines
REPORT_LINES = ("WARNING: DATA RACE", "==================", "created at", "0x00", "testing.go")


def _cells(folder: Path) -> list[str]:
    return read_answer_cells(load_exercise(folder).lang("go").notebook_path)


def _racy_cells() -> list[str]:
    """The limiter's solution with its lock taken out of Allow."""
    cells = _cells(LIMITER)
    racy = [cell.replace(LOCK, "") for cell in cells]
    assert racy != cells, "the solution's Allow no longer takes its lock as expected"
    return racy


def _assert_race_message(message: str, place: str) -> None:
    assert message.startswith(messages.DATA_RACE), message
    assert f"in (*Limiter).Allow ({place}" in message, message
    for line in REPORT_LINES:
        assert line not in message, message


def test_the_check_fails_a_racy_answer_at_the_learners_cell_lines():
    cells = _racy_cells()
    result = check_source(
        go_answer_file(cells), load_exercise(LIMITER), "go", hidden=True, cells=cells
    )
    failed = {t.name: t.message for t in result.results if not t.passed}
    assert RACY_TEST in failed and set(failed) <= CONCURRENT_TESTS, failed
    _assert_race_message(failed[RACY_TEST], "answer cell")


def test_the_check_passes_the_race_free_solution():
    cells = _cells(LIMITER)
    result = check_source(
        go_answer_file(cells), load_exercise(LIMITER), "go", hidden=True, cells=cells
    )
    assert [t.name for t in result.results if not t.passed] == []


@pytest.mark.parametrize("racy", [True, False], ids=["racy", "race-free"])
def test_the_grader_fails_a_racy_answer_alone_and_in_a_batch(slots, racy):
    limiter = go_answer_file(_racy_cells() if racy else _cells(LIMITER))
    pool = go_answer_file(_cells(POOL))
    exercise = load_exercise(LIMITER)
    alone = sandbox.run_suite(exercise, "go", limiter, "hidden", limits=LIMITS, slot=slots[0])
    batch = sandbox.run_suites(
        [(exercise, limiter), (load_exercise(POOL), pool)],
        "go",
        "hidden",
        limits=LIMITS,
        slot=slots[0],
    )
    assert not isinstance(batch[0], Exception) and not isinstance(batch[1], Exception)
    assert all(t.passed for t in batch[1]), "the bystander exercise of the batch failed"
    for results in (alone, batch[0]):
        failed = {t.name: t.message for t in results if not t.passed}
        if not racy:
            assert failed == {}
            continue
        assert RACY_TEST in failed and set(failed) <= CONCURRENT_TESTS, failed
        _assert_race_message(failed[RACY_TEST], "answer.go:")


# --- the race detector's report, read --------------------------------------------------------

#: a report as a batch binary prints it in the jail (the exercise is package answer/e0)
BATCH_REPORT = """\
==================
WARNING: DATA RACE
Write at 0x00c0000a4018 by goroutine 9:
  answer/e0.(*Counter).Inc()
      /sandbox/in/e0/answer.go:12 +0x44
  answer/te0.TestConcurrent.func1()
      /sandbox/in/te0/visible_tests.go:30 +0x2f

Previous read at 0x00c0000a4018 by goroutine 8:
  [failed to restore the stack]

Goroutine 9 (running) created at:
  answer/te0.TestConcurrent()
      /sandbox/in/te0/visible_tests.go:28 +0x78
==================
    testing.go:1712: race detected during execution of test
"""


def test_a_report_is_told_by_its_two_accesses_in_the_answer():
    message = gorunner.race_message(BATCH_REPORT.splitlines(keepends=True))
    assert message == messages.data_race(
        ["a write in (*Counter).Inc (answer.go:12)", "an earlier read"]
    )


def test_a_race_outside_the_answer_is_told_at_the_test_that_made_it():
    report = BATCH_REPORT.replace("/sandbox/in/e0/answer.go:12", "/usr/local/go/src/x/y.go:1")
    message = gorunner.race_message(report.splitlines(keepends=True))
    assert "a write in TestConcurrent.func1 (visible_tests.go:30)" in message, message


def test_output_without_a_report_is_no_race():
    assert gorunner.race_message(["    x_test.go:3: want 2, got 3\n"]) == ""


# --- no C compiler ------------------------------------------------------------------------------


def test_a_check_without_a_c_compiler_says_what_to_install(monkeypatch):
    monkeypatch.setenv("CC", "twinbook-no-such-compiler")
    cells = _cells(LIMITER)
    result = check_source(
        go_answer_file(cells), load_exercise(LIMITER), "go", hidden=True, cells=cells
    )
    messages_ = {t.message for t in result.results}
    assert messages_ == {messages.no_c_compiler("twinbook-no-such-compiler")}
    assert "apt-get install gcc libc6-dev" in messages_.pop()


def test_a_build_without_the_c_librarys_headers_says_what_to_install():
    # what gcc says when cgo compiles runtime/cgo's C files without libc6-dev
    output = "_cgo_export.c:3:10: fatal error: stdlib.h: No such file or directory\ncompilation terminated."
    assert gorunner.c_headers_problem(output) == messages.no_c_headers("stdlib.h")
    assert "apt-get install libc6-dev" in messages.no_c_headers("stdlib.h")
    assert gorunner.c_headers_problem("./answer.go:3:5: undefined: x") == ""


# --- the race runtime in a jail without /proc -----------------------------------------------------


def test_the_race_runtime_finds_its_options_and_its_name_in_the_jail(slots, monkeypatch):
    """The jail has no /proc; the race runtime reads GORACE from /proc/self/environ and its
    own name from /proc/self/exe, so a Go run gets those two (without them it sleeps a
    second at every exit and warns "reading executable name failed" on every run)."""
    commands: list[list[str]] = []
    outputs: list[str] = []
    real_command, real_execute = sandbox.jail.command, sandbox._execute

    def command(spec):
        commands.append(real_command(spec))
        return commands[-1]

    def execute(box, argv, *args, **kwargs):
        raw = real_execute(box, argv, *args, **kwargs)
        if "go-build" not in argv:
            outputs.append(raw.text())
        return raw

    monkeypatch.setattr(sandbox.jail, "command", command)
    monkeypatch.setattr(sandbox, "_execute", execute)
    exercise = load_exercise(POOL)
    results = sandbox.run_suite(
        exercise, "go", go_answer_file(_cells(POOL)), "visible", limits=LIMITS, slot=slots[0]
    )
    assert all(t.passed for t in results)
    runs = [c for c in commands if sandbox.JAIL_GO_BINARY in c and "go-build" not in c]
    assert runs and outputs
    for cmd in runs:
        environ = cmd[cmd.index("/proc/self/environ") - 1]
        assert cmd[cmd.index("/proc/self/environ") - 2] == "--ro-bind"
        assert Path(environ).name.endswith(".environ")
        link = cmd.index("/proc/self/exe")
        assert cmd[link - 2 : link] == ["--symlink", sandbox.JAIL_GO_BINARY]
    for text in outputs:
        assert "WARNING" not in text, text[:300]


def test_the_environ_file_holds_gorace_alone(tmp_path):
    box = sandbox._new_box(load_exercise(POOL), "go", LIMITS, 0, "root", [])
    (tmp_path / "in").mkdir()
    binds, links = sandbox._race_proc(box, tmp_path / "in")
    assert Path(binds[0][0]).read_bytes() == f"GORACE={gorunner.GORACE}\0".encode()
    assert links == [(sandbox.JAIL_GO_BINARY, "/proc/self/exe")]
