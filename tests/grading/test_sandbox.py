"""The sandbox's API and its guarantees, apart from the hostile catalogue: limits are
validated, a rejected answer never runs, suites hold what they should, every isolation
mode grades correctly, the payload runs as the slot's uid in a jail that holds only the
run's inputs, and a flood of output is cut and noted."""

import dataclasses
import logging
import os

import pytest
from hostile import GO_POOL, LIMITS, PY_POOL, SOLUTIONS

from twinbook.grading import sandbox
from twinbook.grading.sandbox import Limits, run_suite
from twinbook.runner.check import answer_source

pytestmark = pytest.mark.usefixtures("unaffected")
POOL = "01-worker-pool"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"wall_seconds": 0}, "Limits.wall_seconds must be at least 1, got 0"),
        ({"cpu_seconds": 1.5}, "Limits.cpu_seconds must be an integer, got 1.5"),
        ({"memory_bytes": 1 << 20}, "Limits.memory_bytes must be at least 67108864"),
        ({"processes": True}, "Limits.processes must be an integer, got True"),
        ({"file_bytes": "big"}, "Limits.file_bytes must be an integer, got 'big'"),
        ({"output_bytes": -1}, "Limits.output_bytes must be at least 1024, got -1"),
        ({"wall_seconds": "60"}, "Limits.wall_seconds must be a number, got '60'"),
        ({"wall_seconds": float("nan")}, "Limits.wall_seconds must be at least 1, got nan"),
    ],
)
def test_limits_are_validated_naming_the_field(kwargs, message):
    with pytest.raises(ValueError) as err:
        Limits(**kwargs)
    assert message in str(err.value)


def test_limits_defaults_suit_one_exercise():
    assert Limits() == Limits(60.0, 30, 2 << 30, 256, 16 << 20, 1 << 20)
    assert Limits(wall_seconds=2.5).wall_seconds == 2.5


@pytest.mark.parametrize(
    "args, kwargs, error",
    [
        (("rust", "x", "visible"), {}, "lang must be 'python' or 'go'"),
        (("python", "x", "all"), {}, "suite must be 'visible' or 'hidden'"),
        (("python", "x", "visible"), {"slot": -1}, "slot must be an integer from 0 to 3999"),
        (("python", "x", "visible"), {"slot": 4000}, "slot must be an integer"),
        (
            ("python", "x", "visible"),
            {"limits": {"wall_seconds": 1}},
            "limits must be a sandbox.Limits",
        ),
        (("python", b"x", "visible"), {}, "answer_source must be a str"),
    ],
)
def test_bad_arguments_are_refused(exercises, args, kwargs, error):
    with pytest.raises((ValueError, TypeError)) as err:
        run_suite(exercises[POOL], *args, **kwargs)
    assert error in str(err.value)


def test_a_rejected_answer_never_runs(exercises, slots):
    results = run_suite(
        exercises[POOL], "python", "import os\n" + PY_POOL, "visible", limits=LIMITS, slot=slots[0]
    )
    assert [r.name for r in results] == list(exercises[POOL].lang("python").expected(hidden=False))
    assert {r.message for r in results} == {
        "rejected: line 1: import of 'os' is not allowed here (allowed: collections.abc, concurrent.futures, "
        "queue, threading, time, typing)"
    }


def test_the_hidden_suite_of_a_learners_copy_is_an_error_not_nothing(slots):
    """exercises/ names no hidden test (its exercise.toml only counts them): asked for the
    hidden suite there, the sandbox says the tests are missing instead of running none."""
    from twinbook.exercises import ExerciseError, load_exercise

    learner = load_exercise(SOLUTIONS.parent.parent / "exercises" / "ch01-concurrency" / POOL)
    assert learner.lang("python").hidden.tests > 0
    with pytest.raises(ExerciseError, match="hidden tests not found"):
        run_suite(learner, "python", PY_POOL, "hidden", limits=LIMITS, slot=slots[0])


