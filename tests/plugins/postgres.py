"""pytest plugin: a fresh, empty store for every test that asks for one, on both stores.

The fixture ``store_url`` (the URL of an empty database, for ``twinbook.store.connect``)
is parametrized over the two stores chapter 5 runs on, so a test that uses it runs twice::

    test_outbox[sqlite]     an SQLite file in the test's tmp_path
    test_outbox[postgres]   a database of its own on a PostgreSQL 15 server

``postgres`` is the server ``TWINBOOK_PG`` names when it is set (its URL's user must be
allowed to CREATE DATABASE); else one throwaway cluster for the whole session, all workers
together (tests/services/postgres/cluster.py: Debian's postgresql-15 on 127.0.0.1 and a
free port, fsync off, in a temporary folder). As the Kafka plugin does, the first worker
that needs it starts a keeper (tests/services/postgres/keeper.py) under a lock in the
session's folder ``build/postgres/<id>/``, the others read its URL there, and the
controller stops it when the session ends (tests/plugins/sessionkeeper.py); the keeper
also stops it when the controller is gone. A session that asks for no PostgreSQL starts
none. Each test gets a database created for it (``CREATE DATABASE ... TEMPLATE
template0``) and dropped after it.

Go: the Go test plugin (tests/plugins/gotest.py) runs the packages whose tests use
``twinbook/store/storetest`` a second time with ``TWINBOOK_PG`` set to this server.

Enable with ``-p tests.plugins.postgres`` (pytest.ini does).
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.plugins.sessionkeeper import SessionKeeper
from twinbook.store import from_env

STORES = ("sqlite", "postgres")
"""The params of ``store_url``, in the order tests run on them."""

KEEPER = SessionKeeper(
    name="postgres",
    keeper_module="tests.services.postgres.keeper",
    start_timeout=90.0,  # about 0.5 s idle, several seconds on a loaded machine
    stop_timeout=15.0,
)


def pytest_configure(config: pytest.Config) -> None:
    KEEPER.configure(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    KEEPER.configure_node(node)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """(the controller, once every worker is done) stop the cluster; a server that had
    to be killed fails the session."""
    if KEEPER.is_controller(session.config):
        leftover = KEEPER.stop_for(session.config)
        if leftover:
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"ERROR: {leftover}", red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    # a session that ended before sessionfinish (a usage error, an internal error)
    if KEEPER.is_controller(config):
        leftover = KEEPER.stop_for(config)
        if leftover:
            warnings.warn(leftover, stacklevel=1)


def start_postgres_soon(config: pytest.Config) -> None:
    """Have this session's keeper start the cluster, without waiting for it (the Go
    plugin calls this before its first go test run)."""
    if from_env() is None:
        KEEPER.state(config, wait=False)


def postgres_server_url(config: pytest.Config) -> str:
    """The PostgreSQL server of this session: TWINBOOK_PG's, else the session's cluster,
    started now if no worker has yet. Raises RuntimeError saying why there is none."""
    named = from_env()
    if named is not None:
        return named
    return str(KEEPER.state(config)["url"])


def with_database(server_url: str, name: str) -> str:
    """``server_url`` with its database replaced by ``name``."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/" + name))


# --------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> str:
    """The URL of the session's PostgreSQL server (its ``postgres`` database): for tests
    that create databases themselves. Prefer ``store_url``."""
    try:
        return postgres_server_url(request.config)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def _postgres_admin(postgres_url: str) -> Iterator[psycopg.Connection[Any]]:
    """This worker's connection to the server, for creating and dropping databases."""
    with psycopg.connect(postgres_url, autocommit=True, connect_timeout=10) as conn:
        yield conn


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty store for this test alone: the test runs once per store
    (``[sqlite]``, ``[postgres]``)."""
    if request.param == "sqlite":
        yield f"sqlite:{tmp_path / 'store.db'}"
        return
    admin: psycopg.Connection[Any] = request.getfixturevalue("_postgres_admin")
    name = f"tb_{secrets.token_hex(8)}"
    # template0: template1 may hold what someone added to it, and copying template0
    # never waits for other sessions connected to template1.
    admin.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    try:
        yield with_database(request.getfixturevalue("postgres_url"), name)
    finally:
        # WITH (FORCE): a connection the test leaked must not keep the database
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
