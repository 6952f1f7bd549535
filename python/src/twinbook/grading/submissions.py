"""A class's submissions: find the students, open zips safely, read their notebooks.

SUBMISSIONS holds one entry per student: a folder (a copy of the learner's ``exercises/``
or of the whole repository) or a ``.zip`` file, as learning platforms export them. The
student id is the entry's name (a zip's without ``.zip``). Entries whose names start with
a dot are ignored; other files are reported and ignored.

A notebook is looked up by the exercise's id and the notebook path of ``exercise.toml``
under a few roots, the first that has it wins::

    <entry>/exercises/<id>/<notebook>      a copy of the whole repository
    <entry>/<id>/<notebook>                a copy of exercises/
    <entry>/<W>/exercises/<id>/<notebook>  the same inside one wrapping folder W
    <entry>/<W>/<id>/<notebook>            (what "download as zip" makes)

Nothing of a submission but its notebooks is ever read. A submission is untrusted:

* a zip is checked as a whole before anything in it is read: a member with an absolute
  path, a ``..`` component, a symlink or another special file, more than
  :data:`MAX_ZIP_FILES` members or more than :data:`MAX_ZIP_BYTES` uncompressed makes the
  whole zip rejected (the student gets an error row, the class goes on); a member is read
  with a byte cap whatever its header claims;
* in a folder, a notebook reached through a symlink (the entry itself, a folder on the
  way, or the file) is refused, so a submission cannot point at the instructor's files;
* a notebook larger than :data:`MAX_NOTEBOOK_BYTES` is refused.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Self

from .ids import plain, safe_id

MAX_ZIP_FILES = 20_000
MAX_ZIP_BYTES = 512 << 20  # total uncompressed size of a zip's members
MAX_NOTEBOOK_BYTES = 16 << 20
_JUNK = ("__MACOSX", ".ipynb_checkpoints")


class SubmissionError(Exception):
    """A submission that cannot be read at all (the message says why, for the student)."""


class NotebookError(Exception):
    """One notebook of a submission is missing or cannot be read (message for the student)."""


@dataclass
class Entry:
    """One student's entry in SUBMISSIONS."""

    student: str  # the safe id (:func:`.ids.safe_id` of the name without ``.zip``)
    path: Path
    kind: str  # "folder" or "zip"
    notes: list[str] = field(default_factory=list)  # problems that do not stop grading


def find_entries(submissions: Path) -> tuple[list[Entry], list[str]]:
    """The students in ``submissions``, sorted by id, and warnings about ignored entries.

    Raises :class:`FileNotFoundError` / :class:`NotADirectoryError` when SUBMISSIONS itself
    is not a folder (the grader cannot run at all).
    """
    if not submissions.exists():
        raise FileNotFoundError(
            f"{submissions}: no such folder (SUBMISSIONS must be a folder of submissions)"
        )
    if not submissions.is_dir():
        raise NotADirectoryError(
            f"{submissions}: not a folder (SUBMISSIONS must be a folder of submissions)"
        )
    by_id: dict[str, list[Entry]] = {}
    warnings: list[str] = []
    for child in sorted(submissions.iterdir(), key=lambda p: p.name):
        name = child.name
        if name.startswith("."):
            continue
        try:
            if child.is_symlink():
                student = name[:-4] if name.lower().endswith(".zip") else name
                by_id.setdefault(safe_id(student), []).append(
                    Entry(safe_id(student), child, "symlink")
                )
            elif child.is_dir():
                by_id.setdefault(safe_id(name), []).append(Entry(safe_id(name), child, "folder"))
            elif child.is_file() and name.lower().endswith(".zip") and len(name) > 4:
                student = safe_id(name[:-4])
                by_id.setdefault(student, []).append(Entry(student, child, "zip"))
            else:
                warnings.append(f"{plain(name)}: ignored (neither a folder nor a .zip file)")
        except OSError as exc:  # a name too long for stat, a vanished entry
            warnings.append(f"{plain(name)}: ignored ({exc.strerror})")
    entries = []
    for student in sorted(by_id):
        found = sorted(by_id[student], key=lambda e: (e.kind != "folder", e.path.name))
        chosen = found[0]
        for other in found[1:]:
            chosen.notes.append(
                f"{plain(other.path.name)} ignored: {plain(chosen.path.name)} was graded"
            )
        entries.append(chosen)
    return entries, warnings


# --- reading a submission ----------------------------------------------------------------


class Submission:
    """Read-only access to the files of one submission by relative POSIX path."""

    def top_level(self) -> list[str]:  # pragma: no cover - interface
        """Names at the top of the submission, folders with a trailing slash."""
        raise NotImplementedError

    def exists(self, rel: str) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def read(self, rel: str) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def roots(self) -> list[str]:
        """Prefixes under which exercises are looked up, in order of preference."""
        top = [t for t in self.top_level() if t.rstrip("/") not in _JUNK and not t.startswith(".")]
        roots = ["exercises/", ""]
        folders = [t for t in top if t.endswith("/")]
        if len(folders) == 1 and not any(t.endswith(".ipynb") for t in top):
            roots += [f"{folders[0]}exercises/", folders[0]]
        return roots

    def locate(self, rel: str) -> str | None:
        """The path of ``rel`` (``<id>/<notebook>``) under the first root that has it."""
        for root in self.roots():
            if self.exists(root + rel):
                return root + rel
        return None

    def mtime(self, rel: str) -> float | None:  # pragma: no cover - interface
        """The modification time of ``rel`` (seconds since the epoch, UTC)."""
        raise NotImplementedError

    def read_notebook(self, rel: str) -> tuple[str, bytes]:
        """(path in the submission, bytes) of the notebook ``<id>/<notebook>``."""
        where = self.locate(rel)
        if where is None:
            raise NotebookError(f"notebook not found: expected exercises/{rel} (or {rel})")
        data = self.read(where)
        self.read_paths.append(where)
        return where, data

    @property
    def read_paths(self) -> list[str]:
        """The notebooks read so far (their times date the submission)."""
        if not hasattr(self, "_read_paths"):
            self._read_paths: list[str] = []
        return self._read_paths