def test_suites_report_their_own_tests_in_points_order(exercises, slots):
    ex = exercises[POOL]
    for lang, source in (("python", PY_POOL), ("go", GO_POOL)):
        spec = ex.lang(lang)
        visible = run_suite(ex, lang, source, "visible", limits=LIMITS, slot=slots[0])
        hidden = run_suite(ex, lang, source, "hidden", limits=LIMITS, slot=slots[0])
        assert [r.name for r in visible] == spec.expected(hidden=False)
        assert [r.name for r in hidden] == [t for t in spec.points if spec.is_hidden(t)]
        assert all(r.passed for r in visible + hidden), visible + hidden


def test_isolation_mode():
    assert sandbox.isolation() in ("root", "userns", "none")
    if os.geteuid() == 0:
        assert sandbox.isolation() == "root"


@pytest.mark.parametrize("mode", ["userns", "none"])
def test_other_isolation_modes_grade_the_same(exercises, slots, mode):
    if mode == "userns" and sandbox.isolation() == "none":
        pytest.fail("user namespaces are expected to work where the grader's tests run")
    ex = exercises[POOL]
    for lang in ("python", "go"):
        source = answer_source(ex.lang(lang))
        results = sandbox._run_suite(
            ex,
            lang,
            source,
            "visible",
            limits=LIMITS,
            slot=slots[0],
            layers=sandbox._Layers(mode=mode),
        )
        assert all(r.passed for r in results), results


PROBE = """
import os


def map_limited(fn, items, limit):
    tests = sorted(os.listdir("/sandbox/in/tests"))
    raise RuntimeError(f"uid={os.getuid()} gid={os.getgid()} groups={os.getgroups()} tests={tests} "
                       f"cwd={os.getcwd()} root={sorted(os.listdir('/'))} env={sorted(os.environ)}")
"""


