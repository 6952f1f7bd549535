"""The command line of the grader's jail: bubblewrap (``bwrap``), a seccomp filter, a cgroup.

:func:`command` turns a :class:`Jail` into one argv the sandbox starts as a plain
subprocess::

    sh -c JOIN CGROUP_PROCS... --          join the run's cgroup (when there is one)
      prlimit --cpu --as --fsize --core ...  per-process rlimits (belt and braces)
      bwrap --die-with-parent --new-session --cap-drop ALL --unshare-... --seccomp FD
            --json-status-fd FD  <the root below>  --  [setpriv --reuid U ...] PAYLOAD

The root of the jail is an empty tmpfs, made read-only at the end, that holds only:
the system folders (``/usr``, and ``/bin``, ``/lib``... as on the host), a few files of
``/etc``, the interpreter and the folders of the run (read-only), a minimal ``/dev``
(read-only; ``null``, ``zero``, ``full``, ``random``, ``urandom``, ``tty``), and two
size-limited writable tmpfs folders, ``/tmp`` and ``/sandbox/work``. There is no
``/proc``, no network (a new, empty network namespace), no other process (a new pid
namespace whose init is bubblewrap's; when the payload exits, everything left dies with
it), a new IPC and UTS namespace, and no capability.

Two ways to run it (:func:`twinbook.grading.sandbox.isolation`):

* ``root``: the grader is root. bubblewrap runs as root *without* a user namespace
  (folders such as pyenv's ``/root/.pyenv`` are only reachable by root, and a user
  namespace made by root maps the payload to uid 0 outside), keeps ``CAP_SETUID`` and
  ``CAP_SETGID`` only, and the payload starts through ``setpriv``, which drops to the
  slot's unprivileged uid and gid (``61000 + slot``), clears supplementary groups and the
  inheritable capabilities, and sets ``no_new_privs``: the untrusted code has no
  capability, the slot's own uid, and no way to get others back.
* ``userns``: the grader is not root. bubblewrap makes a user namespace
  (``--unshare-all``) and runs with the grader's uid, ``--disable-userns`` stops the
  payload from making another. Hidden tests and the grader's own files outside the jail
  stay out of sight, but the payload's processes are the grader's uid.

The whole command runs with a clean environment (the payload's: no secret of the
grader's), stdin from /dev/null, and in a session of its own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

JAIL_IN = "/sandbox/in"  # the run's inputs, read-only
JAIL_WORK = "/sandbox/work"  # the writable working folder, a tmpfs
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/hosts",
    "/etc/mime.types",
    "/etc/ssl/certs",
)
# joins every cgroup given before "--", then runs the rest: so the jail is inside its
# cgroup before anything of it starts (a child inherits its parent's cgroup)
_JOIN_EXEC = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'


@dataclass(frozen=True)
class Jail:
    """One jail run. Paths are on the host; ``binds`` are (host, inside) pairs, read-only."""

    argv: Sequence[str]
    env: dict[str, str]
    binds: Sequence[tuple[str, str]] = ()
    rw_binds: Sequence[tuple[str, str]] = ()  # writable: only folders of the run's own
    hide: Sequence[str] = ()  # host paths that must look empty if a bind shows them
    symlinks: Sequence[tuple[str, str]] = ()  # (target, path inside): after the binds
    uid: int | None = None  # root mode: the slot's uid (setpriv drops to it)
    tmpfs_bytes: int = 64 << 20  # size of /tmp and of the work folder, each
    rlimits: dict[str, int | tuple[int, int]] = field(default_factory=dict)
    cgroup_procs: Sequence[str] = ()  # the run's cgroup.procs files, joined first
    seccomp_fd: int | None = None
    status_fd: int | None = None
    workdir: str = JAIL_WORK
    hostname: str = "twinbook"


def bwrap_binary() -> str | None:
    return shutil.which("bwrap")


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _root_args(jail: Jail) -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):  # /bin -> usr/bin on merged-/usr systems
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ETC_FILES:
        args += ["--ro-bind-try", path, path]
    made: set[str] = {"/", "/usr", "/tmp", "/dev", "/etc", "/sandbox"}
    # /dev and /tmp first: a bind below /tmp (a checkout or a venv under /tmp, as CI may
    # have it) must go on top of the jail's own /tmp, not be hidden by it
    size = str(jail.tmpfs_bytes)
    args += ["--dev", "/dev", "--remount-ro", "/dev"]
    args += ["--size", size, "--perms", "1777", "--tmpfs", "/tmp"]
    args += ["--perms", "0755", "--dir", "/sandbox"]
    for _source, target in [*jail.binds, *jail.rw_binds]:
        # bwrap copies the modes of the host's folders above a bind (/root is 0700):
        # make them traversable, or the slot's uid could not reach what it needs
        for folder in _ancestors(target):
            if folder not in made and not any(
                folder == t or folder.startswith(t.rstrip("/") + "/") for _, t in jail.binds
            ):
                args += ["--perms", "0755", "--dir", folder]
                made.add(folder)
    for source, target in jail.binds:
        args += ["--ro-bind", source, target]
    for source, target in jail.rw_binds:
        args += ["--bind", source, target]
    for link_target, path in jail.symlinks:
        args += ["--symlink", link_target, path]
    for hidden in jail.hide:
        for source, target in jail.binds:
            if hidden == source or hidden.startswith(source.rstrip("/") + "/"):
                inside = target + hidden[len(source) :]
                if os.path.isdir(hidden) and not os.path.islink(hidden):
                    args += ["--size", "4096", "--tmpfs", inside, "--remount-ro", inside]
    args += ["--size", size, "--perms", "1777", "--tmpfs", JAIL_WORK]
    args += ["--remount-ro", "/", "--chdir", jail.workdir]
    return args


def command(jail: Jail) -> list[str]:
    """The argv that runs ``jail`` (see the module docstring)."""
    bwrap = bwrap_binary()
    if not bwrap:
        raise FileNotFoundError("bwrap (Debian's bubblewrap) was not found on PATH")
    cmd: list[str] = []
    if jail.cgroup_procs:
        cmd += ["/bin/sh", "-c", _JOIN_EXEC, "twinbook-join", *jail.cgroup_procs, "--"]
    prlimit = shutil.which("prlimit")
    if jail.rlimits and prlimit:
        cmd.append(prlimit)
        for name, value in jail.rlimits.items():
            soft, hard = value if isinstance(value, tuple) else (value, value)
            cmd.append(f"--{name}={soft}:{hard}")
        cmd.append("--")
    cmd += [bwrap, "--die-with-parent", "--new-session", "--hostname", jail.hostname]
    if jail.uid is not None:  # root: no user namespace, setpriv drops to the slot's uid
        cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        cmd += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        cmd += ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    if jail.seccomp_fd is not None:
        cmd += ["--seccomp", str(jail.seccomp_fd)]
    if jail.status_fd is not None:
        cmd += ["--json-status-fd", str(jail.status_fd)]
    cmd += _root_args(jail)
    cmd.append("--")
    if jail.uid is not None:
        setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
        cmd += [
            setpriv,
            f"--reuid={jail.uid}",
            f"--regid={jail.uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--no-new-privs",
            "--",
        ]
    cmd += list(jail.argv)
    return cmd
