"""Assignments: which exercises one grading covers.

A TOML file kept by the instructor::

    name = "Week 3: concurrency"
    exercises = ["ch01-concurrency/01-worker-pool", "02-pipeline"]   # ids or NN-slugs
    # or, instead of exercises, a whole chapter (or several):
    chapters = ["ch01-concurrency"]

``twinbook grade --assignment week3.toml`` grades those; ``--chapter ch01-concurrency``
grades a chapter without a file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .formats import FormatError


@dataclass(frozen=True)
class Assignment:
    name: str
    exercises: tuple[str, ...] = ()
    chapters: tuple[str, ...] = ()


def load_assignment(path: Path) -> Assignment:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormatError(path, None, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(path, None, None, f"cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise FormatError(
            path, line, None, f"not valid TOML ({str(exc).split(' (at')[0]})"
        ) from None
    for key in data:
        if key not in ("name", "exercises", "chapters"):
            raise FormatError(path, None, key, "unknown key (known: name, exercises, chapters)")
    name = data.get("name", path.stem)
    if not isinstance(name, str):
        raise FormatError(path, None, "name", "must be a string")
    lists = {}
    for key in ("exercises", "chapters"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise FormatError(path, None, key, "must be a list of non-empty strings")
        lists[key] = tuple(value)
    if not lists["exercises"] and not lists["chapters"]:
        raise FormatError(path, None, "exercises", "name at least one exercise or chapter")
    return Assignment(name, lists["exercises"], lists["chapters"])