def test_the_payload_runs_as_the_slots_uid_in_a_bare_jail(exercises, slots, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret_of_the_grader")
    ex = exercises[POOL]
    layers = sandbox._Layers(vet=False, guard=False)
    visible = sandbox._run_suite(
        ex, "python", PROBE, "visible", limits=LIMITS, slot=slots[1], layers=layers
    )
    message = visible[0].message
    uid = sandbox.UID_BASE + slots[1] if sandbox.isolation() == "root" else 0
    assert f"uid={uid} gid={uid} groups=[]" in message
    # no hidden tests in the visible run; the chapter's helper file beside the visible tests
    assert "tests=['chapter_helpers.py', 'pytest.ini', 'test_visible.py']" in message
    assert "cwd=/sandbox/work" in message
    assert "GITHUB_TOKEN" not in message and "ghp_secret" not in message
    env = message.split("env=")[1]
    assert env.startswith(
        "['GOTRACEBACK', 'HOME', 'LANG', 'LC_ALL', 'MALLOC_ARENA_MAX', 'PATH', 'PWD', "
        "'PYTEST_CURRENT_TEST'"
    ), env
    # The system folders, plus the top folders of where Python and the repository live
    # (/root for pyenv, /work or /tmp for a clone): nothing else of the host.
    tops = {p.split(os.sep)[1] for p in sandbox._python_paths()}
    want = sorted({"bin", "dev", "etc", "lib", "lib64", "sandbox", "sbin", "tmp", "usr"} | tops)
    assert f"root={want}" in message
    hidden = sandbox._run_suite(
        ex, "python", PROBE, "hidden", limits=LIMITS, slot=slots[1], layers=layers
    )
    assert (
        "tests=['chapter_helpers.py', 'pytest.ini', 'test_hidden.py', 'test_visible.py']"
        in hidden[0].message
    )


def test_compile_and_syntax_errors_fail_every_test(exercises, slots):
    ex = exercises[POOL]
    go = run_suite(
        ex,
        "go",
        GO_POOL.replace("return results, nil", "return result, nil"),
        "visible",
        limits=LIMITS,
        slot=slots[0],
    )
    assert {r.outcome for r in go} == {"error"}
    assert (
        go[0].message.startswith("compile error: ./answer.go:")
        and "undefined: result" in go[0].message
    )
    py = run_suite(
        ex,
        "python",
        "def map_limited(fn, items, limit)\n    return []\n",
        "visible",
        limits=LIMITS,
        slot=slots[0],
    )
    assert {r.outcome for r in py} == {"error"}
    assert "the answer did not load: SyntaxError" in py[0].message


def test_a_flood_of_output_is_cut_and_noted(exercises, slots, caplog):
    source = GO_POOL.replace(
        "func main() {}",
        """func main() {}

var _ = func() int {
	for range 4000 {
		fmt.Println("fake --- PASS line, and a lot of them")
	}
	return 0
}()
""",
    )
    limits = dataclasses.replace(LIMITS, output_bytes=4096)
    with caplog.at_level(logging.WARNING, logger="twinbook.grading.sandbox"):
        results = run_suite(exercises[POOL], "go", source, "visible", limits=limits, slot=slots[0])
    assert all(r.passed for r in results)
    assert (
        f"slot {slots[0]}: the run printed more than 4096 bytes; the rest was discarded"
        in caplog.text
    )
    assert results.notes == ("output limit exceeded (4 KiB): output truncated",)


def test_what_python_tests_print_is_counted_not_kept(exercises, slots):
    """print() in the answer goes to the harness's counting sink, not to pytest's capture
    (which kept it in memory until the address-space limit broke it: every test then
    failed with "ValueError: I/O operation on closed file."). Past the limit the run gets
    the note; the outcomes stay the channel's."""
    limits = dataclasses.replace(LIMITS, output_bytes=4096)
    flood = "for _ in range(100):\n    print('x' * 1000)\n" + PY_POOL
    results = run_suite(exercises[POOL], "python", flood, "visible", limits=limits, slot=slots[0])
    assert all(r.passed for r in results), results
    assert results.notes == ("output limit exceeded (4 KiB): output truncated",)
    quiet = run_suite(
        exercises[POOL],
        "python",
        "print('hello')\n" + PY_POOL,
        "visible",
        limits=limits,
        slot=slots[0],
    )
    assert all(r.passed for r in quiet) and quiet.notes == ()


GRADER_THAT_DIES = """
import sys
from tests import repo
from twinbook.exercises.model import load_exercise
from twinbook.grading import sandbox
ex = load_exercise(repo.SOLUTIONS / "ch01-concurrency" / "01-worker-pool")
print("started", flush=True)
sandbox._run_suite(ex, "python", sys.argv[2], "visible", slot=int(sys.argv[1]),
                   layers=sandbox._Layers(vet=False, guard=False))
"""


def _processes_of(uid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_the_jail_dies_with_the_grader(slots):
    """The grader's wall-clock kill has a backstop should the grader itself die:
    bubblewrap's --die-with-parent kills the jail, and the pid namespace every process in it."""
    import subprocess
    import sys
    import time

    from tests import repo

    if sandbox.isolation() != "root":
        pytest.fail("the grader's tests run as root (the slot's uid tells its processes apart)")
    answer = "import threading, time\nthreading.Thread(target=time.sleep, args=(3600,)).start()\ntime.sleep(3600)\n"
    grader = subprocess.Popen(
        [sys.executable, "-c", GRADER_THAT_DIES, str(slots[1]), answer + PY_POOL],
        cwd=repo.ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert grader.stdout is not None and grader.stdout.readline() == "started\n"
    uid = sandbox.UID_BASE + slots[1]
    deadline = time.monotonic() + 30
    while not _processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_of(uid), "the answer never ran"
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 10
    while _processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_of(uid) == []
    # its cgroups are swept by the next grader that starts (here: this one, by hand)
    from twinbook.grading import cgroups

    base = cgroups._base()
    if not isinstance(base, str):
        cgroups._sweep(list(base[1]))
        dead = [p for parent in base[1] for p in parent.glob(f"slot{slots[1]}-{grader.pid}-*")]
        assert dead == []
    import glob
    import shutil
    import tempfile

    for left in glob.glob(os.path.join(tempfile.gettempdir(), f"twinbook-sandbox-{slots[1]}-*")):
        shutil.rmtree(left)  # the dead grader's folder: its own `finally` never ran
