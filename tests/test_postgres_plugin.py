"""Tests of tests/plugins/postgres.py: ``store_url`` on both stores, and the session's
PostgreSQL cluster (one for all workers, stopped after, nothing left when killed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from twinbook.store import Dialect, connect

ROOT = Path(__file__).resolve().parents[1]


def _tables(url: str) -> list[str]:
    with connect(url) as store, store.transaction() as tx:
        if store.dialect is Dialect.SQLITE:
            rows = tx.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        else:
            rows = tx.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema')"
            ).fetchall()
    return sorted(row[0] for row in rows)


@pytest.mark.parametrize("turn", ["first", "second"])
def test_every_test_gets_an_empty_database_of_its_own(store_url: str, turn: str) -> None:
    """Both turns create the same table and leave it there: the second would fail if the
    database were shared or reused."""
    assert _tables(store_url) == []
    with connect(store_url) as store, store.transaction() as tx:
        tx.execute("CREATE TABLE mine (id INTEGER PRIMARY KEY)")
        tx.execute("INSERT INTO mine (id) VALUES (?)", (1,))
    assert _tables(store_url) == ["mine"]


def test_the_params_are_the_two_stores(request: pytest.FixtureRequest, store_url: str) -> None:
    param = request.node.callspec.params["store_url"]
    assert param in ("sqlite", "postgres")
    assert store_url.startswith("sqlite:" if param == "sqlite" else "postgres://")


# --------------------------------------------------------------------------------------
# The cluster's lifecycle: one per session for all workers, never a server left behind

INNER_TEST = """
import json, os, time
from pathlib import Path
from twinbook.store import connect

def test_{name}(store_url, postgres_url):
    states = list(Path("build/postgres").glob("*/state.json"))
    assert len(states) == 1, states
    state = json.loads(states[0].read_text())
    assert state["url"] == postgres_url
    with connect(store_url) as store, store.transaction() as tx:
        assert tx.execute("SELECT 1 + 1").fetchone() == (2,)
    state["worker"] = os.environ["PYTEST_XDIST_WORKER"]
    Path("seen-{name}").write_text(json.dumps(state))
    if "{name}" == "b" and os.environ.get("HOLD"):  # keep the session open until killed
        deadline = time.monotonic() + 120
        while not Path("seen-a").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        Path("started").write_text("")
        time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _inner_session(pytester: pytest.Pytester, extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra_env}
    if "TWINBOOK_PG" not in extra_env:
        env.pop("TWINBOOK_PG", None)
    for name in ("a", "b"):
        pytester.makepyfile(**{f"test_inner_{name}": INNER_TEST.replace("{name}", name)})
    pytester.makeini("[pytest]\naddopts = -p tests.plugins.postgres -p no:cacheprovider\n")
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-k", "postgres"],
        cwd=pytester.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: one killpg ends it and its workers
    )


def _seen(pytester: pytest.Pytester) -> tuple[dict[str, object], dict[str, object]]:
    a = json.loads((pytester.path / "seen-a").read_text())
    b = json.loads((pytester.path / "seen-b").read_text())
    assert a["worker"] != b["worker"], "loadfile put both files on one worker"
    assert a["pid"] == b["pid"], "two workers, two clusters: want one per session"
    return a, b


def _gone(state: dict[str, object], within: float) -> None:
    deadline = time.monotonic() + within
    while alive(int(str(state["pid"]))) or alive(int(str(state["keeper"]))):
        assert time.monotonic() < deadline, f"the server outlived its session by {within}s"
        time.sleep(0.05)
    assert not Path(str(state["workdir"])).exists(), "the cluster's temporary folder is left"


def test_one_cluster_for_all_workers_stopped_when_the_session_ends(
    pytester: pytest.Pytester,
) -> None:
    session = _inner_session(pytester, {})
    out, _ = session.communicate(timeout=240)
    assert session.returncode == 0, out.decode(errors="replace")
    a, _ = _seen(pytester)
    assert float(str(a["seconds"])) < 60
    _gone(a, within=5)  # the controller stopped it before it exited
    assert list((pytester.path / "build").glob("postgres/*")) == []


def test_no_server_left_when_the_session_is_killed(pytester: pytest.Pytester) -> None:
    """SIGKILL to the whole session (controller and workers: no cleanup runs in them):
    the keeper sees its owner gone and stops the server."""
    session = _inner_session(pytester, {"HOLD": "1"})
    try:
        deadline = time.monotonic() + 240
        while not (pytester.path / "started").exists():
            assert session.poll() is None, "the inner session ended before both tests ran"
            assert time.monotonic() < deadline, "the inner session did not get going in 240s"
            time.sleep(0.1)
    finally:
        os.killpg(session.pid, signal.SIGKILL)
        session.communicate()
    a, _ = _seen(pytester)
    _gone(a, within=30)


def test_a_named_server_is_used_and_nothing_is_started(
    pytester: pytest.Pytester, postgres_url: str
) -> None:
    """TWINBOOK_PG set: the tests get databases on that server; no keeper, no cluster."""
    pytester.makepyfile(
        test_inner="""
        def test_named(store_url, postgres_url):
            import os
            assert postgres_url == os.environ["TWINBOOK_PG"]
            assert store_url.rsplit("/", 1)[0] == postgres_url.rsplit("/", 1)[0]
        """
    )
    pytester.makeini("[pytest]\naddopts = -p tests.plugins.postgres -p no:cacheprovider\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TWINBOOK_PG": postgres_url}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-k", "postgres"],
        cwd=pytester.path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout.decode(errors="replace")
    assert list(pytester.path.glob("build/postgres/*/keeper.pid")) == []
