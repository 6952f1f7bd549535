"""Run an exercise's Python tests with pytest against an ``answer`` object.

One code path, two ways in:

* in-process (:func:`run_pytest`), from a notebook's ``check()``: ``answer`` is the kernel's
  namespace;
* in a subprocess (``python -m twinbook.runner.pyrunner``), from the CLI, the integrity
  tests and the grader: ``answer`` is the module ``answer.py`` written from the notebook's
  answer cells. The subprocess reports ``start`` and ``result`` events per test and
  ``error`` events for collection problems on the result channel of :mod:`.channel`, so a
  run that is killed on a timeout still says which test hung.

The tests are copied into a fresh folder with an empty ``pytest.ini`` so the project's
configuration, conftest files and third-party plugins never take part.

Nothing the tests or the answer print is kept in memory without bound: pytest's own capture
is off (``--capture=no``) and, while the tests run, ``sys.stdout`` / ``sys.stderr`` write to
a sink that only counts their UTF-8 bytes (:class:`_Sink`); past the output limit (``--output-limit``,
default 1 MiB) the harness says so once with an ``output`` event. (pytest's capture keeps a
test's output in memory: a test that prints in a loop filled it until the address-space
limit broke the capture, and every test then failed with "ValueError: I/O operation on
closed file.") pytest's own report goes to a buffer that keeps only its last lines.

The channel is a pipe named by ``$TWINBOOK_EVENTS_FD``, each line tagged with the nonce
read from ``$TWINBOOK_NONCE_FD`` before the answer is imported (learners' checks and the
grader alike). ``--select`` runs only some test functions (the runner
reruns the tests a crash never reached), ``--files`` collects only some test files (the
hidden suite collects ``test_hidden.py`` only, which may import helpers from
``test_visible.py``). ``--contain`` is the grader's mode: the answer is compiled in the restricted subset and
run in a namespace of its own (:func:`.restricted.load_answer`, with the exercise's
``--allowed-import`` list), and the sandbox's audit hook is installed first
(:func:`.guard.install_audit_hook`). After ``done`` the process ends at once
(``os._exit``), so threads the answer left running cannot keep it alive.
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
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twinbook.exercises.results import TestResult, merge

from . import channel, watchdog

#: Bytes the tests and the answer may print (UTF-8) before the harness reports an ``output``
#: event; the grader passes its own limit (``Limits.output_bytes``).
OUTPUT_LIMIT = 1 << 20
_TAIL = 64 << 10  # characters of pytest's own report kept, for the line that says why it stopped


class Answer:
    """Attribute access to the learner's names (a kernel namespace or a module's dict)."""

    def __init__(self, namespace: dict[str, Any]):
        object.__setattr__(self, "_ns", namespace)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(
                f"{name!r} is not defined: write it in the answer cell and run that cell"
            ) from None

    def __dir__(self) -> list[str]:
        return sorted(self._ns)


def load_answer_module(path: str | Path) -> Answer:
    """Import ``answer.py`` as module ``answer`` (errors propagate to each test)."""
    spec = importlib.util.spec_from_file_location("answer", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules["answer"] = module
    spec.loader.exec_module(module)
    return Answer(module.__dict__)


def _test_name(nodeid: str) -> str:
    name = nodeid.split("::")[-1]
    return re.sub(r"\[.*\]$", "", name)


def _message(report: Any) -> str:
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
    msg = str(msg).removeprefix("AssertionError: ")
    if msg.strip() == "AssertionError":
        msg = "assertion failed"
    return msg


class _Sink(io.TextIOBase):
    """Where the tests' and the answer's ``print`` goes while the tests run: nothing is kept,
    the UTF-8 bytes are counted, and ``on_overflow()`` is called once when they pass ``limit``."""

    def __init__(self, limit: int, on_overflow: Callable[[], None]):
        super().__init__()
        self.limit = limit
        self.written = 0
        self._on_overflow = on_overflow
        self._lock = threading.Lock()
        self._told = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        size = len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
        with self._lock:
            self.written += size
            tell = self.written > self.limit and not self._told
            self._told = self._told or tell
        if tell:
            self._on_overflow()
        return len(text)


class _Tail(io.TextIOBase):
    """A text buffer that keeps only its last ``keep`` characters (pytest's own report)."""

    def __init__(self, keep: int = _TAIL):
        super().__init__()
        self._keep = keep
        self._text = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._text = (self._text + text)[-self._keep :]
        return len(text)

    def getvalue(self) -> str:
        return self._text


class _Collector:
    """pytest plugin: records per-test outcomes (the ``answer`` fixture is added by
    :func:`_plugin`, so that importing this module does not import pytest)."""

    def __init__(
        self,
        answer_factory: Callable[[], Any],
        emit: Callable[[dict[str, Any]], None],
        select: frozenset[str] | None = None,
        output_limit: int = OUTPUT_LIMIT,
        test_timeout: float | None = None,
        prefix: str = "",
        dog: watchdog.Watchdog | None = None,
    ):
        self._factory = answer_factory
        self._select = select
        self._prefix = prefix  # a batch's "<exercise key>/" before every test name it reports
        output_event: dict[str, Any] = {"event": "output", "limit": output_limit}
        if prefix:
            output_event["name"] = prefix.removesuffix(BATCH_SEPARATOR)
        self.output = _Sink(output_limit, lambda: emit(output_event))
        self._answer: Any = None
        self._answer_error: BaseException | None = None
        self._loaded = False
        self.emit = emit
        self.results: dict[str, TestResult] = {}
        self.errors: list[str] = []
        self._watchdog = dog or (
            watchdog.Watchdog(test_timeout, self._timed_out) if test_timeout else None
        )

    def _timed_out(self, name: str) -> None:
        """The running test passed the per-test limit: report it (the process then ends)."""
        assert self._watchdog is not None
        result = TestResult(name, "failed", watchdog.message(self._watchdog.seconds))
        self.emit({"event": "result", **result.__dict__})

    def get_answer(self) -> Any:
        if not self._loaded:
            self._loaded = True
            try:
                self._answer = self._factory()
            except BaseException as exc:  # the learner's module failed to import
                self._answer_error = exc
        if self._answer_error is not None:
            error = self._answer_error
            raise RuntimeError(f"the answer did not load: {type(error).__name__}: {error}")
        return self._answer

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list[Any]) -> None:
        if self._select is None:
            return
        keep = [item for item in items if _test_name(item.nodeid) in self._select]
        dropped = [item for item in items if _test_name(item.nodeid) not in self._select]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        name = self._prefix + _test_name(nodeid)
        self.emit({"event": "start", "name": name})
        if self._watchdog is not None:  # set-up, call and teardown count (the import too)
            self._watchdog.arm(name)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        if self._watchdog is not None:
            self._watchdog.disarm()

    def pytest_runtest_logreport(self, report: Any) -> None:
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
        self.emit({"event": "result", **result.__dict__, "name": self._prefix + name})

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            msg = _message(report)
            self.errors.append(msg)
            self.emit({"event": "error", "message": msg})


