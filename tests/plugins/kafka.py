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

import re
import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.sessionkeeper import SessionKeeper
from twinbook.kafka import Config, from_env, start

BROKERS = ("kfake", "kafka")
"""The params of ``kafka_bootstrap``, in the order tests run on them."""

START_TIMEOUT = 120.0
"""Seconds a worker waits for the real broker (3 to 5 s idle; far more on a loaded machine)."""
STOP_TIMEOUT = 30.0
"""Seconds the controller waits for the keeper to stop the broker before SIGKILL."""

KEEPER = SessionKeeper(
    name="kafka",
    title="real Kafka",
    keeper_module="tests.services.kafka.keeper",
    start_timeout=START_TIMEOUT,
    stop_timeout=STOP_TIMEOUT,
)
"""The session's real broker (tests/plugins/sessionkeeper.py: the folder, the lock, the
keeper, the stop)."""


# --------------------------------------------------------------------------------------
# The session's folder and owner: chosen by the controller, handed to every worker


def pytest_configure(config: pytest.Config) -> None:
    KEEPER.configure(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """(xdist, in the controller) tell the worker the session's folder and owner."""
    KEEPER.configure_node(node)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """(the controller, once every worker is done) stop the real broker; a JVM that had
    to be killed fails the session."""
    config = session.config
    if KEEPER.is_controller(config):
        leftover = KEEPER.stop_for(config)
        if leftover:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"ERROR: {leftover}", red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    # a session that ended before sessionfinish (a usage error, an internal error)
    if KEEPER.is_controller(config):
        leftover = KEEPER.stop_for(config)
        if leftover:
            warnings.warn(leftover, stacklevel=1)


# --------------------------------------------------------------------------------------
# The real broker: started once per session by the first worker that needs it


def start_real_kafka_soon(config: pytest.Config) -> None:
    """Have this session's keeper start the real broker, without waiting for it: the Go
    plugin calls this before its first go test run, so the JVM boots meanwhile."""
    if from_env() is None:
        KEEPER.state(config, wait=False)


def real_kafka_bootstrap(config: pytest.Config) -> str:
    """The real broker of this session: TWINBOOK_KAFKA's, else the one this session's
    keeper runs, started now if no worker has yet. Raises RuntimeError saying why there
    is none (the keeper's error, e.g. jars not resolved, is reported to every asker)."""
    named = from_env()
    if named is not None:
        return named
    return str(KEEPER.state(config)["addr"])


def stop_real_kafka(folder: Path) -> str:
    """Stop the real broker kept in ``folder``, if one was started, and remove the folder.
    Returns "" when no JVM is left running, else what is left (after a SIGKILL)."""
    return KEEPER.stop(folder)


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
