"""Chapter 1 and its first exercise tell the learner the same story.

The exercise (``map_limited`` / ``MapLimited``) stops at the first error and its hint 2
starts one thread per item; the chapter's ``Ordered`` runs every call and reports every
failure, and its Python pool runs ``limit`` worker threads. Both are right, for different
jobs, and each side must say so instead of contradicting the other. And where the chapter
says that ``queue.Queue`` has no close, it names the one Python 3.13 added.
"""

from __future__ import annotations

import json
import re
import tomllib

from book_site import BOOK, ROOT

CHAPTER = BOOK / "chapters" / "ch01-concurrency.md"
EXERCISE = ROOT / "solutions" / "ch01-concurrency" / "01-worker-pool"


def _pool_section() -> str:
    text = CHAPTER.read_text(encoding="utf-8")
    return text[text.index("(ch01-pool)=") : text.index("(ch01-pipeline)=")]


def _task(language: str) -> str:
    folder = "python" if language == "python" else "go"
    notebook = next((EXERCISE / folder).glob("*.ipynb"))
    cell = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
    return "".join(cell["source"])


def test_chapter_names_both_error_policies_and_the_exercise_takes_one() -> None:
    section = " ".join(_pool_section().split())
    assert "every call runs" in section, "the chapter's Ordered runs every call"
    assert re.search(r"stop\W+at the first error", section, re.I), (
        "the chapter's pool section should name the other policy, stopping at the first "
        "error, which the chapter's first exercise asks for"
    )
    assert "first exercise" in section
    for language in ("python", "go"):
        task = " ".join(_task(language).split())
        assert re.search(r"stops at the first error", task), (
            f"the {language} task should say it stops at the first error"
        )
        assert re.search(r"runs every call", task), (
            f"the {language} task should say how it differs from the chapter's Ordered"
        )


def test_chapter_and_hint_agree_on_one_thread_per_item() -> None:
    hints = tomllib.loads((EXERCISE / "exercise.toml").read_text(encoding="utf-8"))["hints"]
    assert any("one thread" in hint and "per item" in hint for hint in hints), hints
    section = " ".join(_pool_section().split())
    assert "too heavy to start one per item" not in section, (
        "the chapter calls one thread per item too heavy while hint 2 recommends it"
    )
    assert re.search(r"one thread per item[^.]*fine", section), (
        "the chapter should say when one thread per item is fine (the exercise's case)"
    )


def test_chapter_mentions_queue_shutdown_where_it_says_a_queue_cannot_be_closed() -> None:
    text = " ".join(CHAPTER.read_text(encoding="utf-8").split())
    at = text.index("It has no *close*")
    assert "Queue.shutdown()" in text[at : at + 300] and "3.13" in text[at : at + 300], (
        "where the chapter says queue.Queue has no close, it names Python 3.13's shutdown()"
    )
