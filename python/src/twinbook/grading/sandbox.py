"""Run an exercise's instructor tests on an untrusted answer, contained.

:func:`run_suite` is the only way the grader runs student code. For one answer and one
suite (``visible`` or ``hidden``) it

1. vets the answer (:func:`twinbook.runner.vet.vet`); a rejected answer fails every test
   with the reasons and never runs;
2. lays out a fresh input folder holding only what the run needs: Python, the answer,
   that suite's test files (with the chapter's helper file, from the instructor's tree:
   :func:`twinbook.runner.check.suite_files`) and an empty ``pytest.ini``; Go, a test
   binary built by ``go test -c -race`` (the race detector: :data:`RACE_MEMORY`) from the
   answer, the test files and the harness test file of :mod:`twinbook.runner.gorunner`,
   *inside a jail of its own*
   (:func:`_build_in_jail`: the same layers, larger memory and file limits; a private
   build cache of links to a read-only warm cache of the standard library,
   :func:`go_seed`; ``GOTMPDIR`` in the jail's tmpfs; ``GOPROXY=off``). The visible
   suite's folder and binary never contain the hidden tests;
3. runs the instructor's harness (the same runners as the learner's ``twinbook check``:
   :mod:`twinbook.runner.pyrunner` in ``--contain`` mode, the Go test binary) in a
   bubblewrap jail (:mod:`twinbook.grading.jail`): new pid, network, IPC, UTS and cgroup
   namespaces; a read-only root that shows only system libraries, the interpreter and
   the inputs, with size-limited tmpfs folders as the only writable ones; the slot's own
   unprivileged uid (``61000 + slot``) with no capabilities and ``no_new_privs``; a
   seccomp filter (:mod:`twinbook.grading.seccomp`: keyrings, namespaces, mounts,
   ptrace, bpf, io_uring... fail with EPERM); a cgroup per run
   (:mod:`twinbook.grading.cgroups`: memory and processes of the whole tree, CPU time,
   every process killed and the cgroup removed at the end) with per-process rlimits as
   a second line; a wall-clock timeout; stdout and stderr read up to a cap (the rest
   discarded; what Python tests print is counted by the harness against the same cap
   and not kept);
4. takes the outcomes only from the harness's events on the result channel
   (:mod:`twinbook.runner.channel`: an inherited pipe, every line tagged with a per-run
   nonce passed through another pipe), requires one for every expected test ("did not
   run" otherwise), and reruns the tests a crash never reached, all within the suite's
   wall-clock budget. Output past the cap never changes an outcome: it adds a note for
   the student's feedback (:attr:`SuiteResults.notes`), "output limit exceeded (1 MiB):
   output truncated".

Isolation needs Linux with bubblewrap (``bwrap``) and util-linux's ``setpriv`` and
``prlimit``. As root (CI, a throwaway VM) everything above applies (:func:`isolation`
is ``"root"``). As another user, when user namespaces work (``"userns"``), the jail is
bubblewrap in a user namespace of the grader's uid, and without a delegated cgroup the
limits are per process (logged). Without either (``"none"``), the harness runs as a
plain process with the rlimits only: hidden tests and other files the grader can read
are then within reach. See book/instructors/threat-model.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from twinbook.exercises.model import Exercise, ExerciseError
from twinbook.exercises.results import TestResult, finalize
from twinbook.runner import channel, gorunner, pyrunner
from twinbook.runner.check import python_argv, suite_files
from twinbook.runner.pyrunner import prepare_test_dir
from twinbook.runner.vet import go_source, vet

from . import batch, cgroups, jail, seccomp
from .jail import JAIL_IN, JAIL_WORK

log = logging.getLogger(__name__)

UID_BASE = 61000  # slot n runs as uid/gid UID_BASE + n
MAX_SLOTS = 4000
#: where the slot leases live: one place for the whole machine, whatever a grader's TMPDIR
#: (two graders with different TMPDIRs would otherwise lease the same uid)
SLOT_LOCKS = Path("/run/lock" if os.path.isdir("/run/lock") else "/tmp") / "twinbook-slots"


@contextlib.contextmanager
def lease_slots(count: int, *, start: int = 0) -> Iterator[tuple[int, ...]]:
    """Lease ``count`` sandbox slots for as long as the ``with`` block runs.

    A slot's uid is shared by everything that runs in it (RLIMIT_NPROC counts its
    processes), so no two graders, test workers or sessions on the machine may use one at
    once. A lease is an exclusive flock on ``/run/lock/twinbook-slots/<slot>.lock`` (the
    kernel lets go of it if the process dies); the search starts at ``start`` and takes
    the first free slots from there, wrapping around."""
    if count < 1 or count > MAX_SLOTS:
        raise ValueError(f"count must be from 1 to {MAX_SLOTS}, got {count}")
    if not SLOT_LOCKS.is_dir():
        SLOT_LOCKS.mkdir(exist_ok=True)
        SLOT_LOCKS.chmod(0o1777)  # shared by every user's sessions, like /tmp
    leased: dict[int, int] = {}
    try:
        for i in range(MAX_SLOTS):
            slot = (start + i) % MAX_SLOTS
            fd = os.open(SLOT_LOCKS / f"{slot}.lock", os.O_RDONLY | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            leased[slot] = fd
            if len(leased) == count:
                break
        if len(leased) < count:
            raise SandboxError(f"no {count} free sandbox slots (all {MAX_SLOTS} are leased)")
        yield tuple(leased)
    finally:
        for fd in leased.values():
            os.close(fd)


BUILD_TIMEOUT = 180.0  # seconds for `go test -c` (a cold build cache is slow)
BUILD_MEMORY = 2 << 30  # memory of a Go build's jail (cgroup; address space per process)
BUILD_FILES = 256 << 20  # largest file a Go build writes (the test binary); tmpfs: 4x
BUILD_PROCESSES = 256  # the go command and its compilers, with their threads
BUILD_CPU = 300  # CPU seconds of each process of a Go build
#: Go's tests run under the race detector (``go test -race``), which costs memory (Go's
#: documentation: 5-10x) and time (2-20x). A Go run's limits are the suite's
#: :class:`Limits` with its whole-tree memory (the cgroup) times RACE_MEMORY and each
#: process's CPU time times RACE_CPU (:func:`race_limits`). The wall-clock budgets stay:
#: an honest suite takes well under a second under -race, and a hang should cost no more.
RACE_MEMORY = 3
RACE_CPU = 2
#: The race runtime maps shadow memory beside everything the program maps: about 1.7 GB of
#: address space at start and 3.6 bytes per byte of heap (measured, Go 1.26, linux/amd64),
#: so the usual RLIMIT_AS of the memory limit would stop it before main. A Go run's
#: RLIMIT_AS is RACE_ADDRESS_BASE + RACE_ADDRESS_PER_BYTE x its memory limit
#: (:func:`race_address_space`): the cgroup holds the memory limit (touched pages, the
#: whole tree), and the address-space cap still makes a huge allocation fail at once.
RACE_ADDRESS_BASE = 4 << 30
RACE_ADDRESS_PER_BYTE = 4


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the answer): the grader should report it."""