def _plugin(
    answer_factory: Callable[[], Any],
    emit: Callable[[dict[str, Any]], None],
    select: frozenset[str] | None = None,
    output_limit: int = OUTPUT_LIMIT,
    test_timeout: float | None = None,
    prefix: str = "",
    dog: watchdog.Watchdog | None = None,
) -> _Collector:
    import pytest

    class Plugin(_Collector):
        @pytest.fixture
        def answer(self) -> Any:
            """The learner's names: ``answer.map_limited`` and so on."""
            return self.get_answer()

        @pytest.hookimpl(wrapper=True)
        def pytest_runtestloop(self, session: Any) -> Iterator[Any]:
            # the tests (and the answer, imported by the first test) print into the sink;
            # pytest's report keeps the stream it was configured with
            saved = sys.stdin, sys.stdout, sys.stderr
            sys.stdin, sys.stdout, sys.stderr = io.StringIO(), self.output, self.output
            try:
                return (yield)
            finally:
                sys.stdin, sys.stdout, sys.stderr = saved

    return Plugin(answer_factory, emit, select, output_limit, test_timeout, prefix, dog)


_INI = "[pytest]\n"


def prepare_test_dir(test_files: list[Path], into: Path) -> Path:
    """Copy the test files into ``into`` beside an empty pytest.ini."""
    for file in test_files:
        shutil.copyfile(file, into / file.name)
    (into / "pytest.ini").write_text(_INI)
    return into


