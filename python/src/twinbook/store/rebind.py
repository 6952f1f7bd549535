"""``?`` placeholders written for PostgreSQL: ``$1``, ``$2``... (psycopg's raw cursors
take them as the server does, so a ``%`` in the SQL needs no escaping)."""

from __future__ import annotations

import re

_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")


def rebind_dollar(sql: str) -> str:
    """``sql`` with each ``?`` placeholder written ``$1``, ``$2``... in order. A ``?``
    inside a ``'...'`` string, a ``"..."`` identifier, a ``$tag$...$tag$`` string or a
    ``--`` or ``/* */`` comment is left alone. Not supported: PostgreSQL's jsonb operators
    ``?``, ``?|`` and ``?&`` (they would be taken for placeholders; use ``jsonb_exists``
    and its kin) and ``E'...'`` strings with a backslash-escaped quote. The same rules as
    Go's ``store.RebindDollar``."""
    if "?" not in sql:
        return sql
    out: list[str] = []
    n, i, size = 0, 0, len(sql)
    while i < size:
        c = sql[i]
        if c == "?":
            n += 1
            out.append(f"${n}")
            i += 1
        elif c in "'\"":
            end = _skip_quoted(sql, i, c)
            out.append(sql[i:end])
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = size if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = size if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif c == "$" and (tag := _DOLLAR_TAG.match(sql, i)) is not None:
            close = sql.find(tag.group(), tag.end())
            end = size if close < 0 else close + len(tag.group())
            out.append(sql[i:end])
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _skip_quoted(sql: str, start: int, quote: str) -> int:
    """The index just past the quoted text opened at ``sql[start]`` (a doubled quote is
    an escaped one); ``len(sql)`` when it never closes."""
    j = start + 1
    while j < len(sql):
        if sql[j] == quote:
            if j + 1 < len(sql) and sql[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return len(sql)