class SuiteResults(list[TestResult]):
    """What :func:`run_suite` returns: the :class:`TestResult` of every expected test (a
    list, in points-table order) and ``notes``, lines about the run as a whole for the
    student's feedback (the output limit), never about a test's content."""

    def __init__(self, results: Iterable[TestResult] = (), notes: Iterable[str] = ()) -> None:
        super().__init__(results)
        self.notes: tuple[str, ...] = tuple(notes)


def race_limits(limits: Limits) -> Limits:
    """The limits of a Go run under the race detector (see :data:`RACE_MEMORY`)."""
    return dataclasses.replace(
        limits,
        memory_bytes=limits.memory_bytes * RACE_MEMORY,
        cpu_seconds=limits.cpu_seconds * RACE_CPU,
    )


def race_address_space(memory_bytes: int) -> int:
    """RLIMIT_AS of a Go run whose memory limit is ``memory_bytes`` (see
    :data:`RACE_ADDRESS_BASE`)."""
    return RACE_ADDRESS_BASE + RACE_ADDRESS_PER_BYTE * memory_bytes


def _size(n: int) -> str:
    if n % (1 << 30) == 0:
        return f"{n >> 30} GiB"
    if n % (1 << 20) == 0:
        return f"{n >> 20} MiB"
    if n % (1 << 10) == 0:
        return f"{n >> 10} KiB"
    return f"{n} bytes"


