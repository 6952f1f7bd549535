"""Student ids that are safe everywhere a report puts them.

A student id comes from a file name in SUBMISSIONS, which the student (or the learning
platform) chose: it may hold newlines, terminal escape sequences, bidi overrides, ``|``,
``<script>``, a leading ``=`` that a spreadsheet runs as a formula, or be 250 bytes long.
Every report uses the id as a file name and prints it into Markdown, HTML, CSV and the
terminal, so the grader replaces it once, when the submission is found, by a safe one:

* letters and digits (any script), ``.``, ``_`` and ``-`` are kept, anything else becomes
  ``_``; the first character must be a letter, a digit or ``_``;
* an id that had to change, or is longer than :data:`MAX_LEN`, is cut to :data:`MAX_ID`
  characters and gets ``-`` and 10 hex digits of the SHA-256 of the original name
  appended, so two different names never end up as the same id (and a safe id is its own
  safe id).

An id that is already safe is kept as it is (``alice``, ``bob.smith``, ``zoë-2``).
"""

from __future__ import annotations

import hashlib
import unicodedata

MAX_ID = 48  # characters kept of a name that needs a hash
MAX_LEN = MAX_ID + 11  # the longest id; with ".html" at most 4*59+5 bytes, under 255
_KEEP = "._-"


def _safe_char(c: str) -> bool:
    # isalnum() is true for letters and digits of any script and false for every control,
    # format (bidi overrides, zero-width) and punctuation character.
    return c.isalnum() or c in _KEEP


def safe_id(name: str) -> str:
    """The id to use for the entry ``name`` (see the module's docstring)."""
    text = unicodedata.normalize("NFC", name)
    cleaned = "".join(c if _safe_char(c) else "_" for c in text)
    if cleaned and not (cleaned[0].isalnum() or cleaned[0] == "_"):
        cleaned = "_" + cleaned[1:]
    if cleaned == name and 0 < len(cleaned) <= MAX_LEN:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{cleaned[:MAX_ID] or '_'}-{digest}"


def is_safe(name: str) -> bool:
    """Whether ``name`` is its own safe id."""
    return safe_id(name) == name


def plain(text: str) -> str:
    """Text for one line of a terminal or a report: control and format characters (escape
    sequences, newlines, bidi overrides) and the surrogates that stand for a file name's
    bytes that were not UTF-8 (which no UTF-8 report can hold) replaced by U+FFFD."""
    return "".join(
        "\ufffd" if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c for c in text
    )
