"""The OS layer on its own (vetting and the in-process guards off): bubblewrap's jail, the
seccomp filter and the run's cgroup. Each answer probes the jail from inside and raises
what it found; the test reads it from the first test's failure message."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from pathlib import Path

import pytest
from hostile import LIMITS

from twinbook.grading import cgroups, sandbox

pytestmark = pytest.mark.usefixtures("unaffected")
POOL = "01-worker-pool"
BARE = sandbox._Layers(vet=False, guard=False)

PROBE = """
import ctypes, errno, os

libc = ctypes.CDLL(None, use_errno=True)


def call(nr, *args):
    ctypes.set_errno(0)
    res = libc.syscall(nr, *args)
    return errno.errorcode.get(ctypes.get_errno(), "ok") if res == -1 else "ok"

@PRELUDE@

def map_limited(fn, items, limit):
    raise RuntimeError("probe:" + repr((@WHAT@)) + ":end")
"""


def probe(grade_one, what: str, *, prelude: str = "", limits=LIMITS) -> str:
    source = PROBE.replace("@PRELUDE@", prelude).replace("@WHAT@", what)
    message = grade_one(source, limits)[0].message
    assert "probe:" in message, message
    return message.split("probe:", 1)[1].rsplit(":end", 1)[0]


@pytest.fixture
def grade_one(exercises, slots):
    def run(source: str, limits=LIMITS):
        return sandbox._run_suite(
            exercises[POOL], "python", source, "visible", limits=limits, slot=slots[0], layers=BARE
        )

    return run


# x86-64 system call numbers
SYSCALLS = {
    "add_key": (248, b"user", b"twinbook-hidden", b"the hidden test text", 15, -2),
    "keyctl": (250, 0, -4, 0),  # KEYCTL_GET_KEYRING_ID of the user keyring
    "request_key": (249, b"user", b"twinbook-hidden", 0, 0),
    "ptrace": (101, 16, 1),  # PTRACE_ATTACH to pid 1
    "mount": (165, b"none", b"/tmp", b"tmpfs", 0, 0),
    "umount2": (166, b"/tmp", 0),
    "unshare": (272, 0x10000000),  # CLONE_NEWUSER
    "setns": (308, 0, 0),
    "bpf": (321, 0, 0, 0),
    "perf_event_open": (298, 0, 0, -1, -1, 0),
    "userfaultfd": (323, 0),
    "io_uring_setup": (425, 1, 0),
    "kexec_load": (246, 0, 0, 0, 0),
    "init_module": (175, 0, 0, b""),
    "personality": (135, 0x0040000),  # ADDR_NO_RANDOMIZE
    "chroot": (161, b"/tmp"),
    "pivot_root": (155, b"/tmp", b"/tmp"),
}


def test_seccomp_refuses_what_a_test_never_needs_with_eperm(grade_one):
    calls = ", ".join(f"{name!r}: call{args!r}" for name, args in SYSCALLS.items())
    found = probe(grade_one, "{" + calls + ", 'clone3': call(435, 0, 0), 'getpid': call(39)}")
    got = eval(found)  # a dict of names to errno names, made by the probe
    assert got == {**{name: "EPERM" for name in SYSCALLS}, "clone3": "ENOSYS", "getpid": "ok"}


def test_threads_and_processes_still_work_under_the_filter(grade_one):
    """clone3 gets ENOSYS: the C library falls back to clone for threads and fork."""
    found = probe(
        grade_one,
        "[t.start() or t.join() for t in [__import__('threading').Thread(target=print)]] "
        "and os.waitpid(os.fork() or 0, 0) if False else "
        "(lambda pid: os._exit(7) if pid == 0 else os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))(os.fork())",
    )
    assert found == "7"


def test_nothing_a_run_stores_reaches_the_next_run(grade_one):
    """The keyring (refused), files in /tmp, the work folder and /dev/shm: the second run
    of the same slot finds nothing of the first."""
    store = """
