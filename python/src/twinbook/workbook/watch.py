"""``twinbook watch``: check an exercise again every time its notebook is saved.

Like rustlings' watch mode: the screen is cleared and shows the check of the notebook just
saved (every test's line), the workbook's progress bar and the next notebook to do (the
first not yet passing, in workbook order). It starts with the exercise named on the
command line, else with the next one to do. Saves that leave the answer cells unchanged
(Jupyter's autosave, outputs only) are ignored. Ctrl-C stops it.

Saves are seen with watchfiles (inotify / FSEvents, polling where those are missing); a
Jupyter save writes a temporary file and renames it over the notebook, which shows up as
"added" or "modified": both count.
"""

from __future__ import annotations

import datetime
import os
import signal
import threading
from pathlib import Path

from rich.console import Console
from rich.text import Text

from twinbook.exercises.model import Exercise, find_exercises, load_exercise

from . import checks
from .progress import Item, Progress, fingerprint, next_item, workbook

Pair = tuple[Exercise, str]


class Watcher:
    """Watch the notebooks of ``targets`` ((exercise folder, language) pairs; default: the
    whole workbook under ``tree``) and check each one again when it is saved."""

    def __init__(
        self,
        tree: Path,
        targets: list[tuple[Path, str]] | None = None,
        *,
        console: Console | None = None,
        clear: bool = True,
    ):
        self.tree = Path(tree).resolve()
        self.console = console or Console(highlight=False)
        self.clear = clear
        self.exercises = find_exercises(self.tree)
        by_folder = {ex.folder: ex for ex in self.exercises}
        if targets:
            self.pairs: list[Pair] = [
                (by_folder.get(Path(folder).resolve()) or load_exercise(folder), lang)
                for folder, lang in targets
            ]
        else:
            self.pairs = [(ex, lang) for ex in self.exercises for lang in ex.languages]
        self.by_notebook = {
            os.path.realpath(ex.lang(lang).notebook_path): (ex, lang) for ex, lang in self.pairs
        }
        self.checked_prints: dict[tuple[str, str], str | None] = {}
        self.runs = 0  # checks run after a save

    # -- what to check
    def first(self) -> Pair | None:
        """The pair to show first: the only target, else the next one to do among the
        watched ones, else the first watched."""
        if len(self.pairs) == 1:
            return self.pairs[0]
        watched = {(ex.id, lang) for ex, lang in self.pairs}
        items = [
            i
            for i in workbook(self.tree, Progress.load(self.tree), self.exercises)
            if (i.exercise.id, i.language) in watched
        ]
        item = next_item(items)
        return (item.exercise, item.language) if item else (self.pairs[0] if self.pairs else None)

    def saved(self, paths: set[str]) -> list[Pair]:
        """The watched pairs among saved paths whose answer changed since their last check."""
        pairs = []
        for path in sorted(paths):
            pair = self.by_notebook.get(os.path.realpath(path))
            if pair is None or pair in pairs:
                continue
            ex, lang = pair
            if (ex.id, lang) in self.checked_prints and fingerprint(
                ex, lang
            ) == self.checked_prints[(ex.id, lang)]:
                continue  # an autosave, outputs only: nothing to check
            pairs.append(pair)
        return pairs

    # -- checking and the screen
    def check(self, pair: Pair) -> checks.Checked:
        ex, lang = pair
        checked = checks.check_one(ex, lang)
        self.checked_prints[(ex.id, lang)] = checked.fingerprint
        progress = checks.record(self.tree, [checked])
        self.show(checked, checks.items_for(self.tree, progress, [checked]))
        return checked

    def show(self, checked: checks.Checked, items: list[Item]) -> None:
        console = self.console
        if self.clear:
            console.clear()
        # the time of the check: a screen that looks the same after a save was still redrawn
        at = datetime.datetime.now().strftime("%H:%M:%S")
        console.print(
            Text.assemble(
                ("twinbook watch", "bold"),
                f" · {checked.exercise.id} ({checked.language})",
                (f" · checked at {at}", "dim"),
            )
        )
        console.print(checks.results_table([checked], console))
        if checked.ok:
            console.print(
                Text(
                    f"✓ {checked.exercise.id} ({checked.language}) passes every visible test.",
                    style="green",
                )
            )
        else:
            console.print()
            console.print(checks.failure_lines(checked, verbose=True), end="", soft_wrap=True)
        console.print()
        console.print(checks.workbook_summary(items), soft_wrap=True)
        console.print()
        console.print(
            Text(
                f"Watching {len(self.pairs)} notebook(s): save one to check it again · Ctrl-C quits",
                style="dim",
            ),
            soft_wrap=True,
        )
        console.file.flush()

    # -- the loop
    def run(
        self,
        *,
        max_runs: int | None = None,
        stop_event: threading.Event | None = None,
        force_polling: bool | None = None,
    ) -> int:
        """Check the first pair, then one check per save until Ctrl-C, ``stop_event`` or
        ``max_runs`` checks after saves. Returns the number of those checks."""
        import watchfiles

        if stop_event is None and threading.current_thread() is threading.main_thread():
            # Ctrl-C sets an event that the watch loop polls every step, instead of a
            # KeyboardInterrupt that can land inside watchfiles' native code and be lost.
            stop = threading.Event()
            previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
            try:
                runs = self.run(max_runs=max_runs, stop_event=stop, force_polling=force_polling)
            finally:
                signal.signal(signal.SIGINT, previous)
            if stop.is_set():
                raise KeyboardInterrupt  # in Python code, where the caller's handler sees it
            return runs
        first = self.first()
        if first is None:
            self.console.print("Nothing to watch: no exercise found.")
            return 0
        self.check(first)
        if max_runs is not None and max_runs <= 0:
            return 0
        wanted = set(self.by_notebook)

        def only_notebooks(change: watchfiles.Change, path: str) -> bool:
            return change != watchfiles.Change.deleted and os.path.realpath(path) in wanted

        folders = sorted({os.path.dirname(p) for p in wanted})
        for changes in watchfiles.watch(
            *folders,
            watch_filter=only_notebooks,
            debounce=400,
            step=100,
            stop_event=stop_event,
            recursive=False,
            force_polling=force_polling,
        ):
            for pair in self.saved({path for _, path in changes}):
                self.check(pair)
                self.runs += 1
                if max_runs is not None and self.runs >= max_runs:
                    return self.runs
        return self.runs