def pytest_args(test_dir: Path, files: list[str] | None = None) -> list[str]:
    return [
        *([str(test_dir / f) for f in files] if files else [str(test_dir)]),
        "-c",
        str(test_dir / "pytest.ini"),
        "--rootdir",
        str(test_dir),
        "--confcutdir",
        str(test_dir),
        "-p",
        "no:cacheprovider",
        "-p",
        "no:legacypath",
        "-p",
        "no:faulthandler",
        "--capture=no",  # pytest would keep every test's output in memory: _Sink counts it instead
        "-q",
        "--no-header",
        "-o",
        "console_output_style=classic",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]


@contextlib.contextmanager
def _quiet_env() -> Iterator[None]:
    """No plugin autoload, no inherited addopts; restore the environment afterwards."""
    saved = {
        k: os.environ.get(k)
        for k in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
    }
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
    emit: Callable[[dict[str, Any]], None] = lambda event: None,
    *,
    select: list[str] | None = None,
    files: list[str] | None = None,
    output_limit: int = OUTPUT_LIMIT,
    test_timeout: float | None = None,
    prefix: str = "",
    dog: watchdog.Watchdog | None = None,
) -> tuple[dict[str, TestResult], list[str]]:
    """Run pytest on ``test_dir`` (see :func:`prepare_test_dir`) with the given answer.

    ``prefix`` goes before every test name on the channel and ``dog`` is a watchdog shared
    by the exercises of a batch (:func:`run_batch`).

    ``test_timeout`` (seconds; the grader's harness process only: it ends the process)
    fails a test that runs longer and exits (:mod:`twinbook.runner.watchdog`).

    ``select`` keeps only those test functions, ``files`` collects only those files.
    What the tests print is counted, not kept: past ``output_limit`` bytes ``emit``
    gets one ``{"event": "output", "limit": output_limit}``.
    Returns per-test results by function name, and collection error messages.
    """
    import pytest

    collector = _plugin(
        answer_factory,
        emit,
        frozenset(select) if select is not None else None,
        output_limit,
        test_timeout,
        prefix,
        dog,
    )
    before = set(sys.modules)
    saved_path = list(sys.path)
    noise = _Tail()
    try:
        with _quiet_env(), contextlib.redirect_stdout(noise), contextlib.redirect_stderr(noise):
            code = pytest.main(pytest_args(test_dir, files), plugins=[collector])
    finally:
        # forget the test modules and pytest's sys.path entry, so that a later run (the
        # learner checks again in the same kernel) imports the fresh copies
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file.startswith(str(test_dir)):
                del sys.modules[name]
        sys.path[:] = saved_path
    problem = ""
    if code in (pytest.ExitCode.INTERRUPTED,):
        problem = "interrupted"
    elif (
        code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR)
        and not collector.errors
    ):
        lines = [ln for ln in noise.getvalue().splitlines() if ln.strip()]
        problem = lines[-1] if lines else f"pytest exited with {int(code)}"
    if problem:
        collector.errors.append(problem)
        emit({"event": "error", "message": problem})
    return collector.results, collector.errors


def run_in_process(
    test_files: list[Path], namespace: dict[str, Any]
) -> tuple[dict[str, TestResult], list[str]]:
    """Run the tests against a live namespace (a notebook kernel's ``user_ns``)."""
    with tempfile.TemporaryDirectory(prefix="twinbook-check-") as tmp:
        test_dir = prepare_test_dir(test_files, Path(tmp))
        return run_pytest(test_dir, lambda: Answer(namespace))