stored = []
for path in ("/tmp/twinbook-leak", "/sandbox/work/twinbook-leak", "/dev/shm/twinbook-leak"):
    try:
        with open(path, "w") as f:
            f.write("hidden test text")
        stored.append(path)
    except OSError as exc:
        stored.append(f"{path}: {exc.strerror}")
stored.append(call(248, b"user", b"twinbook-leak", b"hidden test text", 16, -4))
"""
    first = probe(grade_one, "stored", prelude=store)
    assert eval(first) == [
        "/tmp/twinbook-leak",
        "/sandbox/work/twinbook-leak",
        "/dev/shm/twinbook-leak: Read-only file system",
        "EPERM",
    ]
    second = probe(
        grade_one,
        "[os.path.exists(p) for p in ('/tmp/twinbook-leak', '/sandbox/work/twinbook-leak')]"
        " + [call(250, 0, -4, 0)]",
    )
    assert eval(second) == [False, False, "EPERM"]


def test_the_host_is_out_of_sight_and_read_only(grade_one, exercises):
    import sys

    repo_root = str(exercises[POOL].folder.parents[2])
    found = probe(
        grade_one,
        "{p: os.path.exists(p) for p in ('/proc/1', '/root/.ssh', '/etc/shadow', '/work/shared', "
        f"{repo_root + '/solutions'!r}, '/sys/fs/cgroup', '/run', '/var')}}, "
        "[call(2, p.encode(), 0o101, 0o644) for p in ('/usr/twinbook', '/etc/twinbook', "
        f"{sys.prefix + '/twinbook'!r}, '/sandbox/in/twinbook')]",
    )
    exists, writes = eval(found)
    assert exists == dict.fromkeys(exists, False), exists
    assert set(writes) <= {"EROFS", "EACCES"} and len(writes) == 4, writes


def test_no_network(grade_one, listener):
    found = probe(
        grade_one,
        "[__import__('socket').create_connection(a, 1) and 'connected' if False else "
        "(lambda a: (lambda s: s.connect_ex(a))(__import__('socket').socket()))(a) "
        f"for a in (('127.0.0.1', {listener.port}), ('1.1.1.1', 53))]",
    )
    assert all(code != 0 for code in eval(found)), found
    assert listener.connections() == 0


TREE = """
done = []


def tree():
    import os
    if done:  # every test calls map_limited: build the tree once
        return done[0]
    pids = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            data = b"x" * (300 << 20)  # written: resident, unlike a fresh allocation
            import time
            time.sleep(0.5)
            os._exit(0 if data else 1)
        pids.append(pid)
    done.append(sorted(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids))
    return done[0]
"""


def test_memory_is_limited_per_process_tree(grade_one):
    """Three processes of 300 MiB, each under the 512 MiB per-process limit: together
    they pass the run's 512 MiB, and the kernel kills some of them."""
    if cgroups.unavailable():
        pytest.fail(f"the grader's tests run where cgroups work: {cgroups.unavailable()}")
    limits = dataclasses.replace(LIMITS, memory_bytes=512 << 20)
    found = eval(probe(grade_one, "tree()", prelude=TREE, limits=limits))
    assert found.count(-9) >= 1 and found.count(0) < 3, found


def test_a_fork_bomb_stops_at_the_process_limit_and_leaves_nothing(grade_one, slots):
    bomb = """
def bomb():
    import os, time
    made = 0
    try:
        while True:
            if os.fork() == 0:
                time.sleep(3600)
                os._exit(0)
            made += 1
    except OSError as exc:
        return made, exc.strerror
"""
    if cgroups.unavailable():
        pytest.fail(f"the grader's tests run where cgroups work: {cgroups.unavailable()}")
    made, error = eval(probe(grade_one, "bomb()", prelude=bomb))
    assert made < LIMITS.processes and error == "Resource temporarily unavailable"
    uid = sandbox.UID_BASE + slots[0]
    assert _slot_processes(uid) == []
    assert _run_cgroups(slots[0]) == []


def _uid(entry: Path) -> int | None:
    try:
        return entry.stat().st_uid
    except OSError:
        return None


