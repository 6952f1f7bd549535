"""Run an exercise's Go tests against the learner's declarations with ``go test -json``.

The run happens in a fresh temporary module::

    go.mod          module answer / go 1.26 (or GoNB's go.mod and go.sum in --gonb mode)
    answer.go       package main: the answer cells (or GoNB's main.go), goimports applied
    *_test.go       the exercise's visible (and hidden) tests, copied

``go test -json -count=1 .`` runs it; test2json events become per-test results. A panic
kills the test binary: the tests it never reached are run again, without the crashed
ones, so every test gets its own verdict (the build is cached, a rerun costs ~0.1 s).
The default GOCACHE is kept so a warm check takes about a second.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .results import TestResult, merge

GO_VERSION = "1.26"
TEST_TIMEOUT = 20.0  # seconds: the test binary's -timeout (a hung test panics after it)
DEFAULT_TIMEOUT = 180.0  # seconds: kill `go test` itself (covers a cold build cache)

_NOISE = re.compile(r"^(=== (RUN|PAUSE|CONT|NAME)|--- (FAIL|PASS|SKIP):|(PASS|FAIL|ok)\b|exit status \d+$|coverage:)")
_LOCATION = re.compile(r"^\s*[\w./-]+_test\.go:\d+: ")


def go_binary() -> str:
    found = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if not found:
        raise FileNotFoundError("the go command was not found on PATH")
    return found


def goimports_binary() -> str | None:
    beside = Path(sys.executable).parent / "goimports"
    if beside.exists():
        return str(beside)
    return shutil.which("goimports")


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOTOOLCHAIN="local", GOWORK="off", GOFLAGS="-mod=mod")
    return env


@dataclass
class GoRun:
    results: dict[str, TestResult]
    build_error: str = ""  # compiler output when the package did not build
    timed_out: bool = False  # the go command itself had to be killed


def goimports(source: str) -> str:
    """``source`` with its imports completed and pruned by goimports (unchanged without it
    or when goimports cannot parse it: the compiler then reports the error)."""
    tool = goimports_binary()
    if not tool:
        return source
    proc = subprocess.run([tool], input=source, env=go_env(), capture_output=True, text=True, timeout=60)
    return proc.stdout if proc.returncode == 0 and proc.stdout.strip() else source


def write_module(workdir: Path, answer_source: str) -> None:
    """A fresh module ``answer`` holding ``answer.go``; goimports completes its imports."""
    (workdir / "go.mod").write_text(f"module answer\n\ngo {GO_VERSION}\n")
    (workdir / "answer.go").write_text(goimports(answer_source))


def copy_gonb_module(gonb_tmp: Path, workdir: Path) -> None:
    """GoNB's program (main.go with every memorized declaration) and its go.mod / go.sum."""
    main = gonb_tmp / "main.go"
    if not main.is_file():
        raise FileNotFoundError(f"{main} not found: run `!*twinbook check --gonb` from a GoNB notebook")
    shutil.copyfile(main, workdir / "main.go")  # keep GoNB's name: errors then match its own
    for name in ("go.mod", "go.sum"):
        if (gonb_tmp / name).is_file():
            shutil.copyfile(gonb_tmp / name, workdir / name)
    if not (workdir / "go.mod").is_file():
        (workdir / "go.mod").write_text(f"module answer\n\ngo {GO_VERSION}\n")


def parse_events(stdout: str, results: dict[str, TestResult]) -> str:
    """Fold test2json events into ``results`` (by top-level test); returns build output.

    A test that started but never finished was killed by a panic or the test timeout: it
    fails with the first line of its output (``panic: ...``).
    """
    outputs: dict[str, list[str]] = {}
    build: list[str] = []
    running: list[str] = []
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            ev = json.loads(line)
        except json.JSONDecodeError:
            continue
        action = ev.get("Action")
        test = ev.get("Test")
        if action == "build-output":
            build.append(ev.get("Output", ""))
        elif action == "output" and test:
            outputs.setdefault(test, []).append(ev.get("Output", ""))
        elif action == "run" and test:
            running.append(test)
        elif action in ("pass", "fail", "skip") and test:
            if test in running:
                running.remove(test)
            outcome = {"pass": "passed", "fail": "failed", "skip": "skipped"}[action]
            message = failure_message(outputs.get(test, [])) if outcome != "passed" else ""
            merge(results, TestResult(test.split("/")[0], outcome, message))
    for test in running:
        message = failure_message(outputs.get(test, [])) or "crashed"
        merge(results, TestResult(test.split("/")[0], "failed", message))
    return "".join(l for l in build if not l.startswith("# ")).strip()