class FolderSubmission(Submission):
    """A submission that is a folder; symlinks are never followed."""

    def mtime(self, rel: str) -> float | None:
        try:
            return os.lstat(self.root / rel).st_mtime
        except OSError:
            return None

    def __init__(self, root: Path):
        if root.is_symlink() or not root.is_dir():
            raise SubmissionError(f"{root.name}: a symlink or not a folder, refused")
        self.root = root

    def top_level(self) -> list[str]:
        out = []
        for child in sorted(self.root.iterdir(), key=lambda p: p.name):
            is_dir = child.is_dir() and not child.is_symlink()
            out.append(child.name + ("/" if is_dir else ""))
        return out

    def exists(self, rel: str) -> bool:
        # lexists: a symlink is "there" (and refused by read, with a clear message)
        return os.path.lexists(self.root / rel)

    def read(self, rel: str) -> bytes:
        path = self.root
        for part in PurePosixPath(rel).parts:
            if part in ("..", "/"):
                raise NotebookError(f"{rel}: refused (not a plain relative path)")
            path = path / part
            try:
                info = os.lstat(path)
            except OSError as exc:
                raise NotebookError(f"{rel}: cannot be read ({exc.strerror})") from None
            if stat.S_ISLNK(info.st_mode):
                raise NotebookError(f"{rel}: refused (a symlink; submit the file itself)")
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"{rel}: refused (not a regular file)")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(
                f"{rel}: refused ({info.st_size} bytes, more than {MAX_NOTEBOOK_BYTES})"
            )
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            raise NotebookError(f"{rel}: cannot be read ({exc.strerror})") from None
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MAX_NOTEBOOK_BYTES + 1)
        if len(data) > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{rel}: refused (more than {MAX_NOTEBOOK_BYTES} bytes)")
        return data


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"{name!r} has an absolute path"
    if ".." in parts:
        return f"{name!r} leaves the archive (a '..' component)"
    if "\x00" in name:
        return f"{name!r} has a NUL byte in its name"
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return f"{name!r} is a symlink"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return f"{name!r} is not a regular file or folder"
    return None


class ZipSubmission(Submission):
    """A submission that is a zip file, checked as a whole when opened."""

    def mtime(self, rel: str) -> float | None:
        """A zip's member time has no zone: it is read as UTC."""
        import calendar

        try:
            return float(calendar.timegm((*self.members[rel].date_time, 0, 0, 0)))
        except (KeyError, ValueError, OverflowError):
            return None

    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise SubmissionError(f"{path.name}: not a valid zip file ({exc})") from None
        try:
            infos = self.zip.infolist()
            if len(infos) > MAX_ZIP_FILES:
                raise SubmissionError(
                    f"{path.name}: rejected: {len(infos)} members, more than {MAX_ZIP_FILES} (a zip bomb?)"
                )
            total = 0
            self.members: dict[str, zipfile.ZipInfo] = {}
            for info in infos:
                problem = _member_problem(info)
                if problem:
                    raise SubmissionError(f"{path.name}: rejected: {problem}")
                total += info.file_size
                if total > MAX_ZIP_BYTES:
                    raise SubmissionError(
                        f"{path.name}: rejected: more than {MAX_ZIP_BYTES >> 20} MiB uncompressed (a zip bomb?)"
                    )
                if info.is_dir():
                    continue
                name = info.filename.replace("\\", "/")
                name = "/".join(p for p in name.split("/") if p not in ("", "."))
                if name.split("/", 1)[0] in _JUNK or "/.ipynb_checkpoints/" in f"/{name}":
                    continue
                if name in self.members:
                    raise SubmissionError(f"{path.name}: rejected: {name!r} appears twice")
                self.members[name] = info
        except BaseException:
            self.zip.close()
            raise

    def top_level(self) -> list[str]:
        return sorted({n.split("/", 1)[0] + ("/" if "/" in n else "") for n in self.members})

    def exists(self, rel: str) -> bool:
        return rel in self.members

    def read(self, rel: str) -> bytes:
        info = self.members[rel]
        if info.file_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(
                f"{rel}: refused ({info.file_size} bytes, more than {MAX_NOTEBOOK_BYTES})"
            )
        try:
            with self.zip.open(info) as fh:
                data = fh.read(MAX_NOTEBOOK_BYTES + 1)  # never trust the header's size
        except (
            zipfile.BadZipFile,
            RuntimeError,
            OSError,
            ValueError,
            NotImplementedError,
            EOFError,
        ) as exc:
            raise NotebookError(f"{rel}: cannot be read from the zip ({exc})") from None
        if len(data) > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{rel}: refused (more than {MAX_NOTEBOOK_BYTES} bytes)")
        return data

    def close(self) -> None:
        self.zip.close()


def open_submission(entry: Entry) -> Submission:
    """Open a student's entry; raises :class:`SubmissionError` with the reason."""
    if entry.kind == "symlink":
        raise SubmissionError(f"{entry.path.name}: a symlink, refused (copy the submission itself)")
    if entry.kind == "zip":
        return ZipSubmission(entry.path)
    return FolderSubmission(entry.path)
