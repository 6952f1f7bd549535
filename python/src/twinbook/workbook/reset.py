"""``twinbook reset``: start an exercise over.

Each answer cell of a learner's notebook carries the stub it was generated with (its
``metadata.twinbook.stub``, :data:`twinbook.exercises.notebook.STUB_KEY`), so the learner's
copy can be put back with no other file: a student edition is no git repository, and a
folder unzipped from the book's downloads has nothing beside the notebook. Before the
answer cells are replaced, the notebook as it was is copied into
``exercises/.twinbook/backups/`` (the learner's work is never lost to a reset). A notebook
made before answer cells carried their stub is put back from git when it is tracked there,
else left alone with a reason. The exercise's recorded checks and revealed hints are
forgotten either way.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from twinbook.exercises.model import Exercise
from twinbook.exercises.notebook import (
    STUB_KEY,
    cell_role,
    read_answer_stubs,
    read_notebook,
    write_notebook,
)

from .progress import STATE_DIR, Progress, tree_of

BACKUPS = "backups"


@dataclass(frozen=True)
class Reset:
    """What ``reset`` did for one language of an exercise."""

    language: str
    notebook: Path
    restored: bool  # the answer cells are the stub again
    backup: Path | None = None  # the learner's notebook as it was, when it held their cells
    why_not: str = ""  # why the notebook could not be restored

    def describe(self, shown: Callable[[Path], str] = str) -> str:
        if not self.restored:
            return f"progress and hints forgotten; notebook left as it is ({self.why_not})"
        kept = f"your cells are kept in {shown(self.backup)}" if self.backup else "it was untouched"
        return f"answer cells back to the stub in {shown(self.notebook)} ({kept})"


def backup_path(exercise: Exercise, language: str, when: _dt.datetime | None = None) -> Path:
    """Where the learner's notebook goes before a reset:
    ``<tree>/.twinbook/backups/<chapter>/<NN-slug>/<language>/<name>-<time>.ipynb``."""
    notebook = exercise.lang(language).notebook_path
    stamp = (when or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = tree_of(exercise) / STATE_DIR / BACKUPS / exercise.id / language
    path = folder / f"{notebook.stem}-{stamp}{notebook.suffix}"
    n = 2
    while path.exists():  # two resets within a second
        path = folder / f"{notebook.stem}-{stamp}-{n}{notebook.suffix}"
        n += 1
    return path


def restore_answers(notebook: Path) -> bool:
    """Put every answer cell of ``notebook`` back to its stub (outputs cleared); False when
    an answer cell carries no stub (nothing is changed then)."""
    nb = read_notebook(notebook)
    answers = [c for c in nb.cells if c.cell_type == "code" and cell_role(c) == "answer"]
    if not answers or any(
        not isinstance(c.metadata["twinbook"].get(STUB_KEY), str) for c in answers
    ):
        return False
    for cell in answers:
        cell.source = cell.metadata["twinbook"][STUB_KEY]
        cell.outputs = []
        cell.execution_count = None
    write_notebook(nb, notebook)
    return True


def _git_restore(path: Path) -> bool:
    git = shutil.which("git")
    if git is None:
        return False
    tracked = subprocess.run(
        [git, "-C", str(path.parent), "ls-files", "--error-unmatch", path.name],
        capture_output=True,
    )
    if tracked.returncode != 0:
        return False
    restored = subprocess.run(
        [git, "-C", str(path.parent), "checkout", "--", path.name], capture_output=True
    )
    return restored.returncode == 0


def reset_one(exercise: Exercise, language: str) -> Reset:
    """Back up the learner's notebook (when its answer cells are theirs) and restore its
    answer cells; see the module doc."""
    notebook = exercise.lang(language).notebook_path
    pairs = read_answer_stubs(notebook)  # ValueError: not a readable notebook
    if not pairs or any(stub is None for _, stub in pairs):
        backup = _backup(exercise, language)
        if _git_restore(notebook):
            return Reset(language, notebook, True, backup)
        backup.unlink()
        return Reset(
            language,
            notebook,
            False,
            why_not="its answer cells do not hold their stub: download it again from the book",
        )
    if all(source == stub for source, stub in pairs):
        restore_answers(notebook)  # the outputs of a run stub go too
        return Reset(language, notebook, True)
    backup = _backup(exercise, language)
    restore_answers(notebook)
    return Reset(language, notebook, True, backup)


def _backup(exercise: Exercise, language: str) -> Path:
    backup = backup_path(exercise, language)
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(exercise.lang(language).notebook_path, backup)
    return backup


def reset(exercise: Exercise, languages: list[str]) -> list[Reset]:
    """Restore the exercise's notebooks in these languages and forget their progress."""
    done = [reset_one(exercise, language) for language in languages]
    Progress.load(tree_of(exercise)).forget(exercise.id, languages)
    return done