def _clean_panic(line: str) -> str:
    return re.sub(r" \[recovered(, repanicked)?\]$", "", line)


def failure_message(lines: list[str]) -> str:
    """The first meaningful output line of a failed Go test, without ``file_test.go:NN:``."""
    for text in lines:
        stripped = text.strip()
        if not stripped or _NOISE.match(stripped):
            continue
        if stripped.startswith("panic:"):
            return _clean_panic(stripped)
        return _LOCATION.sub("", text).strip()
    return ""


def go_test(workdir: Path, run: list[str] | None, test_timeout: float, timeout: float) -> tuple[str, bool]:
    """``go test -json -count=1 .`` (optionally ``-run`` some tests); (stdout, killed)."""
    cmd = [go_binary(), "test", "-json", "-count=1", "-vet=off", f"-timeout={test_timeout:g}s"]
    if run:
        cmd.append("-run=^(" + "|".join(re.escape(t) for t in run) + ")$")
    cmd.append(".")
    try:
        proc = subprocess.run(cmd, cwd=workdir, env=go_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return out, True
    out = proc.stdout
    if proc.returncode != 0 and '"build-output"' not in out and '"Test"' not in out and proc.stderr.strip():
        # go failed before running any test (a bad go.mod, ...): report it like a build error
        out += json.dumps({"Action": "build-output", "Output": proc.stderr}) + "\n"
    return out, False


def run_go_tests(
    workdir: Path, expected: list[str], test_timeout: float = TEST_TIMEOUT, timeout: float = DEFAULT_TIMEOUT
) -> GoRun:
    """Run the tests in ``workdir``; after a crash, run the ones never reached again."""
    results: dict[str, TestResult] = {}
    out, killed = go_test(workdir, None, test_timeout, timeout)
    run = GoRun(results, build_error=parse_events(out, results), timed_out=killed)
    pending = [t for t in expected if t not in results]
    while pending and not run.build_error and not run.timed_out:
        out, run.timed_out = go_test(workdir, pending, test_timeout, timeout)
        parse_events(out, results)
        left = [t for t in expected if t not in results]
        if len(left) == len(pending):
            break  # no progress: those tests do not exist or cannot run
        pending = left
    return run


def first_lines(text: str, n: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[:n])


def check_go(
    test_files: list[Path],
    expected: list[str],
    *,
    answer_source: str | None = None,
    gonb_tmp: Path | None = None,
    test_timeout: float = TEST_TIMEOUT,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[dict[str, TestResult], str]:
    """Build a module from the answer (cells' source, or GoNB's main.go), copy tests in, run.

    Returns the results and the message for expected tests that have none.
    """
    if gonb_tmp is not None and not (gonb_tmp / "main.go").is_file():
        return {}, "did not run: GoNB has no program yet, run the answer cell first"
    with tempfile.TemporaryDirectory(prefix="twinbook-go-") as tmp:
        workdir = Path(tmp)
        if gonb_tmp is not None:
            copy_gonb_module(gonb_tmp, workdir)
        else:
            write_module(workdir, answer_source or "package main\n\nfunc main() {}\n")
        for file in test_files:
            shutil.copyfile(file, workdir / file.name)
        run = run_go_tests(workdir, expected, test_timeout, timeout)
    if run.build_error:
        msg = "compile error: " + first_lines(run.build_error)
        return {t: TestResult(t, "error", msg) for t in expected}, msg
    if run.timed_out:
        return run.results, f"did not run: go test was killed after {timeout:g}s"
    return run.results, ""
