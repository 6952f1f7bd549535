"""Start a throwaway PostgreSQL 15 cluster on 127.0.0.1 and a free port, in a temporary
folder, and remove it all afterwards::

    with postgres_cluster() as cluster:
        cluster.url   # postgres://postgres@127.0.0.1:PORT/postgres

Debian's ``postgresql-15`` provides the programs (/usr/lib/postgresql/15/bin). They refuse
to run as root, so as root (CI) they run as the ``postgres`` user: ``initdb`` through
``runuser``, and the server by dropping to that user in the child before exec. The server
runs as a child of this process, not daemonised by ``pg_ctl``, so that it can be told to
die with its parent (Linux's parent-death signal: SIGQUIT, PostgreSQL's immediate
shutdown): a killed session leaves no server behind. The cluster is for tests only:
fsync, full_page_writes and synchronous_commit are off (a crash of the machine may lose
it, a crash of a test may not), and loopback connections are trusted with no password.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
"""Where Debian's postgresql-15 puts initdb and postgres (`make setup` installs it)."""

USER = "postgres"
"""The operating-system user the cluster runs as when this process is root; also the
database superuser's name."""

START_TIMEOUT = 60.0
"""Seconds the server may take to accept connections (about 0.5 s idle, far more loaded)."""
STOP_TIMEOUT = 15.0
"""Seconds an immediate shutdown may take before SIGKILL."""

SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    # every xdist worker, Go test package and thread test opens connections of its own
    "max_connections": "300",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class ClusterError(RuntimeError):
    """The cluster could not be created or started; the message says why (with its log)."""


@dataclasses.dataclass(frozen=True)
class Cluster:
    """A running cluster: where to connect, the server's pid, its folder, and how long
    it took from nothing to accepting connections."""

    url: str
    port: int
    pid: int
    workdir: Path
    seconds: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _as_postgres(uid: int, gid: int) -> None:
    """In the child, before exec: become the postgres user (when root), then have the
    kernel send SIGQUIT when the thread that started it ends. (Changing user clears
    the parent-death signal, hence this order.)"""
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGQUIT)


def _ready(datadir: Path) -> bool:
    """Whether the server accepts connections: postmaster.pid's status line says
    ``ready`` (what ``pg_ctl start -w`` waits for)."""
    try:
        lines = (datadir / "postmaster.pid").read_text().splitlines()
    except OSError:
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"


@contextlib.contextmanager
def postgres_cluster(start_timeout: float = START_TIMEOUT) -> Iterator[Cluster]:
    """A fresh cluster for the with block; stopped (immediately) and removed after it."""
    for program in ("initdb", "postgres"):
        if not (BIN / program).exists():
            raise ClusterError(
                f"{BIN / program} is missing: install Debian's postgresql-15 (make setup does)"
            )
    root = os.getuid() == 0
    if root:
        try:
            entry = pwd.getpwnam(USER)
        except KeyError:
            raise ClusterError(
                f"running as root needs the user {USER!r} (postgresql-15 adds it)"
            ) from None
        uid, gid = entry.pw_uid, entry.pw_gid
    else:
        uid, gid = os.getuid(), os.getgid()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="twinbook-pg-"))
    try:
        if root:
            os.chown(workdir, uid, gid)
        datadir, log = workdir / "data", workdir / "server.log"
        initdb = [
            str(BIN / "initdb"),
            *("-D", str(datadir), "-U", USER, "--auth=trust", "--encoding=UTF8"),
            *("--locale=C", "--no-sync", "--no-instructions"),
        ]
        done = subprocess.run(
            (["runuser", "-u", USER, "--"] if root else []) + initdb,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=start_timeout,
            check=False,
        )
        if done.returncode != 0:
            raise ClusterError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        with (datadir / "postgresql.conf").open("a") as conf:
            for key, value in SETTINGS.items():
                conf.write(f"{key} = '{value}'\n")
            conf.write(f"unix_socket_directories = '{workdir}'\n")
        for attempt in range(3):  # the free port may be taken between the probe and the bind
            port = _free_port()
            with log.open("ab") as out:
                server = subprocess.Popen(
                    [str(BIN / "postgres"), "-D", str(datadir), "-p", str(port)],
                    cwd=workdir,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    preexec_fn=lambda: _as_postgres(uid, gid),
                )
            try:
                deadline = started + start_timeout
                while not _ready(datadir):
                    if server.poll() is not None:
                        break
                    if time.monotonic() > deadline:
                        raise ClusterError(
                            f"PostgreSQL did not accept connections within {start_timeout}s:\n"
                            f"{_tail(log)}"
                        )
                    time.sleep(0.02)
                if server.poll() is not None:
                    if attempt < 2 and "could not bind" in _tail(log):
                        continue
                    raise ClusterError(
                        f"PostgreSQL exited with code {server.returncode}:\n{_tail(log)}"
                    )
                yield Cluster(
                    url=f"postgres://{USER}@127.0.0.1:{port}/postgres?sslmode=disable",
                    port=port,
                    pid=server.pid,
                    workdir=workdir,
                    seconds=round(time.monotonic() - started, 3),
                )
                return
            finally:
                _stop(server)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Immediate shutdown (SIGQUIT, as ``pg_ctl stop -m immediate``): a test cluster has
    nothing to flush; SIGKILL if it does not go."""
    if server.poll() is None:
        server.send_signal(signal.SIGQUIT)
        try:
            server.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
