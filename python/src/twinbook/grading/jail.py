"""The sandbox's init process: builds the jail's file system, drops privileges, runs the payload.

The grader (:mod:`twinbook.grading.sandbox`) starts this script as the first process of
fresh namespaces::

    unshare --net --mount --pid --ipc --uts --fork --kill-child [--user --map-root-user] \\
        python -I -S jail.py CONFIG_JSON

so it is pid 1 of a new pid namespace (when it exits, the kernel kills every process left
in the namespace), root of a private mount namespace and alone in a network namespace
with only a loopback device that is down. It then

1. mounts a small tmpfs as the new root and, inside it, binds read-only only what the run
   needs (system libraries, the interpreter, the run's inputs), a few device nodes, and a
   size-limited tmpfs as the only writable folder (``/sandbox/work``, plus ``/tmp``);
   everything else on the machine (the repository, solutions, hidden tests, other students'
   submissions, the grader's output, ``$HOME``, other slots' folders) simply does not exist
   in the jail; paths it is told to hide get an empty tmpfs on top as well;
2. makes the new root read-only and ``chroot``\\ s into it;
3. forks the payload, which sets its resource limits, renumbers the inherited pipes to
   fds 3 (events) and 4 (nonce) and ``exec``\\ s ``setpriv`` to drop to the slot's
   unprivileged uid with no capabilities, no supplementary groups and ``no_new_privs``;
4. waits for the payload, reaps orphans, and reports how the payload ended on its own
   status pipe, which the payload never holds; past its own deadline (the grader's plus a
   second, in case the grader died) it kills every process in the namespace.

The script uses the standard library only and runs before anything untrusted: it is the
trusted half of the sandbox. Configuration comes as one JSON argument (no secrets in it:
the nonce travels through a pipe).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import resource
import signal
import sys
from typing import Any

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21

# statvfs f_flag bits (ST_*) and the mount flags they stand for: a remount of a bind mount
# must keep the flags the kernel locked on the original (in a user namespace it fails otherwise)
_ST_TO_MS = {
    1: MS_RDONLY,
    2: MS_NOSUID,
    4: MS_NODEV,
    8: MS_NOEXEC,
    1024: MS_NOATIME,
    2048: MS_NODIRATIME,
    4096: MS_RELATIME,
}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]


def fail(message: str) -> None:
    """Report a setup failure on the status pipe and stderr, and stop."""
    sys.stderr.write(f"twinbook jail: {message}\n")
    raise SystemExit(125)


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:

    def enc(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None

    if _libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        fail(f"mount {source} on {target} ({fstype or 'bind'}): {os.strerror(err)}")


def locked_flags(path: str) -> int:
    flags = 0
    st = os.statvfs(path).f_flag
    for st_bit, ms_bit in _ST_TO_MS.items():
        if st & st_bit:
            flags |= ms_bit
    return flags


def submounts(root: str) -> list[str]:
    """Mount points at or below ``root`` (from /proc/self/mountinfo), outermost first."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            point = line.split()[4].encode().decode("unicode_escape")
            if point == root or point.startswith(root.rstrip("/") + "/"):
                found.append(point)
    return sorted(set(found), key=len)


def make_parent(path: str) -> None:
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)


def bind(source: str, target: str, *, readonly: bool, device: bool = False) -> None:
    """Bind ``source`` at ``target`` (created in the jail's tmpfs); read-only binds are
    remounted read-only, nosuid and nodev, submounts included."""
    if os.path.islink(source) and not device:
        # /bin -> usr/bin on merged-/usr systems: the same link, resolved inside the jail
        make_parent(target)
        os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        make_parent(target)
        with open(target, "a"):
            pass
    mount(source, target, None, MS_BIND | MS_REC)
    extra = MS_NOSUID | (MS_RDONLY if readonly else 0) | (0 if device else MS_NODEV)
    for point in submounts(target):
        mount(None, point, None, MS_REMOUNT | MS_BIND | extra | locked_flags(point))


def tmpfs(target: str, options: str, flags: int = MS_NOSUID | MS_NODEV) -> None:
    os.makedirs(target, mode=0o755, exist_ok=True)
    mount("tmpfs", target, "tmpfs", flags, options)


