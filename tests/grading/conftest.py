"""Fixtures for the hostile-submission suite: the real chapter 1 exercises (solutions
tree, hidden tests included), small limits, a sandbox slot per xdist worker, and canaries
(another student's submission, the grader's OUT folder) that no submission may touch."""

from __future__ import annotations

import glob
import hashlib
import os
import tempfile
import threading
from pathlib import Path

import pytest
from hostile import LIMITS, Case, points_of

from tests import repo
from twinbook.exercises.model import load_exercise
from twinbook.grading import sandbox

SOLUTIONS = repo.SOLUTIONS / "ch01-concurrency"


@pytest.fixture(scope="session")
def exercises():
    """The chapter 1 exercises, loaded from the solutions tree (as the grader does)."""
    return {
        p.name: load_exercise(p)
        for p in sorted(SOLUTIONS.iterdir())
        if (p / "exercise.toml").is_file()
    }


FIRST_SLOT = 100  # clear of the first slots that `twinbook grade --jobs N` looks at


@pytest.fixture(scope="session")
def slots():
    """Two sandbox slots (uids) leased to this test process for the session, by the
    grader's own leases (sandbox.lease_slots), so that no two xdist workers, test sessions
    or graders on the machine share one; each worker starts looking at a place of its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    with sandbox.lease_slots(
        2, start=FIRST_SLOT + 2 * int(worker.removeprefix("gw") or 0)
    ) as leased:
        yield leased


@pytest.fixture(scope="session")
def classroom(tmp_path_factory):
    """Another student's submission and the grader's OUT folder, with known contents."""
    root = tmp_path_factory.mktemp("classroom")
    other = root / "submissions" / "bob" / "ch01-concurrency" / "01-worker-pool" / "python"
    other.mkdir(parents=True)
    (other / "worker_pool.ipynb").write_text('{"bob": "his own work"}\n')
    out = root / "out"
    out.mkdir()
    (out / "gradebook.csv").write_text("student,total\nbob,14\n")
    (out / "bob").mkdir()
    (out / "bob" / "results.json").write_text('{"version": 3, "status": "fail"}\n')
    return root


def snapshot(root: Path) -> dict[str, str]:
    state = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        state[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return state


@pytest.fixture
def unaffected(classroom, slots, capfd):
    """After the test: the classroom is byte for byte the same, the sandbox left no folder
    behind, and nothing reached the grader's own stdout or stderr."""
    before = snapshot(classroom)
    capfd.readouterr()
    yield classroom
    out, err = capfd.readouterr()
    assert out == "" and err == "", (
        f"the run reached the grader's output: {out[:200]!r} {err[:200]!r}"
    )
    assert snapshot(classroom) == before, "another student's folder or OUT changed"
    left = [
        p
        for s in slots
        for p in glob.glob(os.path.join(tempfile.gettempdir(), f"twinbook-sandbox-{s}-*"))
    ]
    assert left == [], f"sandbox folders left behind: {left}"


@pytest.fixture
def grade(exercises, slots, classroom):
    """grade(case) -> {suite: results} through the sandbox (all layers unless told)."""

    def run(case: Case, *, layers=None, slot=None, limits=LIMITS, port: int = 9):
        ex = exercises[case.exercise]
        source = case.render(classroom, port)
        kwargs = dict(limits=limits, slot=slots[0] if slot is None else slot)
        out = {}
        for suite in ("visible", "hidden"):
            if layers is None:
                out[suite] = sandbox.run_suite(ex, case.lang, source, suite, **kwargs)
            else:
                out[suite] = sandbox._run_suite(
                    ex, case.lang, source, suite, layers=layers, **kwargs
                )
        return out

    return run


@pytest.fixture
def bystander(exercises, slots):
    """Grade a correct submission in the other slot while the test runs; check() asserts
    it got full marks (other students' results are unaffected)."""

    class Bystander:
        def __init__(self):
            self.results = {}
            self.thread = None

        def start(self, exercise: str, lang: str):
            from twinbook.runner.check import answer_source

            ex = exercises[exercise]
            source = answer_source(ex.lang(lang))

            def work():
                for suite in ("visible", "hidden"):
                    self.results[suite] = sandbox.run_suite(
                        ex, lang, source, suite, limits=LIMITS, slot=slots[1]
                    )

            self.thread = threading.Thread(target=work, name="bystander")
            self.thread.start()
            self.exercise = ex
            self.lang = lang

        def check(self):
            self.thread.join(120)
            got = {s: [r.name for r in rs if r.passed] for s, rs in self.results.items()}
            spec = self.exercise.lang(self.lang)
            assert got == {
                "visible": spec.expected(hidden=False),
                "hidden": [t for t in spec.points if spec.is_hidden(t)],
            }, f"the bystander lost points: {self.results}"
            assert points_of(self.exercise, self.lang, got) == sum(spec.points.values())

    return Bystander()


@pytest.fixture
def listener():
    """A TCP listener on the grader's loopback: no submission may ever connect to it."""
    import socket

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)

    class Listener:
        port = server.getsockname()[1]

        def connections(self) -> int:
            count = 0
            while True:
                try:
                    conn, _ = server.accept()
                except BlockingIOError:
                    return count
                conn.close()
                count += 1

    yield Listener()
    server.close()
