"""The audit hook of grader mode: a net under the restricted answer, not the wall.

Vetting (:mod:`twinbook.runner.vet`) rejects answers before anything runs, and the
grader's test process (``python -m twinbook.runner.pyrunner --contain``) runs the answer
in a restricted language subset and a namespace of its own (:mod:`.restricted`: what the
answer can reach at all). This module adds, in the same process:

* :func:`install_audit_hook` adds a :func:`sys.addaudithook` hook, before the answer is
  imported, that refuses for everyone: starting or signalling processes, ``ctypes``,
  network sockets (``AF_UNIX`` socket pairs, which asyncio needs, are fine), writing or
  changing files outside the run's scratch folder, ``gc`` object walks, ``marshal``,
  ``pickle`` class lookups, ``input``/``breakpoint``, new audit hooks, tracing; and, when the
  code that asks is the answer's own: opening any file, frame and code introspection
  (``object.__getattr__`` events), ``compile``/``exec``, ``sys._getframe`` and imports of
  modules the exercise does not allow. A refusal raises :class:`PermissionError` in the
  code that asked.

The hook lives in the same interpreter as the student's code and decides "who asks" from
a frame's file name, so it is a net, not a wall: the walls are the restricted subset and
the operating system sandbox (see :mod:`twinbook.grading.sandbox`).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class SandboxViolation(PermissionError):
    """Raised in the answer's code when it does something the sandbox forbids."""


# --- the audit hook -----------------------------------------------------------------------------

_DENY_PREFIXES = (
    "ctypes.",
    "subprocess.",
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "os.fork",
    "pty.",
    "_posixsubprocess.",
    "winreg.",
    "msvcrt.",
    "syslog.",
    "urllib.",
    "http.",
    "ftplib.",
    "smtplib.",
    "imaplib.",
    "poplib.",
    "nntplib.",
    "telnetlib.",
    "webbrowser.",
    "gc.get_",
    "resource.",
    "sqlite3.",
    "mmap.",
)
_DENY = {
    "os.system",
    "os.kill",
    "os.killpg",
    "os.chroot",
    "os.setuid",
    "pickle.find_class",
    "builtins.input",
    "builtins.breakpoint",
    "sys.addaudithook",
    "sys.settrace",
    "sys.setprofile",
    "sys._current_frames",
    "signal.pthread_kill",
    "socket.connect",
    "socket.bind",
    "socket.sendto",
    "socket.sendmsg",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyname_ex",
    "socket.gethostbyaddr",
    "socket.getnameinfo",
    "socket.sethostname",
    "socket.getservbyname",
    "socket.getservbyport",
    "os.add_dll_directory",
    "os.startfile",
}
# events whose first argument (and for some the second) is a path that must be in scratch
_PATH_EVENTS = {
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.link",
    "os.symlink",
    "os.truncate",
    "os.utime",
    "os.chflags",
    "os.lchflags",
    "os.mkfifo",
    "os.mknod",
    "os.setxattr",
    "os.removexattr",
    "os.chdir",
    "shutil.copyfile",
    "shutil.copymode",
    "shutil.copystat",
    "shutil.copytree",
    "shutil.move",
    "shutil.rmtree",
    "shutil.chown",
    "shutil.make_archive",
    "shutil.unpack_archive",
    "tempfile.mkstemp",
    "tempfile.mkdtemp",
}
_TWO_PATHS = {
    "os.rename",
    "os.link",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.move",
    "shutil.copymode",
    "shutil.copystat",
}
# refused when the answer's own code asks
_DENY_FROM_ANSWER = {
    "object.__getattr__",
    "object.__delattr__",
    "sys._getframe",
    "sys._getframemodulename",
    "compile",
    "exec",
    "open",
    "os.listdir",
    "os.scandir",
    "glob.glob",
    "glob.glob/2",
    "code.__new__",
    "function.__new__",
    "os.walk",
    "os.fwalk",
    "os.putenv",
    "os.unsetenv",
    "marshal.loads",
    "marshal.load",
    "marshal.dumps",
    "marshal.dump",
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _module_allowed(name: str, allowed: frozenset[str]) -> bool:
    """A listed module, one of its submodules, or a parent package of a listed one: importing
    ``concurrent.futures`` imports ``concurrent`` first (what the answer may then read from
    a parent is the restricted loader's business, see :mod:`.restricted.guards`)."""
    parts = name.split(".")
    return any(".".join(parts[: i + 1]) in allowed for i in range(len(parts))) or any(
        entry.startswith(name + ".") for entry in allowed
    )


def install_audit_hook(
    answer_file: str | Path | Sequence[str | Path],
    scratch: str | Path,
    allowed_imports: list[str] | tuple[str, ...],
) -> None:
    """Add the sandbox's audit hook to this interpreter (it cannot be removed).

    ``answer_file``: the answer's file, or every answer's file in a batch (each answer's
    own allowlist is enforced by its restricted loader; ``allowed_imports`` is then the
    union)."""
    answer_files = frozenset(
        [str(answer_file)] if isinstance(answer_file, (str, Path)) else map(str, answer_file)
    )
    scratch_dir = os.path.realpath(str(scratch))
    allowed = frozenset(allowed_imports) | {"__future__"}
    local = threading.local()
    getframe = sys._getframe
    realpath = os.path.realpath
    af_unix = socket.AF_UNIX

    def in_scratch(path: Any) -> bool:
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return False  # a file descriptor or something stranger
        full = realpath(path)
        return full == scratch_dir or full.startswith(scratch_dir + os.sep) or full == os.devnull

    def caller_is_answer(event: str) -> bool:
        # 0: this function, 1: _check, 2: hook, 3: the code that raised the event
        frame: types.FrameType | None = getframe(3)
        if event == "import":
            while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
                frame = frame.f_back
        return frame is not None and frame.f_code.co_filename in answer_files

    def deny(event: str, what: str = "") -> None:
        raise SandboxViolation(f"twinbook sandbox: {what or event} is not allowed")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if getattr(local, "busy", False):
            return
        local.busy = True
        try:
            _check(event, args)
        finally:
            local.busy = False

    def _check(event: str, args: tuple[Any, ...]) -> None:
        if event in _DENY or event.startswith(_DENY_PREFIXES):
            deny(event)
        if event == "socket.__new__" and len(args) > 1 and args[1] not in (af_unix, -1):
            deny(event, "a network socket")
        if event == "open":
            path, mode, flags = (list(args) + [None, None, None])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and not in_scratch(path):
                deny(event, f"writing {path!r}")
        elif event in _PATH_EVENTS:
            if event == "os.symlink":
                paths = list(args[1:2])  # where the link goes; opening it later resolves its target
            elif event in _TWO_PATHS:
                paths = list(args[:2])
            else:
                paths = list(args[:1])
            if not paths or not all(in_scratch(p) for p in paths):
                deny(event, f"{event} outside the scratch folder")
        if event in _DENY_FROM_ANSWER or event == "import":
            if not caller_is_answer(event):
                return
            if event == "import":
                name = args[0] if args and isinstance(args[0], str) else ""
                if not _module_allowed(name, allowed):
                    deny(event, f"importing {name}")
                return
            deny(event, f"{event} from the answer's code")

    sys.addaudithook(hook)