def output_note(limit: int) -> str:
    """The feedback line of a run that printed more than ``limit`` bytes."""
    return f"output limit exceeded ({_size(limit)}): output truncated"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one suite's run. The defaults suit one exercise.

    ``wall_seconds`` bounds the whole suite (reruns after a crash included; building Go
    is not counted); ``memory_bytes`` caps the memory of each run's whole process tree
    (its cgroup) and the address space of each process (RLIMIT_AS); ``processes`` the
    run's processes and threads (its cgroup; without one, RLIMIT_NPROC of the slot's
    uid); ``cpu_seconds`` (RLIMIT_CPU) and
    ``file_bytes`` (RLIMIT_FSIZE; the writable tmpfs folders hold 4x that) apply to each
    test process; ``output_bytes`` of stdout+stderr are kept, the rest is discarded.
    ``test_seconds`` bounds one test, inside the harness (:func:`per_test_seconds`): a test
    that hangs fails with "timed out" after it, and the tests after it run in a fresh
    process, so a hang costs seconds instead of the whole suite's budget.
    """

    wall_seconds: float = 60.0
    cpu_seconds: int = 30
    memory_bytes: int = 2 << 30
    processes: int = 256
    file_bytes: int = 16 << 20
    output_bytes: int = 1 << 20
    test_seconds: float = 30.0

    def __post_init__(self) -> None:
        minimum = {
            "wall_seconds": 1,
            "cpu_seconds": 1,
            "memory_bytes": 64 << 20,
            "processes": 8,
            "file_bytes": 1 << 16,
            "output_bytes": 1 << 10,
            "test_seconds": 1,
        }
        for f in fields(self):
            value = getattr(self, f.name)
            seconds = f.name in ("wall_seconds", "test_seconds")
            kind = (int, float) if seconds else int
            if isinstance(value, bool) or not isinstance(value, kind):
                want = "a number" if seconds else "an integer"
                raise ValueError(f"Limits.{f.name} must be {want}, got {value!r}")
            if not math.isfinite(value) or value < minimum[f.name]:
                raise ValueError(
                    f"Limits.{f.name} must be at least {minimum[f.name]}, got {value!r}"
                )


@functools.cache
def isolation() -> Literal["root", "userns", "none"]:
    """How much isolation this machine gives: ``root``, ``userns`` or ``none``.

    ``root``: bubblewrap as root, the payload as the slot's uid (full isolation, cgroup
    limits); ``userns``: bubblewrap in a user namespace of the grader's uid; ``none``:
    no bubblewrap or no namespaces, rlimits only (not a sandbox)."""
    bwrap = jail.bwrap_binary()
    if not sys.platform.startswith("linux") or not bwrap:
        return "none"
    if os.geteuid() == 0 and shutil.which("setpriv"):
        return "root"
    try:
        subprocess.run(
            [bwrap, "--unshare-all", "--unshare-user", "--ro-bind", "/", "/", "true"],
            check=True,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "none"
    return "userns"


@dataclass(frozen=True)
class _Layers:
    """Which defences a run uses. Only the hostile test suite turns some off, to show
    that each layer holds on its own."""

    vet: bool = True  # static vetting before anything runs
    guard: bool = True  # Python: rewritten answer and audit hook in the harness
    mode: str | None = None  # isolation mode; None = isolation()


def run_suite(
    exercise: Exercise,
    lang: str,
    answer_source: str,
    suite: Literal["visible", "hidden"],
    *,
    limits: Limits = Limits(),
    slot: int = 0,
    hide: Sequence[str | os.PathLike[str]] = (),
) -> SuiteResults:
    """Run one suite of ``exercise``'s tests (``lang``: ``python`` or ``go``) on the answer.

    ``answer_source`` is the answer file made of the notebook's answer cells
    (:func:`twinbook.exercises.notebook.python_answer_file` / ``go_answer_file``);
    ``exercise`` comes from the instructor's solutions tree. Returns one
    :class:`~twinbook.exercises.results.TestResult` per test the points table expects in
    that suite, in its order: a test without an event failed ("did not run ..."), a
    skipped test is reported as skipped; their :class:`SuiteResults` also carries notes
    for the feedback (the output limit was passed). Messages of hidden tests may quote the hidden
    test or the answer's output: never show them to students. ``slot`` (0 ..
    ``jobs - 1``) picks the unprivileged uid, so concurrent runs never share one.
    ``hide`` names more folders to cover if they are visible inside the jail (the
    repository's solutions/, exercises/ and .git are always covered).
    Raises :class:`SandboxError` when the sandbox itself fails.
    """
    return _run_suite(exercise, lang, answer_source, suite, limits=limits, slot=slot, hide=hide)


def _expected(exercise: Exercise, lang: str, suite: str) -> list[str]:
    spec = exercise.lang(lang)
    if suite == "visible":
        return spec.expected(hidden=False)
    if spec.hidden_summary is not None:  # a learner's copy: no hidden test is named here
        raise ExerciseError(
            f"{spec.hidden_tests_path}: hidden tests not found (grade from the solutions tree)"
        )
    return spec.hidden_names()


def _check_arguments(lang: str, suite: str, slot: int, limits: Limits) -> None:
    if lang not in ("python", "go"):
        raise ValueError(f"lang must be 'python' or 'go', got {lang!r}")
    if suite not in ("visible", "hidden"):
        raise ValueError(f"suite must be 'visible' or 'hidden', got {suite!r}")
    if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < MAX_SLOTS:
        raise ValueError(f"slot must be an integer from 0 to {MAX_SLOTS - 1}, got {slot!r}")
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a sandbox.Limits, got {type(limits).__name__}")


def _prepare(
    exercise: Exercise, lang: str, answer_source: str, suite: str, layers: _Layers
) -> SuiteResults | tuple[list[Path], list[str]]:
    """The suite's files and expected tests, or its results when nothing needs to run
    (no test in that suite, or vetting rejected the answer)."""
    if not isinstance(answer_source, str):
        raise TypeError(f"answer_source must be a str, got {type(answer_source).__name__}")
    spec = exercise.lang(lang)
    expected = _expected(exercise, lang, suite)
    if not expected:
        return SuiteResults()
    if suite == "hidden" and not spec.hidden_tests_path.is_file():
        raise ExerciseError(
            f"{spec.hidden_tests_path}: hidden tests not found (grade from the solutions tree)"
        )
    # from the instructor's tree (``exercise`` is never the submission): the chapter's
    # helper too, so a student's file of the same name never stands in for it
    files = suite_files(spec, hidden=suite == "hidden")
    if layers.vet:
        reasons = vet(exercise, lang, answer_source)
        if reasons:
            msg = "rejected: " + "; ".join(reasons)
            return SuiteResults(TestResult(t, "failed", msg) for t in expected)
    return files, expected


def _run_suite(
    exercise: Exercise,
    lang: str,
    answer_source: str,
    suite: str,
    *,
    limits: Limits = Limits(),
    slot: int = 0,
    hide: Sequence[str | os.PathLike[str]] = (),
    layers: _Layers = _Layers(),
) -> SuiteResults:
    _check_arguments(lang, suite, slot, limits)
    prepared = _prepare(exercise, lang, answer_source, suite, layers)
    if isinstance(prepared, SuiteResults):
        return prepared
    files, expected = prepared
    mode = layers.mode or isolation()
    box = _new_box(exercise, lang, limits, slot, mode, _hidden_paths(exercise, hide))
    with tempfile.TemporaryDirectory(prefix=f"twinbook-sandbox-{slot}-") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o700)
        in_dir = tmp_path / "in"
        in_dir.mkdir(mode=0o755)
        if lang == "python":
            results, missing = _python(box, answer_source, files, expected, suite, in_dir, layers)
        else:
            results, missing = _go(box, answer_source, files, expected, in_dir, tmp_path)
    notes = (
        [output_note(limits.output_bytes)] if any(raw.output_truncated for raw in box.runs) else []
    )
    return SuiteResults(finalize(exercise.id, lang, expected, results, missing).results, notes)


def run_suites(
    items: Sequence[tuple[Exercise, str]],
    lang: str,
    suite: Literal["visible", "hidden"],
    *,
    limits: Limits = Limits(),
    slot: int = 0,
    hide: Sequence[str | os.PathLike[str]] = (),
) -> list[SuiteResults | Exception]:
    """:func:`run_suite` for several exercises of one student at once: ``items`` are
    (exercise, answer source) pairs; returns, in the same order, what :func:`run_suite`
    would have returned for each, or the exception it would have raised.

    Python runs every exercise in one harness process (:mod:`.batch`: an exercise that a
    crash, a limit or its own clock took down runs again alone, so that batching never
    costs an exercise what it would have earned alone); Go builds every exercise's test
    binary with one ``go test -c`` and runs each binary in its own jail. ``limits`` are
    each exercise's, as for :func:`run_suite`."""
    return _run_suites(items, lang, suite, limits=limits, slot=slot, hide=hide)


@dataclass
class _Item:
    index: int
    box: _Box
    source: str
    files: list[Path]
    expected: list[str]


def _run_suites(
    items: Sequence[tuple[Exercise, str]],
    lang: str,
    suite: str,
    *,
    limits: Limits = Limits(),
    slot: int = 0,
    hide: Sequence[str | os.PathLike[str]] = (),
    layers: _Layers = _Layers(),
) -> list[SuiteResults | Exception]:
    _check_arguments(lang, suite, slot, limits)
    out: list[SuiteResults | Exception] = [SuiteResults() for _ in items]
    todo: list[_Item] = []
    mode = layers.mode or isolation()
    for i, (exercise, source) in enumerate(items):
        try:
            prepared = _prepare(exercise, lang, source, suite, layers)
        except Exception as exc:  # that exercise's problem only
            out[i] = exc
            continue
        if isinstance(prepared, SuiteResults):
            out[i] = prepared
            continue
        files, expected = prepared
        box = _new_box(exercise, lang, limits, slot, mode, _hidden_paths(exercise, hide))
        todo.append(_Item(i, box, source, files, expected))
    if not todo:
        return out
    boxes = [item.box for item in todo]
    sources = [item.source for item in todo]
    files_ = [item.files for item in todo]
    expected_ = [item.expected for item in todo]
    truncated = [False] * len(todo)
    with tempfile.TemporaryDirectory(prefix=f"twinbook-sandbox-{slot}-") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o700)
        in_dir = tmp_path / "in"
        in_dir.mkdir(mode=0o755)
        if lang == "python":
            outcomes = _python_batch(boxes, sources, files_, expected_, suite, in_dir, layers)
            found = [(o.results, o.missing) for o in outcomes]
            truncated = [o.output_truncated for o in outcomes]
        else:
            merged = _go_merged(boxes, sources, files_, expected_, in_dir, tmp_path)
            if merged is not None:
                found = [(o.results, o.missing) for o in merged]
                truncated = [o.output_truncated for o in merged]
            else:  # something does not compile: one binary per exercise says what, alone
                found = _go_batch(boxes, sources, files_, expected_, in_dir, tmp_path)
    for item, (results, missing), cut in zip(todo, found, truncated, strict=True):
        ex = item.box.exercise
        notes = (
            [output_note(limits.output_bytes)]
            if cut or any(raw.output_truncated for raw in item.box.runs)
            else []
        )
        final = finalize(ex.id, lang, item.expected, results, missing).results
        out[item.index] = SuiteResults(final, notes)
    return out


def per_test_seconds(limits: Limits) -> float | None:
    """The per-test limit the harness applies, or None when the suite's wall-clock budget
    is no longer (the budget then stops a hang first, with its own message)."""
    return limits.test_seconds if limits.test_seconds < limits.wall_seconds else None


def _hidden_paths(exercise: Exercise, extra: Sequence[str | os.PathLike[str]]) -> list[str]:
    tree = exercise.folder.parents[1]  # solutions/<chapter>/<exercise> -> solutions
    repo = tree.parent
    paths = [tree, repo / "solutions", repo / "exercises", repo / ".git", *map(Path, extra)]
    return [str(Path(p).resolve()) for p in paths]


@dataclass
class _Box:
    exercise: Exercise
    lang: str
    limits: Limits
    slot: int
    mode: str
    hide: list[str]
    runs: list[channel.RawRun] = field(default_factory=list)  # every harness process of the suite
    #: RLIMIT_AS of each process, when not ``limits.memory_bytes`` (Go's race runtime)
    address_space: int | None = None
    #: the suite's limits as given, when ``limits`` allow for the race detector: a Go
    #: build's jail starts from these (the compiler is not race-instrumented)
    given: Limits | None = None