def describe(
    raw: channel.RawRun, name: str, *, budget: float | None = None, cpu: float | None = None
) -> str:
    """Why the harness process ended before test ``name`` reported (``""``: before any
    test), with the interpreter's last fatal line when it printed one."""
    end = channel.describe_end(raw, budget, cpu)
    if not name and raw.exit_code is not None and not raw.timed_out:
        end = f"the test process exited with code {raw.exit_code} before running the tests"
    lines = [line.strip() for line in raw.text().splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(("Fatal Python error", "MemoryError")) or (
            not name and "Error" in line.split(":")[0]
        ):
            return f"{end} ({channel.clip(line, 200)})"
    return end


# --- a batch: several exercises' tests in one process (the grader) ----------------------------

BATCH_SEPARATOR = "/"  # between an exercise's key and a test's name on a batch's channel
THREAD_GRACE = 1.0  # seconds an exercise's leftover threads get to end before the batch stops


def batch_name(key: str, test: str) -> str:
    """A test's name on a batch's channel: ``<exercise key>/<test>``."""
    return f"{key}{BATCH_SEPARATOR}{test}"


def split_batch_name(name: str) -> tuple[str, str]:
    """``(key, test)`` of a name on a batch's channel."""
    key, _, test = name.partition(BATCH_SEPARATOR)
    return key, test


@dataclass(frozen=True)
class BatchExercise:
    """One exercise of a batch manifest (a JSON list of these, written by the grader)."""

    key: str  # how the grader names it: no "/" in it
    answer: str  # its answer.py
    tests: str  # its folder prepared by prepare_test_dir
    files: tuple[str, ...] = ()  # collect only these test files (the hidden suite)
    allowed: tuple[str, ...] = ()  # its allowed imports (with --contain)

    @classmethod
    def from_json(cls, data: Any) -> BatchExercise:
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("key", "answer", "tests")
        ):
            raise ValueError(f"a batch entry needs key, answer and tests: {data!r}")
        if BATCH_SEPARATOR in data["key"] or not data["key"]:
            raise ValueError(f"a batch key must be non-empty without {BATCH_SEPARATOR!r}")
        return cls(
            data["key"],
            data["answer"],
            data["tests"],
            tuple(map(str, data.get("files") or ())),
            tuple(map(str, data.get("allowed") or ())),
        )


def read_manifest(path: str | Path) -> list[BatchExercise]:
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)
    if not isinstance(entries, list):
        raise ValueError(f"{path}: a batch manifest is a JSON list")
    return [BatchExercise.from_json(e) for e in entries]


def _leftover_threads(before: set[threading.Thread], grace: float) -> list[threading.Thread]:
    """Threads started since ``before`` that are still alive after up to ``grace`` seconds."""
    deadline = time.monotonic() + grace
    for thread in threading.enumerate():
        if thread not in before and thread is not threading.current_thread():
            thread.join(max(deadline - time.monotonic(), 0))
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


def run_batch(
    exercises: list[BatchExercise],
    emit: Callable[[dict[str, Any]], None],
    factory: Callable[[BatchExercise], Callable[[], Any]],
    *,
    select: list[str] | None = None,
    output_limit: int = OUTPUT_LIMIT,
    test_timeout: float | None = None,
) -> bool:
    """Run each exercise's tests in turn, in this process, naming every test
    ``<key>/<test>`` on the channel (``select`` uses those names too).

    Every exercise gets its own answer (``factory(exercise)``, loaded by its first test),
    its own output count (``output`` events name the exercise) and the same per-test
    limit. Collection errors are not reported: the exercise's tests then have no
    verdict and the grader runs it alone, which reports them. Returns False when it
    stopped early because an exercise left threads running (they could disturb the next
    one: the grader runs the rest in a fresh process), True when every exercise ran.
    """

    def quiet(event: dict[str, Any]) -> None:
        if event.get("event") != "error":
            emit(event)

    dog = None
    if test_timeout:
        dog = watchdog.Watchdog(
            test_timeout,
            lambda name: emit(
                {
                    "event": "result",
                    "name": name,
                    "outcome": "failed",
                    "message": watchdog.message(test_timeout),
                }
            ),
        )
    chosen = None if select is None else [split_batch_name(n) for n in select]
    for exercise in exercises:
        wanted = None if chosen is None else [t for k, t in chosen if k == exercise.key]
        if wanted is not None and not wanted:
            continue
        before = set(threading.enumerate())
        run_pytest(
            Path(exercise.tests),
            factory(exercise),
            quiet,
            select=wanted,
            files=list(exercise.files) or None,
            output_limit=output_limit,
            prefix=exercise.key + BATCH_SEPARATOR,
            dog=dog,
        )
        if _leftover_threads(before, THREAD_GRACE):
            return False
    return True