def _slot_processes(uid: int, patience: float = 5.0) -> list[str]:
    """The processes still owned by a slot's uid, as "pid (state)".

    A killed run's last exits can still be zombies for a moment, waiting for the machine's
    init to reap them (bubblewrap's outer process goes first, and its pid namespace's init
    is reparented): they hold nothing, but they are listed. So this looks again until
    none is left or `patience` runs out, and then names what is there and in what state.
    """
    deadline = time.monotonic() + patience
    while True:
        found = [
            f"{e.name} ({_state(e)})"
            for e in Path("/proc").iterdir()
            if e.name.isdigit() and _uid(e) == uid
        ]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _state(entry: Path) -> str:
    try:
        return (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def _run_cgroups(slot: int) -> list[str]:
    base = cgroups._base()
    assert not isinstance(base, str), base
    return [p.name for parent in base[1] for p in parent.glob(f"slot{slot}-*")]


def test_a_killed_run_leaves_no_process_and_no_cgroup(grade_one, slots):
    """At the wall-clock limit the whole tree goes, daemonised grandchildren included."""
    linger = """
def linger():
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(3600)
        os._exit(0)
    time.sleep(3600)
"""
    limits = dataclasses.replace(LIMITS, wall_seconds=3)
    started = time.monotonic()
    results = grade_one(PROBE.replace("@PRELUDE@", linger).replace("@WHAT@", "linger()"), limits)
    assert time.monotonic() - started < 10
    assert "timed out" in results[0].message, results[0].message
    uid = sandbox.UID_BASE + slots[0]
    assert _slot_processes(uid) == []
    if not cgroups.unavailable():
        assert _run_cgroups(slots[0]) == []


def test_bystander_processes_of_the_grader_are_unharmed(grade_one):
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        probe(grade_one, "call(62, -1, 9)")  # kill(-1, SIGKILL): every process it can see
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_without_cgroups_the_rlimits_still_apply_and_the_log_says_so(
    grade_one, monkeypatch, caplog
):
    monkeypatch.setattr(cgroups, "_base", lambda: "cgroups turned off by the test")
    monkeypatch.setattr(sandbox, "_no_cgroup_warned", sandbox.threading.Event())
    big = """
def big():
    try:
        return len(b"x" * (2 << 30))
    except MemoryError:
        return "MemoryError"
"""
    with caplog.at_level("WARNING", logger="twinbook.grading.sandbox"):
        found = probe(grade_one, "big()", prelude=big)
    assert found == "'MemoryError'"
    assert "no cgroups (cgroups turned off by the test)" in caplog.text


# --- Go builds run in the jail ------------------------------------------------------------


# What only the answer's build can leave: its 512 MB array, or hundreds of MB of a killed
# compile. The host's build cache and go-build folders are shared with every other Go build
# on the machine (the suite's other workers compile the chapters' packages meanwhile, some
# objects over 30 MB), so growth is judged per file and folder, above this size.
TRACE = 128 << 20


def _grader_gocache() -> dict[str, int]:
    """The files of the host's Go build cache larger than TRACE, and their sizes."""
    root = subprocess.run(["go", "env", "GOCACHE"], capture_output=True, text=True).stdout.strip()
    big = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                size = os.stat(path).st_size
            except OSError:
                continue
            if size > TRACE:
                big[path] = size
    return big


def _go_build_dirs() -> dict[str, int]:
    """The host's go-build folders and their sizes (other Go builds on the machine make
    and remove small ones; a killed compile of the answer left hundreds of MB)."""
    import glob
    import tempfile

    sizes = {}
    for folder in glob.glob(os.path.join(tempfile.gettempdir(), "go-build*")):
        total = 0
        for root, _dirs, names in os.walk(folder):
            for name in names:
                try:
                    total += os.lstat(os.path.join(root, name)).st_size
                except OSError:
                    continue
        sizes[folder] = total
    return sizes


def _no_trace_of_the_build(before_dirs: dict[str, int], before_cache: dict[str, int]) -> None:
    grown = {d: n for d, n in _go_build_dirs().items() if n - before_dirs.get(d, 0) > TRACE}
    assert grown == {}, f"a go-build folder on the host holds the answer's build: {grown}"
    new = {p: n for p, n in _grader_gocache().items() if before_cache.get(p) != n}
    assert new == {}, f"the host's build cache holds the answer's build: {new}"


def _go_answer(extra: str) -> str:
    from hostile import GO_POOL

    return GO_POOL.replace("func main() {}", "func main() {}\n\n" + extra)


@pytest.fixture
def grade_go(exercises, slots):
    def run(source: str):
        return sandbox._run_suite(
            exercises[POOL],
            "go",
            source,
            "visible",
            limits=LIMITS,
            slot=slots[0],
            layers=sandbox._Layers(vet=False),
        )

    return run


def test_a_go_build_killed_at_its_timeout_leaves_nothing(grade_go, slots, monkeypatch):
    """Two 128 MiB literals keep the compiler busy past a 1 s build budget: the jail
    goes, with every compiler process, its temporary folder and its cache."""
    sandbox.go_seed()  # seeded before the budget starts
    monkeypatch.setattr(sandbox, "BUILD_TIMEOUT", 1.0)
    monkeypatch.setattr(sandbox, "BUILD_FILES", 1 << 30)
    cache, temps = _grader_gocache(), _go_build_dirs()
    results = grade_go(
        _go_answer(
            "var blob = [1 << 27]byte{1<<27 - 1: 1}\nvar blob2 = [1 << 27]byte{1<<27 - 1: 2}\n"
        )
    )
    assert {r.outcome for r in results} == {"error"}
    assert "the build took longer than" in results[0].message, results[0].message
    uid = sandbox.UID_BASE + slots[0]
    assert _slot_processes(uid) == []
    _no_trace_of_the_build(temps, cache)
    if not cgroups.unavailable():
        assert _run_cgroups(slots[0]) == []


@pytest.mark.parametrize(
    "literal, why",
    [
        ("var blob = [1 << 30]byte{1<<30 - 1: 1}\n", "out of memory"),
        ("var blob = [1 << 29]byte{1<<29 - 1: 1}\n", ("file too large", "out of memory")),
    ],
)
def test_a_huge_literal_fails_to_build_and_leaves_the_grader_unchanged(grade_go, literal, why):
    cache, temps = _grader_gocache(), _go_build_dirs()
    results = grade_go(_go_answer(literal))
    assert {r.outcome for r in results} == {"error"}
    options = why if isinstance(why, tuple) else (why,)
    assert any(w in results[0].message for w in options), results[0].message
    _no_trace_of_the_build(temps, cache)


def test_the_warm_go_cache_holds_no_exercise_code():
    """It is readable inside the jail: only the standard library may be in it."""
    seed = sandbox.go_seed()
    texts = b"".join(
        p.read_bytes()[: 1 << 16] for p in seed.rglob("*-d") if p.stat().st_size < 1 << 20
    )
    for secret in (b"MapLimited", b"TestHidden", b"errBoom"):
        assert secret not in texts


def test_a_bind_below_tmp_is_not_hidden_by_the_jails_own_tmp(tmp_path, slots):
    # A checkout (and its venv, whose interpreter the jail binds) may live under /tmp, as
    # in a CI clone: the jail's fresh /tmp must go below such binds, not on top of them.
    from twinbook.grading import jail

    assert str(tmp_path).startswith("/tmp/"), tmp_path
    venv = tmp_path / "checkout" / ".venv"
    venv.mkdir(parents=True)
    (venv / "python").write_text("the interpreter\n")
    argv = ["/bin/cat", str(venv / "python")]
    run = jail.Jail(argv=argv, env={}, binds=[(str(venv), str(venv))])
    if sandbox.isolation() == "root":
        run = dataclasses.replace(run, uid=sandbox.UID_BASE + slots[0])
    proc = subprocess.run(jail.command(run), capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, "the interpreter\n"), proc.stderr