def _new_box(
    exercise: Exercise, lang: str, limits: Limits, slot: int, mode: str, hide: list[str]
) -> _Box:
    """The box of one suite's runs: a Go run's limits allow for the race detector."""
    if lang != "go":
        return _Box(exercise, lang, limits, slot, mode, hide)
    race = race_limits(limits)
    return _Box(
        exercise,
        lang,
        race,
        slot,
        mode,
        hide,
        address_space=race_address_space(race.memory_bytes),
        given=limits,
    )


def _go_payload_env(work: Path) -> dict[str, str]:
    """A Go test binary's environment: the payload's, with the race runtime's options."""
    return {**_payload_env(work), "GORACE": gorunner.GORACE}


#: where a Go run's test binary is inside the jail (one exercise's, or a batch's)
JAIL_GO_BINARY = f"{JAIL_IN}/tests.bin"


def _race_proc(box: _Box, in_dir: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The two files of ``/proc/self`` the race runtime reads, for a jail that has no
    ``/proc``: ``environ`` (it reads GORACE there, not from its environment: without it,
    ``atexit_sleep_ms`` stays 1000 and every run sleeps a second at exit) holding GORACE
    alone, and ``exe`` (its own name; without it, a warning on every run) linking to the
    test binary. (read-only binds, symlinks); none outside a jail, which has the real ones."""
    if box.mode == "none":
        return [], []
    environ = in_dir.parent / f"{in_dir.name}.environ"
    environ.write_bytes(f"GORACE={gorunner.GORACE}\0".encode())
    environ.chmod(0o644)
    return [(str(environ), "/proc/self/environ")], [(JAIL_GO_BINARY, "/proc/self/exe")]


# --- Python ----------------------------------------------------------------------------------


def _python(
    box: _Box,
    answer_source: str,
    files: list[Path],
    expected: list[str],
    suite: str,
    in_dir: Path,
    layers: _Layers,
) -> tuple[dict[str, TestResult], str]:
    _lay_out_python(in_dir, answer_source, files)
    return _python_run(box, in_dir, expected, suite, layers)


def _lay_out_python(in_dir: Path, answer_source: str, files: list[Path]) -> None:
    """``answer.py`` and ``tests/`` (the suite's files beside an empty pytest.ini)."""
    (in_dir / "answer.py").write_text(answer_source, encoding="utf-8")
    tests = in_dir / "tests"
    tests.mkdir(mode=0o755)
    prepare_test_dir(files, tests)
    for path in [in_dir / "answer.py", *tests.iterdir()]:
        path.chmod(0o644)


def _work_dir(box: _Box, in_dir: Path) -> tuple[Path, Path]:
    """Where the inputs are and where the answer may write, as the harness sees them."""
    if box.mode == "none":
        work = in_dir.parent / f"work-{in_dir.name}"
        work.mkdir(mode=0o700, exist_ok=True)
        return in_dir, work
    return Path(JAIL_IN), Path(JAIL_WORK)


def _python_run(
    box: _Box, in_dir: Path, expected: list[str], suite: str, layers: _Layers
) -> tuple[dict[str, TestResult], str]:
    """One exercise's harness on the folder :func:`_lay_out_python` made."""
    spec = box.exercise.lang("python")
    inside, work = _work_dir(box, in_dir)
    argv = [
        sys.executable,
        "-I",
        "-B",
        *python_argv(
            inside / "answer.py",
            inside / "tests",
            output_limit=box.limits.output_bytes,
            hidden=suite == "hidden",
        ),
    ]
    per_test = per_test_seconds(box.limits)
    if per_test is not None:
        argv += ["--test-timeout", f"{per_test:g}"]
    if layers.guard:
        argv += ["--contain", "--scratch", str(work)]
        for module in spec.allowed_imports:
            argv += ["--allowed-import", module]
    binds = [(p, p) for p in _python_paths()]

    def execute(selection: list[str] | None, left: float, nonce: str) -> channel.RawRun:
        extra = [a for t in selection for a in ("--select", t)] if selection else []
        raw = _execute(box, [*argv, *extra], in_dir, binds, work, left, nonce)
        box.runs.append(raw)
        return raw

    return channel.run_all(
        expected,
        execute,
        budget=box.limits.wall_seconds,
        describe=lambda raw, name: pyrunner.describe(
            raw, name, budget=box.limits.wall_seconds, cpu=box.limits.cpu_seconds
        ),
    )


def _batch_box(first: _Box, count: int, *, output: bool = False) -> _Box:
    """The box of one process that runs ``count`` exercises: their budgets together (each
    exercise still has its own clocks, :class:`batch.ExerciseClock`); with ``output``,
    their output allowances too."""
    lim = first.limits
    return dataclasses.replace(
        first,
        limits=dataclasses.replace(
            lim,
            wall_seconds=lim.wall_seconds * count,
            cpu_seconds=lim.cpu_seconds * count,
            output_bytes=lim.output_bytes * count if output else lim.output_bytes,
        ),
        runs=[],
    )


def _python_batch(
    boxes: list[_Box],
    sources: list[str],
    files: list[list[Path]],
    expected: list[list[str]],
    suite: str,
    in_dir: Path,
    layers: _Layers,
) -> list[batch.Outcome]:
    """Every exercise's suite in one harness process (:mod:`.batch`): folders ``e0``,
    ``e1``... laid out as for one exercise, and a manifest naming them; an exercise that
    the batch could not finish runs alone in its own folder."""
    keys = [f"e{i}" for i in range(len(boxes))]
    for key, source, suite_files_ in zip(keys, sources, files, strict=True):
        (in_dir / key).mkdir(mode=0o755)
        _lay_out_python(in_dir / key, source, suite_files_)
    first = boxes[0]
    inside, work = _work_dir(first, in_dir)
    count = len(boxes)
    lim = first.limits
    runner = _batch_box(first, count)
    base = [sys.executable, "-I", "-B", "-m", "twinbook.runner.pyrunner"]
    base += ["--output-limit", str(lim.output_bytes)]
    per_test = per_test_seconds(lim)
    if per_test is not None:
        base += ["--test-timeout", f"{per_test:g}"]
    if layers.guard:
        base += ["--contain", "--scratch", str(work)]
    binds = [(p, p) for p in _python_paths()]
    by_key = {key: i for i, key in enumerate(keys)}
    runs = 0

    def execute(
        todo: list[str], timeout: float, nonce: str, watch: channel.Watch
    ) -> channel.RawRun:
        nonlocal runs
        runs += 1
        manifest = f"manifest-{runs}.json"
        entries = [
            {
                "key": key,
                "answer": str(inside / key / "answer.py"),
                "tests": str(inside / key / "tests"),
                "files": ["test_hidden.py"] if suite == "hidden" else [],
                "allowed": list(boxes[by_key[key]].exercise.lang("python").allowed_imports),
            }
            for key in todo
        ]
        (in_dir / manifest).write_text(json.dumps(entries), encoding="utf-8")
        (in_dir / manifest).chmod(0o644)
        argv = [*base, "--batch", str(inside / manifest)]
        raw = _execute(runner, argv, in_dir, binds, work, timeout, nonce, watch=watch)
        runner.runs.append(raw)
        return raw

    def alone(key: str, tests: list[str]) -> tuple[dict[str, TestResult], str]:
        i = by_key[key]
        return _python_run(boxes[i], in_dir / key, tests, suite, layers)

    outcomes = batch.run_batched(
        dict(zip(keys, expected, strict=True)),
        execute,
        alone,
        wall_each=lim.wall_seconds,
        cpu_each=lim.cpu_seconds,
    )
    return [outcomes[key] for key in keys]


@functools.cache
def _python_paths() -> tuple[str, ...]:
    """What the interpreter and the harness need: the base installation, the virtualenv,
    and the folder the twinbook package is imported from."""
    import twinbook

    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    package_root = os.path.realpath(Path(twinbook.__file__).parent.parent)
    if not any(package_root.startswith(p + os.sep) for p in paths):
        paths.add(package_root)
    if os.path.realpath(sys.executable) != sys.executable:
        paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    return tuple(sorted(paths))


# --- Go -------------------------------------------------------------------------------------


def _go(
    box: _Box, answer_source: str, files: list[Path], expected: list[str], in_dir: Path, tmp: Path
) -> tuple[dict[str, TestResult], str]:
    build_dir = tmp / "build"
    build_dir.mkdir(mode=0o700)
    source = go_source(answer_source)  # goimports applied (cached from vetting)
    gorunner.write_answer(build_dir, source)  # package main
    runnable = gorunner.lay_out_tests(build_dir, files, expected)  # package main_test
    binary = in_dir / "tests.bin"
    if box.mode == "none":
        env = gorunner.go_env()
        env.update(GOPROXY="off", GOFLAGS="-mod=mod")
        error = gorunner.build(
            build_dir,
            binary,
            env=env,
            timeout=max(BUILD_TIMEOUT, box.limits.wall_seconds),
            limit_memory=BUILD_MEMORY,
        )
    else:
        error = _build_in_jail(box, build_dir, in_dir)
    shutil.rmtree(build_dir, ignore_errors=True)  # the hidden test sources go before anything runs
    if error:
        msg = "compile error: " + gorunner.first_lines(error)
        return {t: TestResult(t, "error", msg) for t in expected}, msg
    return _go_run(box, in_dir, runnable)


def _go_run(box: _Box, in_dir: Path, runnable: list[str]) -> tuple[dict[str, TestResult], str]:
    """Run one exercise's test binary, ``in_dir/tests.bin``."""
    (in_dir / "tests.bin").chmod(0o755)
    inside, work = _work_dir(box, in_dir)
    env = _go_payload_env(work)
    per_test = per_test_seconds(box.limits)
    if per_test is not None:
        env[gorunner.TEST_TIMEOUT_ENV] = f"{per_test:g}"
    binds, links = _race_proc(box, in_dir)

    def execute(selection: list[str] | None, left: float, nonce: str) -> channel.RawRun:
        argv = [str(inside / "tests.bin"), *gorunner.binary_args(selection, max(left - 1, 1))]
        raw = _execute(box, argv, in_dir, binds, work, left, nonce, env=env, symlinks=links)
        box.runs.append(raw)
        return raw

    return channel.run_all(
        runnable,
        execute,
        budget=box.limits.wall_seconds,
        describe=lambda raw, name: gorunner.describe(
            raw, name, budget=box.limits.wall_seconds, cpu=box.limits.cpu_seconds
        ),
        messages=gorunner.attach_messages,
    )


JAIL_GOCACHE = "/sandbox/gocache"  # the read-only warm build cache (the standard library)
JAIL_OUT = "/sandbox/out"  # where a Go build writes the test binary
#: packages the warm cache is seeded with: the harness's imports and what the exercises use
SEED_IMPORTS = (
    "context",
    "encoding/json",
    "errors",
    "fmt",
    "io",
    "math",
    "math/rand/v2",
    "os",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "sync",
    "sync/atomic",
    "testing",
    "time",
)


def _go_build_env() -> dict[str, str]:
    """The Go build's whole environment, the same for the seed and every jail (the build
    cache's keys depend on it). cgo is on for every build: ``-race`` needs it (the race
    runtime links through runtime/cgo); ``import "C"`` in an answer is vetting's to refuse
    unless the exercise allows it (:mod:`twinbook.runner.vet`), and a C compiler is in the
    jail's read-only ``/usr`` (gcc, cc1, as, ld, the C library's headers and start files)."""
    goroot = str(Path(gorunner.go_binary()).resolve().parent.parent)
    return {
        "PATH": f"{goroot}/bin:/usr/local/bin:/usr/bin:/bin",
        "GOROOT": goroot,
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
        "GOENV": "off",
        "GOTELEMETRY": "off",
        "CGO_ENABLED": "1",
        "LANG": "C.UTF-8",
    }


_seed_lock = threading.Lock()


def go_seed() -> Path:
    """The warm build cache every Go build in the jail starts from: the standard library
    packages of :data:`SEED_IMPORTS`, compiled once per Go toolchain (about 10 s, 60 MB)
    beside the grader's own GOCACHE. It holds nothing of any exercise: it is readable
    inside the jail, so no solution or hidden test may be compiled into it."""
    with _seed_lock:
        return _go_seed()


@functools.cache
def _go_seed() -> Path:
    import hashlib

    env = _go_build_env()
    version = subprocess.run(
        [gorunner.go_binary(), "version"], capture_output=True, text=True, check=True, env=env
    ).stdout
    key = hashlib.sha256(
        repr((version, env, SEED_IMPORTS, gorunner.GO_VERSION, gorunner.BUILD_FLAGS)).encode()
    ).hexdigest()[:16]
    grader_cache = subprocess.run(
        [gorunner.go_binary(), "env", "GOCACHE"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GOTOOLCHAIN": "local"},
    ).stdout.strip()
    home = Path(grader_cache).parent if grader_cache else Path(tempfile.gettempdir())
    final = home / "twinbook-go-seed" / key
    if (final / "README").is_file():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="seed-", dir=final.parent) as tmp:
        module = Path(tmp) / "module"
        module.mkdir()
        (module / "go.mod").write_text(f"module twinbookseed\n\ngo {gorunner.GO_VERSION}\n")
        imports = "".join(f'\t_ "{name}"\n' for name in SEED_IMPORTS if name != "testing")
        (module / "seed.go").write_text(
            f"package main\n\nimport (\n{imports})\n\nfunc main() {{}}\n"
        )
        (module / "seed_test.go").write_text(
            'package main\n\nimport "testing"\n\nfunc TestSeed(t *testing.T) {}\n'
        )
        cache = Path(tmp) / "cache"
        proc = subprocess.run(
            [
                gorunner.go_binary(),
                "test",
                "-c",
                "-o",
                str(Path(tmp) / "seed.bin"),
                *gorunner.BUILD_FLAGS,
                ".",
            ],
            cwd=module,
            env={**env, "GOCACHE": str(cache), "GOTMPDIR": tmp, "HOME": tmp},
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
        )
        if proc.returncode != 0:
            raise SandboxError(f"cannot seed the Go build cache: {proc.stderr.strip()[:500]}")
        for folder, _dirs, names in os.walk(cache):
            os.chmod(folder, 0o755)
            for name in names:
                os.chmod(os.path.join(folder, name), 0o644)
        try:
            cache.rename(final)
        except OSError:  # another grader seeded it first
            if not (final / "README").is_file():
                raise
    return final


# Inside the build's jail: a private build cache of links to the warm one (the go command
# only reads through them; what it compiles lands beside them, in the run's tmpfs), a
# fresh trim stamp (or it would trim the links of entries older than five days), then the
# build itself: `go "$@"`. GOTMPDIR is the same tmpfs: nothing of the build outlives the jail.
_GO_BUILD = (
    'mkdir -p "$GOCACHE" && cp -rs ' + JAIL_GOCACHE + '/. "$GOCACHE"/ && '
    'rm -f "$GOCACHE/trim.txt" && date +%s > "$GOCACHE/trim.txt" && '
    "cd " + JAIL_IN + ' && exec go "$@"'
)


def _build_in_jail(box: _Box, build_dir: Path, out_dir: Path) -> str:
    """``go test -c`` inside a jail of its own (same layers as the tests', larger memory
    and file limits): killing the jail kills the build, and its cache and temporary files
    live in the jail's tmpfs. Returns the compiler's errors ("" when it built)."""
    wrong = gorunner.answer_package_error(build_dir)  # the same checks as gorunner.build
    if wrong:
        return wrong
    go_args = ["test", "-c", "-o", f"{JAIL_OUT}/tests.bin", *gorunner.BUILD_FLAGS, "."]
    raw, limits = _jail_go(box, build_dir, out_dir, go_args)
    binary = out_dir / "tests.bin"
    if raw.exit_code == 0 and not raw.signal and not raw.timed_out and binary.is_file():
        return ""
    binary.unlink(missing_ok=True)
    return _build_stopped(raw, limits) or gorunner.compile_errors(raw.text(), raw.exit_code)


def _build_stopped(raw: channel.RawRun, limits: Limits) -> str:
    """Why a build's jail was stopped ("" when it ended by itself)."""
    if raw.timed_out:
        return f"the build took longer than {limits.wall_seconds:g}s"
    if raw.signal:
        why = (
            "it ran out of memory" if b"out of memory (the run passed" in raw.output else raw.signal
        )
        return f"the build was stopped ({why})"
    return ""


def _jail_go(
    box: _Box, build_dir: Path, out_dir: Path, go_args: list[str]
) -> tuple[channel.RawRun, Limits]:
    """``go <go_args>`` in a build jail: ``build_dir`` is its input, ``out_dir`` (writable)
    receives what it writes to :data:`JAIL_OUT`."""
    seed = go_seed()
    env = _go_build_env()
    goroot = env["GOROOT"]
    env.update(GOCACHE="/tmp/gocache", GOTMPDIR="/tmp", GOPATH="/tmp/gopath")
    lim = box.given or box.limits
    limits = dataclasses.replace(
        lim,
        wall_seconds=BUILD_TIMEOUT,
        cpu_seconds=max(BUILD_CPU, lim.cpu_seconds),
        memory_bytes=max(BUILD_MEMORY, lim.memory_bytes),
        processes=max(BUILD_PROCESSES, lim.processes),
        file_bytes=max(BUILD_FILES, lim.file_bytes),
    )
    builder = dataclasses.replace(box, limits=limits, runs=[], address_space=None, given=None)
    if box.mode == "root":
        os.chown(out_dir, UID_BASE + box.slot, UID_BASE + box.slot)
    for folder, _dirs, names in os.walk(build_dir):
        os.chmod(folder, 0o755)
        for name in names:
            os.chmod(os.path.join(folder, name), 0o644)
    try:
        raw = _execute(
            builder,
            ["/bin/sh", "-c", _GO_BUILD, "go-build", *go_args],
            build_dir,
            [(goroot, goroot), (str(seed), JAIL_GOCACHE)],
            Path(JAIL_WORK),
            limits.wall_seconds,
            channel.new_nonce(),
            rw_binds=[(str(out_dir), JAIL_OUT)],
            env=env,
        )
    finally:
        if box.mode == "root":
            os.chown(out_dir, 0, 0)
    return raw, limits


def _go_merged(
    boxes: list[_Box],
    sources: list[str],
    files: list[list[Path]],
    expected: list[list[str]],
    in_dir: Path,
    tmp: Path,
) -> list[batch.Outcome] | None:
    """Every exercise's suite in ONE test binary (:func:`gorunner.lay_out_batch`: one
    compile per package and a single link), run by :func:`batch.run_batched` with the same
    rules as Python's batch; an exercise that the batch could not finish is built and run
    alone. None when the binary cannot be built (an answer does not compile, the build was
    stopped): the caller then builds one binary per exercise, which words each error as
    alone."""
    if boxes[0].mode == "none":
        return None
    keys = [f"e{i}" for i in range(len(boxes))]
    build_dir = tmp / "merged"
    build_dir.mkdir(mode=0o700)
    out_dir = tmp / "merged-out"
    out_dir.mkdir(mode=0o755)
    try:
        runnable = gorunner.lay_out_batch(
            build_dir,
            [
                (key, go_source(src), fs, exp)
                for key, src, fs, exp in zip(keys, sources, files, expected, strict=True)
            ],
        )
        go_args = [
            "test",
            "-c",
            "-o",
            f"{JAIL_OUT}/tests.bin",
            *gorunner.BUILD_FLAGS,
            f"./{gorunner.BATCH_HARNESS_DIR}",
        ]
        raw, _ = _jail_go(boxes[0], build_dir, out_dir, go_args)
    except ValueError:
        return None
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)  # the hidden test sources go first
    binary = out_dir / "tests.bin"
    if raw.exit_code != 0 or raw.signal or raw.timed_out or not binary.is_file():
        shutil.rmtree(out_dir, ignore_errors=True)
        return None
    run_dir = in_dir / "all"
    run_dir.mkdir(mode=0o755)
    binary.rename(run_dir / "tests.bin")
    (run_dir / "tests.bin").chmod(0o755)
    first, count = boxes[0], len(boxes)
    lim = first.limits
    # Go's failure messages come from the output: each exercise keeps its share of it
    runner = _batch_box(first, count, output=True)
    inside, work = _work_dir(runner, run_dir)
    env = _go_payload_env(work)
    per_test = per_test_seconds(lim)
    if per_test is not None:
        env[gorunner.TEST_TIMEOUT_ENV] = f"{per_test:g}"
    by_key = {key: i for i, key in enumerate(keys)}
    binds, links = _race_proc(runner, run_dir)

    def execute(
        todo: list[str], timeout: float, nonce: str, watch: channel.Watch
    ) -> channel.RawRun:
        argv = [str(inside / "tests.bin"), *gorunner.binary_args(None, max(timeout - 1, 1))]
        run_env = {**env, gorunner.BATCH_KEYS_ENV: ",".join(todo)}
        raw = _execute(
            runner,
            argv,
            run_dir,
            binds,
            work,
            timeout,
            nonce,
            env=run_env,
            watch=watch,
            symlinks=links,
        )
        runner.runs.append(raw)
        return raw

    def alone(key: str, tests: list[str]) -> tuple[dict[str, TestResult], str]:
        i = by_key[key]
        return _go_alone(
            boxes[i], sources[i], files[i], tests, in_dir / f"alone-{key}", tmp / f"alone-{key}"
        )

    outcomes = batch.run_batched(
        runnable,
        execute,
        alone,
        wall_each=lim.wall_seconds,
        cpu_each=lim.cpu_seconds,
        messages=gorunner.attach_batch_messages,
        rerun_after_cut=True,
    )
    return [outcomes[key] for key in keys]


def _go_batch(
    boxes: list[_Box],
    sources: list[str],
    files: list[list[Path]],
    expected: list[list[str]],
    in_dir: Path,
    tmp: Path,
) -> list[tuple[dict[str, TestResult], str]]:
    """Every exercise's suite, built by one ``go test -c`` over the packages ``e0``,
    ``e1``... of one module (in one build jail), each binary then run in its own jail. An
    exercise that fails to compile fails alone; one whose binary the shared build did not
    make (it was stopped: a compile bomb, a timeout) is built again alone."""
    keys = [f"e{i}" for i in range(len(boxes))]
    if boxes[0].mode == "none":  # no shared cache to win from: one by one
        return [
            _go_alone(box, src, fs, exp, in_dir / key, tmp / key)
            for key, box, src, fs, exp in zip(keys, boxes, sources, files, expected, strict=True)
        ]
    build_dir = tmp / "build"
    build_dir.mkdir(mode=0o700)
    (build_dir / "go.mod").write_text(
        f"module {gorunner.ANSWER_MODULE}\n\ngo {gorunner.GO_VERSION}\n"
    )
    runnable: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for key, src, fs, exp in zip(keys, sources, files, expected, strict=True):
        folder = build_dir / key
        folder.mkdir()
        (folder / "answer.go").write_text(go_source(src))  # goimports applied (cached)
        runnable[key] = gorunner.lay_out_tests(folder, fs, exp)
        gorunner.retarget_tests(folder, key)
        wrong = gorunner.answer_package_error(folder)
        if wrong:
            errors[key] = wrong
    packages = [k for k in keys if k not in errors]
    out_dir = tmp / "out"
    out_dir.mkdir(mode=0o755)
    raw = None
    if packages:
        raw, _ = _jail_go(boxes[0], build_dir, out_dir, gorunner.build_args(packages, JAIL_OUT))
        errors.update(gorunner.batch_build_errors(raw.text(), packages))
    shutil.rmtree(build_dir, ignore_errors=True)  # the hidden test sources go before anything runs
    results = []
    for key, box, src, fs, exp in zip(keys, boxes, sources, files, expected, strict=True):
        binary = out_dir / f"{key}.test"
        folder = in_dir / key
        folder.mkdir(mode=0o755)
        if key in errors:
            binary.unlink(missing_ok=True)
            msg = "compile error: " + gorunner.first_lines(errors[key])
            results.append(({t: TestResult(t, "error", msg) for t in exp}, msg))
        elif binary.is_file() and raw is not None and not raw.timed_out and not raw.signal:
            binary.rename(folder / "tests.bin")
            results.append(_go_run(box, folder, runnable[key]))
        else:
            binary.unlink(missing_ok=True)
            results.append(_go_alone(box, src, fs, exp, folder, tmp / f"alone-{key}"))
    return results


def _go_alone(
    box: _Box, source: str, files: list[Path], expected: list[str], in_dir: Path, tmp: Path
) -> tuple[dict[str, TestResult], str]:
    in_dir.mkdir(mode=0o755, exist_ok=True)
    tmp.mkdir(mode=0o700, exist_ok=True)
    return _go(box, source, files, expected, in_dir, tmp)


# --- the jail ---------------------------------------------------------------------------------


def _payload_env(work: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(work),
        "TMPDIR": str(work),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "GOTRACEBACK": "single",
        # glibc reserves a 64 MiB malloc arena per thread (up to 8 per core): under the
        # address-space limit, 20 threads of an honest answer could not start
        "MALLOC_ARENA_MAX": "2",
    }


def _rlimits(box: _Box, *, cgroup: bool) -> dict[str, int | tuple[int, int]]:
    """prlimit's per-process limits. With a cgroup they back up its whole-tree limits (the
    address-space cap also makes a huge allocation fail at once, "out of memory", where
    the cgroup would only count touched pages); without one they are all there is."""
    lim = box.limits
    limits: dict[str, int | tuple[int, int]] = {
        "cpu": (lim.cpu_seconds, lim.cpu_seconds + 1),
        "as": box.address_space or lim.memory_bytes,
        "fsize": lim.file_bytes,
        "core": 0,
        "nofile": 1024,
    }
    if not cgroup:
        nproc = lim.processes
        if box.mode == "userns":
            nproc += _tasks_of(os.getuid())  # RLIMIT_NPROC counts the grader's own processes here
        limits["nproc"] = nproc
    return limits


def _tasks_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                count += len(os.listdir(f"/proc/{entry.name}/task"))
        except OSError:
            continue
    return count


def _execute(
    box: _Box,
    argv: list[str],
    in_dir: Path,
    binds: list[tuple[str, str]],
    work: Path,
    timeout: float,
    nonce: str,
    *,
    rw_binds: Sequence[tuple[str, str]] = (),
    env: dict[str, str] | None = None,
    watch: channel.Watch | None = None,
    symlinks: Sequence[tuple[str, str]] = (),
) -> channel.RawRun:
    if box.mode == "none":
        return _execute_unconfined(box, argv, work, timeout, nonce, env, watch)
    lim = box.limits
    group = _cgroup(box)
    ev_r, ev_w = os.pipe()
    nonce_r, nonce_w = os.pipe()
    st_r, st_w = os.pipe()
    try:
        seccomp_fd = seccomp.filter_fd()
    except (seccomp.SeccompUnavailable, OSError) as exc:
        for fd in (ev_r, ev_w, nonce_r, nonce_w, st_r, st_w):
            os.close(fd)
        if group is not None:
            group.remove()
        raise SandboxError(f"cannot build the seccomp filter: {exc}") from exc
    env = dict(env) if env is not None else _payload_env(work)
    env.update({channel.EVENTS_FD_ENV: str(ev_w), channel.NONCE_FD_ENV: str(nonce_r)})
    spec = jail.Jail(
        argv=argv,
        env=env,
        binds=[*binds, (str(in_dir), JAIL_IN)],
        rw_binds=rw_binds,
        symlinks=symlinks,
        hide=box.hide,
        uid=UID_BASE + box.slot if box.mode == "root" else None,
        tmpfs_bytes=lim.file_bytes * 4,
        rlimits=_rlimits(box, cgroup=group is not None),
        cgroup_procs=group.procs_files() if group is not None else (),
        seccomp_fd=seccomp_fd,
        status_fd=st_w,
    )
    cmd = jail.command(spec)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(ev_w, nonce_r, st_w, seccomp_fd),
            start_new_session=True,
            env=env,
        )
    except OSError as exc:
        for fd in (ev_r, ev_w, nonce_r, nonce_w, st_r, st_w, seccomp_fd):
            os.close(fd)
        if group is not None:
            group.remove()
        raise SandboxError(f"cannot start the sandbox ({cmd[0]}): {exc}") from exc
    for fd in (ev_w, nonce_r, st_w, seccomp_fd):
        os.close(fd)
    try:
        os.write(nonce_w, nonce.encode() + b"\n")
    except OSError:
        pass
    os.close(nonce_w)
    ev_thread, ev_box = channel.start_reader(ev_r, channel.EVENTS_LIMIT + 1)
    assert proc.stdout is not None  # stdout=PIPE
    cut: list[int] = []
    out_thread, out_box = channel.start_reader(
        proc.stdout,
        lim.output_bytes,
        lambda: cut.append(channel.events_offset(ev_r, ev_box["live"])),
    )
    st_thread, st_box = channel.start_reader(st_r, 4096)
    try:
        timed_out, code, cpu = _wait(proc, timeout, group, watch, ev_box["live"])
        oom = group.oom_killed() if group is not None else False
        if group is not None:
            cpu = group.cpu_seconds() or cpu
    finally:
        if group is not None:
            group.remove()  # every process of the run, whatever it forked, then the cgroup
    for thread in (ev_thread, out_thread, st_thread):
        thread.join(10)
    status = _status(st_box["data"])
    sig = None
    if code is not None and code > 128 and code - 128 in signal.Signals._value2member_map_:
        sig, code = signal.Signals(code - 128).name, None  # bwrap reports a signal as 128+n
    elif code is not None and code < 0:
        sig, code = signal.Signals(-code).name, None
    raw = channel.RawRun(
        events=ev_box["data"],
        output=out_box["data"],
        output_truncated=out_box["truncated"],
        exit_code=code,
        signal=sig,
        timed_out=timed_out,
        seconds=time.monotonic() - started,
        cpu_seconds=cpu,
        cut_at_event=cut[0] if cut else None,
    )
    if oom and not timed_out:
        raw.signal = raw.signal or "SIGKILL"
        raw.output += f"\nfatal error: out of memory (the run passed its {_size(lim.memory_bytes)} memory limit)\n".encode()
    if out_box["truncated"]:
        log.warning(
            "slot %d: the run printed more than %d bytes; the rest was discarded",
            box.slot,
            lim.output_bytes,
        )
    if "child-pid" not in status and not timed_out:
        text = raw.text()
        setup = [
            line
            for line in text.splitlines()
            if line.startswith(("bwrap:", "prlimit:", "setpriv:"))
        ]
        raise SandboxError(
            "the sandbox did not start: "
            + (setup[0] if setup else channel.clip(text.strip(), 500) or f"exit code {code}")
        )
    return raw