def _event_writer() -> tuple[Callable[[dict[str, Any]], None], Callable[[], None]]:
    """emit(event) and close() for the result channel (fd + nonce from the environment)."""
    try:
        events_fd = int(os.environ[channel.EVENTS_FD_ENV])
        nonce_fd = int(os.environ[channel.NONCE_FD_ENV])
    except (KeyError, ValueError):
        raise SystemExit(
            f"pyrunner: run by twinbook (${channel.EVENTS_FD_ENV} and ${channel.NONCE_FD_ENV} are not set)"
        ) from None
    with os.fdopen(nonce_fd, "r", encoding="ascii") as f:
        nonce = f.read(256).strip()
    out = os.fdopen(events_fd, "w", encoding="utf-8")
    for name in (channel.EVENTS_FD_ENV, channel.NONCE_FD_ENV):
        os.environ.pop(name, None)
    lock = threading.Lock()

    def emit(event: dict[str, Any]) -> None:
        line = json.dumps({"nonce": nonce, **event}, ensure_ascii=False) + "\n"
        with lock:
            out.write(line)
            out.flush()

    return emit, out.close


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twinbook.runner.pyrunner")
    parser.add_argument("--answer", help="answer.py to import as the `answer` fixture")
    parser.add_argument("--tests", help="folder prepared by prepare_test_dir")
    parser.add_argument(
        "--batch",
        help="a JSON manifest of several exercises to run in turn (the grader; see run_batch)",
    )
    parser.add_argument(
        "--select", action="append", help="run only this test function (repeatable)"
    )
    parser.add_argument("--files", action="append", help="collect only this test file (repeatable)")
    parser.add_argument(
        "--output-limit",
        type=int,
        default=OUTPUT_LIMIT,
        help="bytes the tests may print before an `output` event says the limit was passed",
    )
    parser.add_argument(
        "--contain", action="store_true", help="grader mode: guarded answer, audit hook"
    )
    parser.add_argument(
        "--allowed-import", action="append", default=[], help="with --contain (repeatable)"
    )
    parser.add_argument("--scratch", help="with --contain: the only folder the answer may write to")
    parser.add_argument(
        "--test-timeout",
        type=float,
        help="seconds one test may take: it then fails and the process exits (the grader)",
    )
    args = parser.parse_args(argv)
    if args.batch:
        return _main_batch(args)
    if not args.answer or not args.tests:
        parser.error("--answer and --tests are required (or --batch)")
    answer_path = Path(args.answer).resolve()
    emit, close = _event_writer()
    if args.contain:
        from . import guard, restricted

        guard.install_audit_hook(answer_path, args.scratch or os.getcwd(), args.allowed_import)
        allowed = tuple(args.allowed_import)
        factory = lambda: Answer(restricted.load_answer(answer_path, allowed).__dict__)  # noqa: E731
    else:
        sys.path.insert(0, str(answer_path.parent))
        factory = lambda: load_answer_module(answer_path)  # noqa: E731
    results, errors = run_pytest(
        Path(args.tests).resolve(),
        factory,
        emit,
        select=args.select,
        files=args.files,
        output_limit=args.output_limit,
        test_timeout=args.test_timeout,
    )
    emit({"event": "done", "passed": sum(r.passed for r in results.values())})
    close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # threads the answer left behind must not keep the process alive


def _main_batch(args: argparse.Namespace) -> int:
    exercises = read_manifest(args.batch)
    emit, close = _event_writer()
    if args.contain:
        from . import guard, restricted

        allowed = sorted({m for e in exercises for m in e.allowed})
        guard.install_audit_hook(
            [str(Path(e.answer).resolve()) for e in exercises], args.scratch or os.getcwd(), allowed
        )

        def factory(e: BatchExercise) -> Callable[[], Any]:
            path = Path(e.answer).resolve()
            return lambda: Answer(restricted.load_answer(path, e.allowed).__dict__)
    else:

        def factory(e: BatchExercise) -> Callable[[], Any]:
            return lambda: load_answer_module(Path(e.answer).resolve())

    finished = run_batch(
        exercises,
        emit,
        factory,
        select=args.select,
        output_limit=args.output_limit,
        test_timeout=args.test_timeout,
    )
    if finished:
        emit({"event": "done"})
    close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # threads the answers left behind must not keep the process alive


if __name__ == "__main__":
    sys.exit(main())
