"""Run an exercise's Python tests with pytest against an ``answer`` object.

One code path, two ways in:

* in-process (:func:`run_pytest`), from a notebook's ``check()``: ``answer`` is the kernel's
  namespace;
* in a subprocess (``python -m twinbook.exercises.pyrunner``), from the CLI, the integrity
  tests and the grader: ``answer`` is the module ``answer.py`` written from the notebook's
  answer cells. The subprocess writes one JSON object per line to ``--out``: ``start`` and
  ``result`` events per test and ``error`` events for collection problems, so a run that is
  killed on a timeout still says which test hung.

The tests are copied into a fresh folder with an empty ``pytest.ini`` so the project's
configuration, conftest files and third-party plugins never take part.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from .results import TestResult, merge


class Answer:
    """Attribute access to the learner's names (a kernel namespace or a module's dict)."""

    def __init__(self, namespace: dict[str, Any]):
        object.__setattr__(self, "_ns", namespace)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not defined: write it in the answer cell and run that cell") from None

    def __dir__(self):
        return sorted(self._ns)


def load_answer_module(path: str | Path) -> Answer:
    """Import ``answer.py`` as module ``answer`` (errors propagate to each test)."""
    spec = importlib.util.spec_from_file_location("answer", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["answer"] = module
    spec.loader.exec_module(module)
    return Answer(module.__dict__)


def _test_name(nodeid: str) -> str:
    name = nodeid.split("::")[-1]
    return re.sub(r"\[.*\]$", "", name)


def _message(report) -> str:
    """The first useful line of a report: the exception (``AssertionError:`` dropped), a
    skip reason, or for setup errors the ``E`` line pytest shows."""
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):  # skipped: (path, lineno, reason)
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        msg = crash.message
    else:
        text = str(longrepr)
        e_lines = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        msg = e_lines[0] if e_lines else (lines[-1] if lines else "")
    msg = msg.removeprefix("AssertionError: ")
    if msg.strip() == "AssertionError":
        msg = "assertion failed"
    return msg


class _Collector:
    """pytest plugin: records per-test outcomes (the ``answer`` fixture is added by
    :func:`_plugin`, so that importing this module does not import pytest)."""

    def __init__(self, answer_factory: Callable[[], Any], emit: Callable[[dict], None]):
        self._factory = answer_factory
        self._answer: Any = None
        self._answer_error: BaseException | None = None
        self._loaded = False
        self.emit = emit
        self.results: dict[str, TestResult] = {}
        self.errors: list[str] = []

    def get_answer(self):
        if not self._loaded:
            self._loaded = True
            try:
                self._answer = self._factory()
            except BaseException as exc:  # the learner's module failed to import
                self._answer_error = exc
        if self._answer_error is not None:
            exc = self._answer_error
            raise RuntimeError(f"the answer did not load: {type(exc).__name__}: {exc}")
        return self._answer

    def pytest_runtest_logstart(self, nodeid, location):
        self.emit({"event": "start", "name": _test_name(nodeid)})

    def pytest_runtest_logreport(self, report):
        name = _test_name(report.nodeid)
        if report.when == "call":
            outcome = report.outcome
        elif report.failed:
            outcome = "error"
        elif report.skipped:
            outcome = "skipped"
        else:
            return
        result = TestResult(name, outcome, _message(report) if outcome != "passed" else "")
        merge(self.results, result)
        self.emit({"event": "result", **result.__dict__})

    def pytest_collectreport(self, report):
        if report.failed:
            msg = _message(report)
            self.errors.append(msg)
            self.emit({"event": "error", "message": msg})


def _plugin(answer_factory: Callable[[], Any], emit: Callable[[dict], None]) -> _Collector:
    import pytest

    class Plugin(_Collector):
        @pytest.fixture
        def answer(self):
            """The learner's names: ``answer.map_limited`` and so on."""
            return self.get_answer()

    return Plugin(answer_factory, emit)


_INI = "[pytest]\n"


def prepare_test_dir(test_files: list[Path], into: Path) -> Path:
    """Copy the test files into ``into`` beside an empty pytest.ini."""
    for file in test_files:
        shutil.copyfile(file, into / file.name)
    (into / "pytest.ini").write_text(_INI)
    return into


def pytest_args(test_dir: Path) -> list[str]:
    return [
        str(test_dir),
        "-c", str(test_dir / "pytest.ini"),
        "--rootdir", str(test_dir),
        "--confcutdir", str(test_dir),
        "-p", "no:cacheprovider",
        "-p", "no:legacypath",
        "-p", "no:faulthandler",
        "--capture=sys",
        "-q",
        "--no-header",
        "-o", "console_output_style=classic",
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
    ]


@contextlib.contextmanager
def _quiet_env():
    """No plugin autoload, no inherited addopts; restore the environment afterwards."""
    saved = {k: os.environ.get(k) for k in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_pytest(
    test_dir: Path,
    answer_factory: Callable[[], Any],
    emit: Callable[[dict], None] = lambda event: None,
) -> tuple[dict[str, TestResult], list[str]]:
    """Run pytest on ``test_dir`` (see :func:`prepare_test_dir`) with the given answer.

    Returns per-test results by function name, and collection error messages.
    """
    import pytest

    collector = _plugin(answer_factory, emit)
    before = set(sys.modules)
    saved_path = list(sys.path)
    noise = io.StringIO()
    try:
        with _quiet_env(), contextlib.redirect_stdout(noise), contextlib.redirect_stderr(noise):
            code = pytest.main(pytest_args(test_dir), plugins=[collector])
    finally:
        # forget the test modules and pytest's sys.path entry, so that a later run (the
        # learner checks again in the same kernel) imports the fresh copies
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file.startswith(str(test_dir)):
                del sys.modules[name]
        sys.path[:] = saved_path
    if code in (pytest.ExitCode.INTERRUPTED,):
        collector.errors.append("interrupted")
    elif code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR) and not collector.errors:
        lines = [ln for ln in noise.getvalue().splitlines() if ln.strip()]
        collector.errors.append(lines[-1] if lines else f"pytest exited with {int(code)}")
    return collector.results, collector.errors


def run_in_process(test_files: list[Path], namespace: dict[str, Any]) -> tuple[dict[str, TestResult], list[str]]:
    """Run the tests against a live namespace (a notebook kernel's ``user_ns``)."""
    with tempfile.TemporaryDirectory(prefix="twinbook-check-") as tmp:
        test_dir = prepare_test_dir(test_files, Path(tmp))
        return run_pytest(test_dir, lambda: Answer(namespace))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twinbook.exercises.pyrunner")
    parser.add_argument("--answer", required=True, help="answer.py to import as the `answer` fixture")
    parser.add_argument("--tests", required=True, help="folder prepared by prepare_test_dir")
    parser.add_argument("--out", required=True, help="JSON-lines event file to write")
    args = parser.parse_args(argv)
    answer_path = Path(args.answer).resolve()
    sys.path.insert(0, str(answer_path.parent))
    with open(args.out, "w", encoding="utf-8") as out:

        def emit(event: dict) -> None:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
            out.flush()

        results, errors = run_pytest(Path(args.tests).resolve(), lambda: load_answer_module(answer_path), emit)
        emit({"event": "done", "passed": sum(r.passed for r in results.values())})
    return 0


if __name__ == "__main__":
    sys.exit(main())