_no_cgroup_warned = threading.Event()


def _cgroup(box: _Box) -> cgroups.RunCgroup | None:
    """The run's cgroup; None (logged once) when cgroups cannot be made here."""
    try:
        group = cgroups.create(
            f"slot{box.slot}", memory_bytes=box.limits.memory_bytes, processes=box.limits.processes
        )
    except OSError as exc:
        raise SandboxError(f"cannot create the run's cgroup: {exc}") from exc
    if group is None and not _no_cgroup_warned.is_set():
        _no_cgroup_warned.set()
        log.warning(
            "no cgroups (%s): memory and process limits are per process (rlimits), "
            "not per submission; grade as root for whole-tree limits",
            cgroups.unavailable(),
        )
    return group


def _wait(
    proc: subprocess.Popen[bytes],
    timeout: float,
    group: cgroups.RunCgroup | None = None,
    watch: channel.Watch | None = None,
    live: bytearray | None = None,
) -> tuple[bool, int | None, float | None]:
    """Wait for the jail: (killed at the timeout, exit code, CPU seconds of the jail's tree).
    At the timeout (or when ``watch``, shown the ``live`` events, says stop) its cgroup
    (when there is one) and its process group are killed; the pid namespace dies with
    bubblewrap's init."""
    box: dict[str, Any] = {}

    def reap() -> None:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except ChildProcessError:
            return
        box.update(code=os.waitstatus_to_exitcode(status), cpu=usage.ru_utime + usage.ru_stime)

    waiter = threading.Thread(target=reap, name="twinbook-jail-wait", daemon=True)
    waiter.start()

    def ended(seconds: float) -> bool:
        waiter.join(seconds)
        return not waiter.is_alive()

    tree_cpu = group.cpu_seconds if group is not None else (lambda: None)
    timed_out = not channel.wait_watched(ended, timeout, watch, live or bytearray(), tree_cpu)
    if timed_out:
        if group is not None:
            group.kill()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        waiter.join()
    proc.returncode = box.get("code", -signal.SIGKILL)
    return timed_out, box.get("code"), box.get("cpu")


