"""The seccomp filter of the grader's jail: system calls a test run never needs fail with EPERM.

bubblewrap installs the filter (``bwrap --seccomp FD``) just before it runs the payload, so
it binds everything the jail's own setup does and nothing of it. The filter is generated
with libseccomp (Debian's ``libseccomp2``) through ``pyseccomp`` (ctypes bindings, pinned
in python/pyproject.toml) and exported as classic BPF once per grader process.

What it refuses and why (the list follows Docker's default profile, which blocks the same
calls for containers):

* the kernel keyrings (``add_key``, ``keyctl``, ``request_key``): keyrings belong to a
  uid and are not namespaced, so one run could leave hidden test text there for the next
  run of the same slot to read;
* new namespaces and joining others (``unshare``, ``setns``, ``clone``/``clone3`` with
  namespace flags): the jail's namespaces are fixed by bubblewrap, and a user namespace
  would give the payload capabilities over its own;
* mounting and moving the root (``mount``, ``umount2``, the new mount API, ``pivot_root``,
  ``chroot``);
* looking into or changing other processes (``ptrace``, ``process_vm_readv``/``writev``,
  ``kcmp``, ``pidfd_getfd``);
* kernel features with a long history of exploits that a test never needs: ``bpf``,
  ``perf_event_open``, ``userfaultfd``, ``io_uring_*``, ``kexec_*``, module loading,
  ``personality`` (except the query), ``open_by_handle_at``, NUMA policy, quotas, swap,
  clocks, ``reboot``, ``acct``, ``syslog``, ``iopl``/``ioperm``.

They fail with EPERM rather than killing the process, so a test that tries one gets a
clear ``PermissionError``/``operation not permitted`` in its feedback. ``clone3`` gets
ENOSYS instead: seccomp cannot look into its argument structure, and on ENOSYS the C
library falls back to ``clone``, whose flags the filter does check (Docker does the same).
System calls of another architecture (32-bit x86 on x86-64) are not in the filter's
architecture list and kill the process: nothing a test runs uses them.
"""

from __future__ import annotations

import errno
import functools
import os
import tempfile

#: refused with EPERM whatever the arguments
BLOCKED = (
    # keyrings: not namespaced, they outlive the run
    "add_key",
    "keyctl",
    "request_key",
    # namespaces
    "unshare",
    "setns",
    # mounts and the root
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    # other processes
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "process_madvise",
    # kernel attack surface a test never needs
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "get_mempolicy",
    "set_mempolicy",
    "mbind",
    "move_pages",
    "quotactl",
    "quotactl_fd",
    "swapon",
    "swapoff",
    "acct",
    "reboot",
    "syslog",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "iopl",
    "ioperm",
    "uselib",
    "ustat",
    "sysfs",
    "vhangup",
    "nfsservctl",
)

#: clone(2) flags that make a namespace: clone with any of them is refused
NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)
PERSONALITY_QUERY = 0xFFFFFFFF  # personality(0xffffffff) only reads the current persona


class SeccompUnavailable(RuntimeError):
    """libseccomp (or its Python bindings) is missing: the jail cannot get its filter."""


@functools.cache
def bpf() -> bytes:
    """The filter as classic BPF, the format ``bwrap --seccomp`` reads."""
    try:
        import pyseccomp as sc  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # pyseccomp loads libseccomp.so.2 on import
        raise SeccompUnavailable(f"libseccomp is not available: {exc}") from exc
    perm = sc.ERRNO(errno.EPERM)
    flt = sc.SyscallFilter(sc.ALLOW)
    for name in BLOCKED:
        try:
            flt.add_rule(perm, name)
        except (OSError, ValueError, RuntimeError):  # a call this kernel/libseccomp does not know
            continue
    for flag in NAMESPACE_FLAGS:
        flt.add_rule(perm, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    flt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    flt.add_rule(perm, "personality", sc.Arg(0, sc.NE, PERSONALITY_QUERY))
    with tempfile.TemporaryFile() as out:
        flt.export_bpf(out)
        out.flush()
        out.seek(0)
        return out.read()


def filter_fd() -> int:
    """A fresh memfd holding :func:`bpf`, positioned at its start (bwrap reads it to the
    end). The caller passes it to the jail and closes it."""
    data = bpf()
    fd = os.memfd_create("twinbook-seccomp", 0)  # not CLOEXEC: the jail inherits it
    try:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError:
        os.close(fd)
        raise
    return fd
