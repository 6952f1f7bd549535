"""pytest plugin: a Kafka broker for every test that asks for one, on both brokers.

The fixture ``kafka_bootstrap`` (a bootstrap server, ``host:port``) is parametrized
over the two brokers the chapter runs on, so a test that uses it runs twice::

    test_produce[kfake]   the embedded broker (franz-go's kfake, go/cmd/twinbook-kafka)
    test_produce[kafka]   a real Apache Kafka 4.4.0 (tests/services/kafka)

``kfake`` is one embedded broker per test session and xdist worker: it starts in tens of
milliseconds. ``kafka`` is the broker ``TWINBOOK_KAFKA`` names when it is set; else one
real broker for the whole session, all workers together (:func:`real_kafka_bootstrap`):
the first worker that needs it starts a keeper process (tests/services/kafka/keeper.py)
under a lock in the session's folder ``build/kafka/<id>/``, the others read its address
there, and the controller (the one pytest process without xdist) stops it when the
session ends and checks that the JVM is gone. The keeper also stops it by itself as soon
as the controller is gone, so even a killed session leaves no JVM behind. A session
that asks for no real broker starts none.

Every test of a session shares the broker (and a real one named by ``TWINBOOK_KAFKA``
outlives sessions): ``kafka_name`` is a topic, group or transactional id name of the
test's own.

Go: the Go test plugin (tests/plugins/gotest.py) runs the packages whose tests use
``twinbook/kafka/kafkatest`` a second time against the real broker.

Enable with ``-p tests.plugins.kafka`` (pytest.ini does).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twinbook.kafka import Config, from_env, start

BROKERS = ("kfake", "kafka")
"""The params of ``kafka_bootstrap``, in the order tests run on them."""

START_TIMEOUT = 120.0
"""Seconds a worker waits for the real broker (3 to 5 s idle; far more on a loaded machine)."""
STOP_TIMEOUT = 30.0
"""Seconds the controller waits for the keeper to stop the broker before SIGKILL."""

ROOT = Path(__file__).resolve().parents[2]
"""The repository, where the keeper's module is (a session's rootdir may be elsewhere)."""

_DIR = "twinbook_kafka_dir"
_OWNER = "twinbook_kafka_owner"
_dir_key = pytest.StashKey[Path]()
_owner_key = pytest.StashKey[int]()


# --------------------------------------------------------------------------------------
# The session's folder and owner: chosen by the controller, handed to every worker


def pytest_configure(config: pytest.Config) -> None:
    _init(config)


def _init(config: pytest.Config) -> None:
    """Choose (controller) or receive (worker) the session's folder and owner."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and _DIR in workerinput:
        config.stash[_dir_key] = Path(workerinput[_DIR])
        config.stash[_owner_key] = int(workerinput[_OWNER])
    else:
        config.stash[_dir_key] = config.rootpath / "build" / "kafka" / uuid.uuid4().hex
        config.stash[_owner_key] = os.getpid()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """(xdist, in the controller) tell the worker the session's folder and owner."""
    node.workerinput[_DIR] = str(node.config.stash[_dir_key])
    node.workerinput[_OWNER] = node.config.stash[_owner_key]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """(the controller, once every worker is done) stop the real broker; a JVM that had
    to be killed fails the session."""
    config = session.config
    if getattr(config, "workerinput", None) is None and _dir_key in config.stash:
        leftover = stop_real_kafka(config.stash[_dir_key])
        if leftover:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"ERROR: {leftover}", red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    # a session that ended before sessionfinish (a usage error, an internal error)
    if getattr(config, "workerinput", None) is None and _dir_key in config.stash:
        leftover = stop_real_kafka(config.stash[_dir_key])
        if leftover:
            warnings.warn(leftover, stacklevel=1)


# --------------------------------------------------------------------------------------
# The real broker: started once per session by the first worker that needs it


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def start_real_kafka_soon(config: pytest.Config) -> None:
    """Have this session's keeper start the real broker, without waiting for it: the Go
    plugin calls this before its first go test run, so the JVM boots meanwhile."""
    if from_env() is None:
        _lock_and_start(config, wait=False)