def _status(data: bytes) -> dict[str, Any]:
    """bwrap's --json-status-fd documents, merged ({"child-pid": ..., "exit-code": ...})."""
    merged: dict[str, Any] = {}
    decoder = json.JSONDecoder()
    text = data.decode("utf-8", "replace")
    i = 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        try:
            obj, i = decoder.raw_decode(text, i)
        except ValueError:
            break
        if isinstance(obj, dict):
            merged.update(obj)
    return merged


# --- no isolation available ------------------------------------------------------------------

_warned = threading.Event()


def _execute_unconfined(
    box: _Box,
    argv: list[str],
    work: Path,
    timeout: float,
    nonce: str,
    env: dict[str, str] | None = None,
    watch: channel.Watch | None = None,
) -> channel.RawRun:
    """Rlimits only (``prlimit``), for machines without namespaces: not a sandbox."""
    if not _warned.is_set():
        _warned.set()
        log.warning(
            "no namespaces available: student code runs with resource limits only; "
            "grade as root (CI, a throwaway VM) to contain it"
        )
    lim = box.limits
    prlimit = shutil.which("prlimit")
    if prlimit:
        argv = [
            prlimit,
            f"--cpu={lim.cpu_seconds}:{lim.cpu_seconds + 1}",
            f"--as={box.address_space or lim.memory_bytes}",
            f"--nproc={lim.processes + _tasks_of(os.getuid())}",
            f"--fsize={lim.file_bytes}",
            "--core=0",
            "--",
            *argv,
        ]
    env = dict(env) if env is not None else _payload_env(work)
    return channel.execute_plain(
        argv,
        cwd=str(work),
        env=env,
        timeout=timeout,
        nonce=nonce,
        output_limit=lim.output_bytes,
        watch=watch,
    )
