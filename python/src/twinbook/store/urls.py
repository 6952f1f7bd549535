"""What a store URL names: the dialect, and the named errors of a store."""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path

ENV_VAR = "TWINBOOK_PG"
"""The environment variable that points the chapter's code and tests at a PostgreSQL
server: a URL, ``postgres://user@host:port/database``."""


class StoreError(Exception):
    """Something is wrong with a store: the message names what (a bad URL, a server that
    does not answer, a transaction inside a transaction)."""


class BadURLError(StoreError):
    """A URL that names no store :func:`~twinbook.store.connect` can open."""


class BusyError(StoreError):
    """SQLite's one write lock stayed taken by this process's other transactions for
    longer than :data:`~twinbook.store.WRITER_WAIT`."""


class Dialect(StrEnum):
    """The SQL dialect of a store; the few statements that differ (claiming rows,
    upserts, time functions) switch on it."""

    SQLITE = "sqlite"
    POSTGRES = "postgres"


def from_env() -> str | None:
    """``TWINBOOK_PG``'s URL, or None when it is unset or empty."""
    url = os.environ.get(ENV_VAR, "").strip()
    return url or None


def default_url(directory: str | os.PathLike[str]) -> str:
    """The store a program uses when told nothing else: ``TWINBOOK_PG``'s server when it
    is set, else the SQLite file ``twinbook.db`` in ``directory``."""
    return from_env() or f"sqlite:{Path(directory) / 'twinbook.db'}"


def redact(url: str) -> str:
    """``url`` with its password hidden, for messages."""
    return re.sub(r"^([a-z]+://[^:/@]*):[^@/]*@", r"\1:xxxxx@", url)


def parse(url: str) -> tuple[Dialect, str]:
    """The dialect ``url`` names and its target (the SQLite path or the PostgreSQL URL).
    Raises :class:`BadURLError` naming what is wrong."""
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:")
        if not path:
            raise BadURLError(f"{url!r} has no file path (sqlite:PATH)")
        if "?" in path:
            raise BadURLError(f"{url!r}: a path with '?' would be read as options")
        if path == ":memory:" or path.startswith("file:"):
            raise BadURLError(
                f"{url!r}: only a file path is supported (each thread's connection would "
                "see its own in-memory database)"
            )
        return Dialect.SQLITE, path
    if url.startswith(("postgres://", "postgresql://")):
        return Dialect.POSTGRES, url
    raise BadURLError(f"{redact(url)!r}: want sqlite:PATH or postgres://...")