def real_kafka_bootstrap(config: pytest.Config) -> str:
    """The real broker of this session: TWINBOOK_KAFKA's, else the one this session's
    keeper runs, started now if no worker has yet. Raises RuntimeError saying why there
    is none (the keeper's error, e.g. jars not resolved, is reported to every asker)."""
    named = from_env()
    if named is not None:
        return named
    return _lock_and_start(config, wait=True)


def _lock_and_start(config: pytest.Config, *, wait: bool) -> str:
    if _dir_key not in config.stash:  # asked by another plugin in a session without this one
        _init(config)
        config.add_cleanup(lambda: stop_real_kafka(config.stash[_dir_key]))
    folder = config.stash[_dir_key]
    folder.mkdir(parents=True, exist_ok=True)
    state, error = folder / "state.json", folder / "error.txt"
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released on close, or when this process dies
        if not (folder / "keeper.pid").exists():
            _start_keeper(config, folder)
        if not wait:
            return ""
        deadline = time.monotonic() + START_TIMEOUT
        keeper = int((folder / "keeper.pid").read_text())
        while not state.exists() and not error.exists():
            if not _alive(keeper):
                error.write_text(f"the Kafka keeper exited:\n{_tail(folder / 'keeper.log')}")
            elif time.monotonic() > deadline:
                error.write_text(f"the real Kafka did not start within {START_TIMEOUT}s")
            else:
                time.sleep(0.1)
    if error.exists():
        raise RuntimeError(f"no real Kafka for this session: {error.read_text()}")
    return str(json.loads(state.read_text())["addr"])


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def _start_keeper(config: pytest.Config, folder: Path) -> None:
    # posix_spawn, not Popen: this worker never waits for the keeper (the controller stops
    # it), and a Popen left unwaited warns when collected. setsid: its own session, so a
    # worker that ends, or a Ctrl-C, does not take it along.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    log = folder / "keeper.log"
    keeper = os.posix_spawn(
        sys.executable,
        [
            sys.executable,
            "-m",
            "tests.services.kafka.keeper",
            str(folder),
            str(config.stash[_owner_key]),
        ],
        env,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(log), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ],
        setsid=True,
    )
    (folder / "keeper.pid").write_text(str(keeper))


def stop_real_kafka(folder: Path) -> str:
    """Stop this session's real broker, if one was started, and remove its folder.
    Returns "" when no JVM is left running, else what is left (after a SIGKILL)."""
    if not (folder / "keeper.pid").exists():
        shutil.rmtree(folder, ignore_errors=True)
        return ""
    keeper = int((folder / "keeper.pid").read_text())
    state = folder / "state.json"
    jvm = int(json.loads(state.read_text())["pid"]) if state.exists() else None
    if _alive(keeper):
        os.kill(keeper, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while (_alive(keeper) or (jvm is not None and _alive(jvm))) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in (keeper, jvm) if pid is not None and _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)
    return f"the real Kafka did not stop within {STOP_TIMEOUT}s: killed {left}" if left else ""


# --------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def kfake_bootstrap() -> Iterator[str]:
    """The embedded broker of this worker's session."""
    with start(Config()) as broker:
        yield broker.addr


@pytest.fixture(scope="session", params=BROKERS)
def kafka_bootstrap(request: pytest.FixtureRequest) -> str:
    """A bootstrap server: the test runs once per broker (``[kfake]``, ``[kafka]``)."""
    if request.param == "kfake":
        return str(request.getfixturevalue("kfake_bootstrap"))
    try:
        return real_kafka_bootstrap(request.config)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


def unique_name(test_name: str) -> str:
    """``test_name`` with what Kafka refuses in a topic name replaced by ``.``, and a
    random suffix (as Go's ``kafkatest.Name``)."""
    return f"{re.sub(r'[^A-Za-z0-9_-]', '.', test_name)[:200]}.{secrets.token_hex(5)}"


@pytest.fixture
def kafka_name(request: pytest.FixtureRequest) -> str:
    """A topic, group or transactional id name that no other test or run uses."""
    return unique_name(request.node.name)
