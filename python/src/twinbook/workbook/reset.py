"""``twinbook reset``: start an exercise over.

The exercise's recorded checks and revealed hints are forgotten. Its notebook goes back to
the version the workbook's git checkout holds, when it is tracked there (a learner who
keeps their copy in git); otherwise it is left as it is, since the learner's copy holds no
other original (the book's downloads page has it).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from twinbook.exercises.model import Exercise

from .progress import Progress, tree_of


@dataclass(frozen=True)
class Reset:
    """What ``reset`` did for one language of an exercise."""

    language: str
    notebook: Path
    restored: bool  # the notebook was put back from git


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


def reset(exercise: Exercise, languages: list[str]) -> list[Reset]:
    """Forget the exercise's progress in these languages and restore their notebooks."""
    Progress.load(tree_of(exercise)).forget(exercise.id, languages)
    done = []
    for language in languages:
        notebook = exercise.lang(language).notebook_path
        done.append(Reset(language, notebook, _git_restore(notebook)))
    return done