def build_root(cfg: dict[str, Any]) -> str:
    root: str = cfg["root"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks to the host
    tmpfs(root, "size=1m,nr_inodes=4096,mode=0755")

    def inside(p: str) -> str:
        return os.path.join(root, p.lstrip("/"))

    # /tmp first: the repository or its virtualenv may live under /tmp (a CI clone does),
    # and a tmpfs mounted after their binds would cover them.
    tmpfs(inside("/tmp"), f"size={cfg['work_bytes']},nr_inodes=4096,mode=1777")
    for source, target in cfg["ro_binds"]:
        if os.path.lexists(source):
            bind(source, inside(target), readonly=True)
    for source, target in cfg["dev_binds"]:
        if os.path.exists(source):
            bind(source, inside(target), readonly=False, device=True)
    uid, gid = cfg["uid"], cfg["gid"]
    tmpfs(
        inside(cfg["work"]),
        f"size={cfg['work_bytes']},nr_inodes=4096,mode=0700,uid={uid},gid={gid}",
    )
    for path in cfg["hide"]:
        target = inside(path)
        if os.path.isdir(target) and not os.path.islink(target):
            mount(
                "tmpfs",
                target,
                "tmpfs",
                MS_NOSUID | MS_NODEV | MS_RDONLY,
                "size=4k,nr_inodes=8,mode=0755",
            )
    mount(
        None,
        root,
        None,
        MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | locked_flags(root),
    )
    return root


def set_limits(limits: dict[str, Any]) -> None:
    """Set the payload's rlimits; without the privilege to raise a hard limit (a grader
    that is not root), stay at the current one."""
    for name, value in limits.items():
        which = getattr(resource, name)
        soft, hard = value if isinstance(value, list) else (value, value)
        try:
            resource.setrlimit(which, (soft, hard))
        except (
            ValueError,
            PermissionError,
        ):  # raising a hard limit needs root outside any namespace
            _, current = resource.getrlimit(which)
            resource.setrlimit(which, (min(soft, current), current))


def run_payload(cfg: dict[str, Any], fds: dict[int, int]) -> int:
    """Fork the payload; return its pid. ``fds`` maps inherited fds to their numbers in the payload."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setsid()
        # renumber: move every source out of the way (fds >= 100) first, then dup2 into place
        staged = {fcntl.fcntl(src, fcntl.F_DUPFD_CLOEXEC, 100): dst for src, dst in fds.items()}
        for fd in list(fds):
            os.close(fd)
        for src, dst in staged.items():
            os.dup2(src, dst, inheritable=True)
            os.close(src)
        os.closerange(max(fds.values(), default=2) + 1, 1 << 16)
        set_limits(cfg["rlimits"])
        os.chdir(cfg["work"])
        os.execve(
            cfg["setpriv"], [cfg["setpriv"], *cfg["setpriv_args"], "--", *cfg["argv"]], cfg["env"]
        )
    except BaseException as exc:  # noqa: BLE001 - report and never return into the init's code
        os.write(2, f"twinbook jail: cannot start {cfg['argv'][0]}: {exc}\n".encode())
    os._exit(126)


def main(argv: list[str]) -> int:
    cfg = json.loads(argv[1])
    status_fd = cfg["status_fd"]
    os.set_inheritable(status_fd, False)
    root = build_root(cfg)
    os.chroot(root)
    os.chdir("/")
    pid = run_payload(cfg, {cfg["events_fd"]: 3, cfg["nonce_fd"]: 4})
    os.close(cfg["events_fd"])
    os.close(cfg["nonce_fd"])
    # a backstop for the grader's own timer (should the grader die): at the deadline, kill
    # every process of the namespace but this one
    signal.signal(signal.SIGALRM, lambda *_: os.kill(-1, signal.SIGKILL))
    signal.alarm(max(1, int(cfg["deadline"]) + 1))
    # reap everything; stop when the payload itself is gone (exiting kills the rest)
    status, cpu = None, None
    while status is None:
        try:
            done, raw, usage = os.wait4(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            break
        if done == pid:
            status, cpu = raw, usage.ru_utime + usage.ru_stime
    report: dict[str, Any] = {"event": "exit", "cpu": cpu}
    if status is not None and os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        report.update(
            signal=signal.Signals(sig).name
            if sig in signal.Signals._value2member_map_
            else str(sig)
        )
    elif status is not None:
        report.update(code=os.waitstatus_to_exitcode(status))
    try:
        os.write(status_fd, (json.dumps(report) + "\n").encode())
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
