"""Run an exercise's Go tests against the learner's declarations.

The run happens in a fresh temporary module ``answer``, in one folder::

    go.mod                        module answer / go 1.26 (or GoNB's go.mod and go.sum in --gonb
                                  mode, its module line renamed to answer)
    answer.go                     package main: the answer cells (or GoNB's main.go), goimports applied
    *_test.go                     the exercise's visible (and hidden) tests and the chapter's
                                  helpers, copied: package main_test, importing the answer with
                                  ``import . "answer"``
    zz_twinbook_harness_test.go   the harness (package main_test): TestTwinbookHarness runs each
                                  expected test as a subtest and reports it on the result channel

The answer and the tests are two packages. The tests are the *external* test package of the
answer (``go test`` lets the ``_test`` package of a ``main`` package import it): they see the
answer's exported names only, and the answer sees nothing of theirs, since no package can
import a ``_test`` package. Test helpers, hidden expected values and the harness are out of
the answer's scope by the type system: naming one is "undefined", whatever the spelling.
:func:`lay_out_tests` refuses a test file that is not ``package main_test``, so an
instructor's file cannot join the answer's package by mistake.

``go test -c`` builds a test binary once; the binary runs with
``-test.run=^TestTwinbookHarness$ -test.v=test2json``. The harness reads a per-run nonce from
the pipe ``$TWINBOOK_NONCE_FD`` and writes a ``start`` and a ``result`` event per test, each
tagged with the nonce, to the pipe ``$TWINBOOK_EVENTS_FD`` (the protocol of
:mod:`twinbook.runner.channel`). Outcomes come only from those events; the binary's
output (test2json framing) only supplies failure messages. A panic in a test is recovered
by the harness and fails that test; a crash of the whole binary (a panic in another
goroutine, the test timeout) fails the test that was running and the tests it never
reached run again in a fresh process, without rebuilding.

Learners run the binary directly (:func:`twinbook.runner.channel.execute_plain`); the
grader runs the same binary in its sandbox (:mod:`twinbook.grading.sandbox`), after
building it from the same layout (:func:`write_answer` and :func:`lay_out_tests`) inside a
jail of its own. Learners keep the default GOCACHE, so a warm check takes about a second.

Every build is ``go test -c -race`` (:data:`BUILD_FLAGS`): the learner's check and the
grader run the same race-instrumented binary, so an answer whose goroutines share state
without a lock fails the test during which the race detector saw it (Go's testing marks
it failed: "race detected during execution of test"), and the message says so in the
exercise's terms (:func:`race_message`). ``-race`` needs cgo, so a C compiler (and the C
library's headers and start files): :func:`c_compiler_problem` says what to install when
there is none. The binary runs with :data:`GORACE`: every race is reported and the tests
go on (``halt_on_error=0``), and the process does not sleep a second at exit.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from twinbook._goprograms import go_binary
from twinbook.exercises.model import GO_TEST_PACKAGE, go_package, go_test_names
from twinbook.exercises.results import TestResult

from . import channel, messages

GO_VERSION = "1.26"
ANSWER_MODULE = "answer"  # the module path, so the tests' import path of the answer package
TEST_PACKAGE = GO_TEST_PACKAGE  # every test file's package: the answer's external tests
TEST_TIMEOUT = 20.0  # seconds: the test binary's -timeout (a hung test panics after it)
DEFAULT_TIMEOUT = 180.0  # seconds: kill `go test` itself (covers a cold build cache)
#: ``go test -c``'s flags. ``-ldflags=-s -w`` leaves out the symbol table and DWARF: the
#: link takes about half the time, and nothing reads them (panics and tracebacks use the
#: runtime's own tables, so messages keep their functions, files and lines; so do the race
#: detector's reports). ``-race``: see the module docstring
BUILD_FLAGS = ("-race", "-vet=off", "-ldflags=-s -w")
#: the race runtime's options for the test binary: report every race and go on with the
#: tests (``halt_on_error=0``, so the tests after a racy one still run and pass or fail on
#: their own), and exit at once: the default sleeps 1 s at exit (``atexit_sleep_ms``), a
#: third of a learner's check
GORACE = "halt_on_error=0 atexit_sleep_ms=0"

_NOISE = re.compile(
    r"^(=== (RUN|PAUSE|CONT|NAME)|--- (FAIL|PASS|SKIP):|(PASS|FAIL|ok)\b|exit status \d+$|coverage:)"
)
_LOCATION = re.compile(r"^\s*[\w./-]+_test\.go:\d+: ")


def goimports_binary() -> str | None:
    beside = Path(sys.executable).parent / "goimports"
    if beside.exists():
        return str(beside)
    return shutil.which("goimports")


def go_env() -> dict[str, str]:
    """The learner's environment for the go command and the test binary: cgo on (``-race``
    needs it) and :data:`GORACE`."""
    env = dict(os.environ)
    env.update(GOTOOLCHAIN="local", GOWORK="off", GOFLAGS="-mod=mod", CGO_ENABLED="1")
    env["GORACE"] = GORACE
    return env


def c_compiler() -> str:
    """The C compiler the go command uses for cgo: ``$CC``'s first word, else Go's default
    for the platform (clang on macOS, gcc elsewhere)."""
    configured = os.environ.get("CC", "").split()
    return configured[0] if configured else ("clang" if sys.platform == "darwin" else "gcc")


def c_compiler_problem() -> str:
    """Why ``go test -race`` cannot build here ("" when a C compiler is on PATH): the check
    says what to install instead of the go command's "C compiler not found"."""
    compiler = c_compiler()
    if shutil.which(compiler):
        return ""
    return messages.no_c_compiler(compiler)


def goimports(source: str) -> str:
    """``source`` with its imports completed and pruned by goimports (unchanged without it
    or when goimports cannot parse it: the compiler then reports the error)."""
    tool = goimports_binary()
    if not tool:
        return source
    proc = subprocess.run(
        [tool], input=source, env=go_env(), capture_output=True, text=True, timeout=60
    )
    return proc.stdout if proc.returncode == 0 and proc.stdout.strip() else source


def write_answer(workdir: Path, source: str) -> None:
    """A fresh module ``answer`` holding ``answer.go`` exactly as given (already goimported)."""
    (workdir / "go.mod").write_text(f"module {ANSWER_MODULE}\n\ngo {GO_VERSION}\n")
    (workdir / "answer.go").write_text(source)


def write_module(workdir: Path, answer_source: str) -> None:
    """A fresh module ``answer`` holding ``answer.go``; goimports completes its imports."""
    write_answer(workdir, goimports(answer_source))


_MODULE_LINE = re.compile(r"^module\s+\S+[ \t]*$", re.M)


def rename_module(go_mod: str) -> str:
    """``go_mod`` with its module path set to ``answer``: the path the tests import."""
    if _MODULE_LINE.search(go_mod):
        return _MODULE_LINE.sub(f"module {ANSWER_MODULE}", go_mod, count=1)
    return f"module {ANSWER_MODULE}\n\n" + go_mod


def copy_gonb_module(gonb_tmp: Path, workdir: Path) -> None:
    """GoNB's program (main.go with every memorized declaration) and its go.mod / go.sum."""
    main = gonb_tmp / "main.go"
    if not main.is_file():
        raise FileNotFoundError(
            f"{main} not found: run `!*twinbook check --gonb` from a GoNB notebook"
        )
    shutil.copyfile(main, workdir / "main.go")  # keep GoNB's name: errors then match its own
    if (gonb_tmp / "go.sum").is_file():
        shutil.copyfile(gonb_tmp / "go.sum", workdir / "go.sum")
    go_mod = gonb_tmp / "go.mod"
    text = go_mod.read_text(encoding="utf-8") if go_mod.is_file() else f"go {GO_VERSION}\n"
    (workdir / "go.mod").write_text(rename_module(text))


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


def first_lines(text: str, n: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[:n])


#: gcc's words when the C library's headers are missing (cgo's own C files need them)
_NO_C_HEADER = re.compile(r"fatal error: (?P<header>[\w/.+-]+\.h): No such file or directory")


def c_headers_problem(build_error: str) -> str:
    """What to install when a build failed for want of the C library's headers ("" when it
    did not): cgo (so ``-race``) compiles C, and gcc without libc6-dev has no stdlib.h."""
    match = _NO_C_HEADER.search(build_error)
    return messages.no_c_headers(match["header"]) if match else ""


# --- the harness --------------------------------------------------------------------------

HARNESS_FILE = "zz_twinbook_harness_test.go"
HARNESS_TEST = "TestTwinbookHarness"

#: the harness's imports (@IMPORTS@: more, one per line)
_HARNESS_IMPORTS = """import (
\ttwinbookjson "encoding/json"
\ttwinbookfmt "fmt"
\ttwinbookio "io"
\ttwinbookos "os"
\ttwinbookstrconv "strconv"
\ttwinbookstrings "strings"
\ttwinbooksync "sync"
\ttwinbooktesting "testing"
\ttwinbooktime "time"
@IMPORTS@)
"""

#: the start of TestTwinbookHarness: the result channel's pipes, the nonce and the per-test
#: limit, read before any test runs into local variables, out of the answer's reach
_HARNESS_START = """\tfd := func(name string) *twinbookos.File {
\t\tn, err := twinbookstrconv.Atoi(twinbookos.Getenv(name))
\t\tif err != nil {
\t\t\tt.Fatalf("twinbook harness: $%s is not set: run the tests with twinbook", name)
\t\t}
\t\treturn twinbookos.NewFile(uintptr(n), name)
\t}
\tevents, nonceFile := fd("TWINBOOK_EVENTS_FD"), fd("TWINBOOK_NONCE_FD")
\traw, err := twinbookio.ReadAll(twinbookio.LimitReader(nonceFile, 256))
\tnonceFile.Close()
\ttwinbookos.Unsetenv("TWINBOOK_EVENTS_FD")
\ttwinbookos.Unsetenv("TWINBOOK_NONCE_FD")
\tlimit, _ := twinbookstrconv.ParseFloat(twinbookos.Getenv("TWINBOOK_TEST_TIMEOUT"), 64)
\ttwinbookos.Unsetenv("TWINBOOK_TEST_TIMEOUT")
\tif err != nil {
\t\tt.Fatalf("twinbook harness: cannot read the nonce: %v", err)
\t}
\tnonce := twinbookstrings.TrimSpace(string(raw))
\tvar mu twinbooksync.Mutex
\temit := func(event, name, outcome, message string) {
\t\tline, _ := twinbookjson.Marshal(map[string]string{
\t\t\t"nonce": nonce, "event": event, "name": name, "outcome": outcome, "message": message,
\t\t})
\t\tmu.Lock()
\t\tdefer mu.Unlock()
\t\tevents.Write(append(line, '\\n'))
\t}
"""

#: one test as a subtest (``label`` for go test, ``name`` on the channel): its start and
#: result events, the per-test timer, a panic recovered into the test's failure
_RUN_TEST = """t.Run(label, func(t *twinbooktesting.T) {
\temit("start", name, "", "")
\tif limit > 0 {
\t\ttimer := twinbooktime.AfterFunc(twinbooktime.Duration(limit*float64(twinbooktime.Second)), func() {
\t\t\temit("result", name, "failed", twinbookfmt.Sprintf("timed out: the test took longer than %gs", limit))
\t\t\ttwinbookos.Exit(124)
\t\t})
\t\tdefer timer.Stop()
\t}
\tdefer func() {
\t\tmessage := ""
\t\tif r := recover(); r != nil {
\t\t\tfunc() {
\t\t\t\tdefer func() {
\t\t\t\t\tif recover() != nil {
\t\t\t\t\t\tmessage = "panic (a value that panics when printed)"
\t\t\t\t\t}
\t\t\t\t}()
\t\t\t\tmessage = twinbookfmt.Sprintf("panic: %v", r)
\t\t\t}()
\t\t\tt.Errorf("%s", message)
\t\t}
\t\toutcome := "passed"
\t\tif t.Failed() {
\t\t\toutcome = "failed"
\t\t} else if t.Skipped() {
\t\t\toutcome = "skipped"
\t\t}
\t\temit("result", name, outcome, message)
\t}()
\ttc.fn(t)
})
"""

_HARNESS = (
    "// Code generated by twinbook (the test harness); DO NOT EDIT.\n\npackage main_test\n\n"
    + _HARNESS_IMPORTS.replace("@IMPORTS@", "")
    + "\n"
    + """// TestTwinbookHarness runs every expected test as a subtest and reports each outcome on
// the result channel: fd $TWINBOOK_EVENTS_FD, every line tagged with the nonce read from
// fd $TWINBOOK_NONCE_FD. Everything it needs lives in local variables, out of the answer's reach.
// With $TWINBOOK_TEST_TIMEOUT (seconds; the grader sets it) a subtest that runs longer fails
// with "timed out" and the process exits: the runner runs the rest in a fresh process.
"""
    + "func TestTwinbookHarness(t *twinbooktesting.T) {\n"
    + _HARNESS_START
    + "\ttests := []struct {\n\t\tname string\n\t\tfn   func(*twinbooktesting.T)\n\t}{\n@TESTS@\t}\n"
    + "\tfor _, tc := range tests {\n\t\tname, label := tc.name, tc.name\n"
    + textwrap.indent(_RUN_TEST, "\t\t")
    + '\t}\n\temit("done", "", "", "")\n}\n'
)


def harness_source(tests: list[str]) -> str:
    """The harness test file for these test functions (they must exist in the package)."""
    for name in tests:
        if not re.fullmatch(r"Test[A-Za-z0-9_]*", name):
            raise ValueError(f"not a Go test name: {name!r}")
    rows = "".join(f"\t\t{{{json.dumps(name)}, {name}}},\n" for name in tests)
    return _HARNESS.replace("@TESTS@", rows)


def declared_tests(test_files: list[Path]) -> list[str]:
    names: list[str] = []
    for file in test_files:
        names += go_test_names(file.read_text(encoding="utf-8"))
    return names


def package_of(source: str) -> str:
    """The package name of a Go file (its package clause, comments aside), or ""."""
    return go_package(source)


def lay_out_tests(workdir: Path, test_files: list[Path], expected: list[str]) -> list[str]:
    """Copy the test files beside the answer and write the harness; returns the expected tests
    the files declare (the harness runs those).

    Every test file must be ``package main_test``: the answer's external test package, which
    the answer cannot name. A file of the answer's own package would hand the answer its
    identifiers, so it is refused (an instructor's mistake, reported as such)."""
    for file in test_files:
        package = package_of(file.read_text(encoding="utf-8"))
        if package != TEST_PACKAGE:
            raise ValueError(
                f"{file}: a Go test file must be `package {TEST_PACKAGE}` (the answer's external "
                f'test package, importing it with `import . "{ANSWER_MODULE}"`), not '
                f"`package {package or '?'}`"
            )
        if not file.name.endswith("_test.go"):
            raise ValueError(f"{file}: a Go test file's name must end in _test.go")
    for file in test_files:
        shutil.copyfile(file, workdir / file.name)
    declared = set(declared_tests(test_files))
    runnable = [t for t in expected if t in declared]
    (workdir / HARNESS_FILE).write_text(harness_source(runnable))
    return runnable


def prepare_module(
    workdir: Path,
    test_files: list[Path],
    expected: list[str],
    *,
    answer_source: str | None = None,
    gonb_tmp: Path | None = None,
) -> list[str]:
    """Lay out the module in ``workdir``; returns the expected tests the files declare."""
    if gonb_tmp is not None:
        copy_gonb_module(gonb_tmp, workdir)
    else:
        write_module(workdir, answer_source or "package main\n\nfunc main() {}\n")
    return lay_out_tests(workdir, test_files, expected)


def answer_package_error(workdir: Path) -> str:
    """Why the answer's files are not ``package main`` ("" when they are).

    An answer file declaring ``package main_test`` would turn the tests into its own
    package's internal tests, sharing one scope again: refused before the build."""
    for file in sorted(workdir.glob("*.go")):
        if file.name.endswith("_test.go"):
            continue
        package = package_of(file.read_text(encoding="utf-8", errors="replace"))
        if package != "main":
            return f"{file.name}: the answer must be package main, not package {package or '?'}"
    return ""


def build(
    workdir: Path,
    binary: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    limit_memory: int | None = None,
) -> str:
    """``go test -c`` the module into ``binary``; returns the compiler's output on failure.

    ``limit_memory`` caps the toolchain's address space (``prlimit --as``), for untrusted code.
    """
    wrong = answer_package_error(workdir)
    if wrong:
        return wrong
    cmd = [go_binary(), "test", "-c", "-o", str(binary), *BUILD_FLAGS, "."]
    prlimit = shutil.which("prlimit")
    if limit_memory and prlimit:
        cmd = [prlimit, f"--as={limit_memory}", "--core=0", "--", *cmd]
    try:
        proc = subprocess.run(
            cmd, cwd=workdir, env=env or go_env(), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return f"the build took longer than {timeout:g}s"
    if proc.returncode == 0 and binary.is_file():
        return ""
    return compile_errors(proc.stdout + proc.stderr, proc.returncode)


def compile_errors(output: str, code: int | None) -> str:
    """The compiler's errors in the output of a failed ``go test -c``."""
    kept = [
        line
        for line in output.splitlines()
        if line.strip() and not line.startswith("# ") and not line.startswith("FAIL")
    ]
    return "\n".join(kept).strip() or f"go test -c exited with {code}"


# --- several exercises in one build (the grader) ---------------------------------------------

_ANSWER_IMPORT = re.compile(r'(?m)^(\s*(?:import\s+)?\.\s+)"' + ANSWER_MODULE + '"')


def retarget_tests(folder: Path, package: str) -> None:
    """Point the test files in ``folder`` at the answer package ``answer/<package>``.

    In a batch build every exercise is a package of one module ``answer``: folder
    ``<package>`` holds its ``answer.go`` (package main) and its tests, whose
    ``import . "answer"`` becomes ``import . "answer/<package>"``. Only that import
    changes (the tests are the instructor's; a file importing the answer otherwise is
    refused)."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", package):
        raise ValueError(f"not a package folder name: {package!r}")
    for file in sorted(folder.glob("*_test.go")):
        text = file.read_text(encoding="utf-8")
        changed = _ANSWER_IMPORT.sub(rf'\1"{ANSWER_MODULE}/{package}"', text)
        if f'"{ANSWER_MODULE}"' in changed:
            raise ValueError(
                f"{file.name}: imports {ANSWER_MODULE!r} other than as "
                f'`import . "{ANSWER_MODULE}"`: it cannot be built in a batch'
            )
        file.write_text(changed, encoding="utf-8")


def build_args(packages: list[str], out_dir: str) -> list[str]:
    """``go test -c`` of several exercise packages at once: one test binary each,
    ``<out_dir>/<package>.test``, and the build's messages as JSON (``-json``), so that
    each error is told to the package it belongs to."""
    return ["test", "-c", "-json", "-o", out_dir + "/", *BUILD_FLAGS, *(f"./{p}" for p in packages)]


def batch_build_errors(output: str, packages: list[str]) -> dict[str, str]:
    """The compiler's errors of each package that failed to build, from ``go test -c
    -json``'s output, worded as in a build of that exercise alone (``./answer.go:3:5``,
    ``"answer"``)."""
    lines: dict[str, list[str]] = {}
    failed: set[str] = set()
    for raw in output.splitlines():
        try:
            event = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(event, dict) or not isinstance(event.get("ImportPath"), str):
            continue
        path = event["ImportPath"].split(" ")[0].removeprefix(ANSWER_MODULE + "/")
        package = path.removesuffix("_test")
        if package not in packages:
            continue
        if event.get("Action") == "build-fail":
            failed.add(package)
        elif event.get("Action") == "build-output" and isinstance(event.get("Output"), str):
            text = event["Output"]
            text = text.replace(f'"{ANSWER_MODULE}/{package}"', f'"{ANSWER_MODULE}"')
            if text.startswith(package + "/"):
                text = "./" + text.removeprefix(package + "/")
            lines.setdefault(package, []).append(text)
    return {p: compile_errors("".join(lines.get(p, [])), 1) for p in packages if p in failed}


# --- one test binary for several exercises (the grader) ---------------------------------------

BATCH_KEYS_ENV = "TWINBOOK_BATCH_KEYS"  # the exercises (keys) a batch binary runs, in order
BATCH_HARNESS_DIR = "harness"  # the package whose test binary holds every exercise

_BATCH_HARNESS = (
    "// Code generated by twinbook (the batch test harness); DO NOT EDIT.\n\n"
    "package harness_test\n\n"
    + _HARNESS_IMPORTS.replace("@IMPORTS@", '\ttwinbookruntime "runtime"\n@IMPORTS@')
    + "\n"
    + """// TestTwinbookHarness runs the exercises named by $TWINBOOK_BATCH_KEYS in turn, each
// test as a subtest "<key>:<test>", reporting "<key>/<test>" on the result channel
// exactly as the one-exercise harness does. After an exercise, goroutines it left
// running end the process (they could disturb the next exercise; the grader runs the
// rest in a fresh process); "done" is written only when every exercise ran.
"""
    + "func TestTwinbookHarness(t *twinbooktesting.T) {\n"
    + _HARNESS_START
    + """\tkeys := twinbookstrings.Split(twinbookos.Getenv("TWINBOOK_BATCH_KEYS"), ",")
\ttwinbookos.Unsetenv("TWINBOOK_BATCH_KEYS")
\ttype test struct {
\t\tname string
\t\tfn   func(*twinbooktesting.T)
\t}
\texercises := map[string][]test{
@TESTS@\t}
"""
    + """\tfor _, key := range keys {
\t\tbefore := twinbookruntime.NumGoroutine()
\t\tfor _, tc := range exercises[key] {
\t\t\tname, label := key+"/"+tc.name, key+":"+tc.name
"""
    + textwrap.indent(_RUN_TEST, "\t\t\t")
    + """\t\t}
\t\tdeadline := twinbooktime.Now().Add(twinbooktime.Second)
\t\tfor twinbookruntime.NumGoroutine() > before && twinbooktime.Now().Before(deadline) {
\t\t\ttwinbooktime.Sleep(10 * twinbooktime.Millisecond)
\t\t}
\t\tif twinbookruntime.NumGoroutine() > before {
\t\t\ttwinbookos.Exit(0)
\t\t}
\t}
\temit("done", "", "", "")
}
"""
)


def _rename_package(source: str, old: str, new: str) -> str:
    """``source`` with its package clause ``package <old>`` made ``package <new>``."""
    changed, count = re.subn(
        rf"(?m)^(\s*package\s+){re.escape(old)}\b", rf"\g<1>{new}", source, count=1
    )
    if not count:
        raise ValueError(f"no `package {old}` clause to rename")
    return changed


def lay_out_batch(
    build_dir: Path, exercises: list[tuple[str, str, list[Path], list[str]]]
) -> dict[str, list[str]]:
    """One module for several exercises (``key, answer source, test files, expected``),
    built into ONE test binary: package ``answer/<key>`` holds the answer (its package
    clause renamed from main), ``answer/t<key>`` the exercise's test files as an ordinary
    package (renamed from main_test, importing ``answer/<key>``), and
    :data:`BATCH_HARNESS_DIR` the harness that runs them all. The tests keep what
    separates them from the answer: another package, which the answer cannot import.
    Returns each exercise's runnable tests."""
    (build_dir / "go.mod").write_text(f"module {ANSWER_MODULE}\n\ngo {GO_VERSION}\n")
    runnable: dict[str, list[str]] = {}
    imports, rows = "", ""
    for key, source, test_files, expected in exercises:
        if not re.fullmatch(r"e[0-9]+", key):
            raise ValueError(f"not a batch key: {key!r}")
        answer = build_dir / key
        answer.mkdir()
        (answer / "answer.go").write_text(_rename_package(source, "main", key))
        tests = build_dir / f"t{key}"
        tests.mkdir()
        lay_out_tests(tests, test_files, expected)
        (tests / HARNESS_FILE).unlink()
        retarget_tests(tests, key)
        for file in sorted(tests.glob("*_test.go")):
            text = _rename_package(file.read_text(encoding="utf-8"), TEST_PACKAGE, f"t{key}")
            file.unlink()
            (tests / (file.name.removesuffix("_test.go") + "_tests.go")).write_text(text)
        declared = set(declared_tests(list(tests.glob("*.go"))))
        runnable[key] = [t for t in expected if t in declared]
        imports += f'\tt{key} "{ANSWER_MODULE}/t{key}"\n'
        rows += f"\t\t{json.dumps(key)}: {{\n"
        rows += "".join(f"\t\t\t{{{json.dumps(n)}, t{key}.{n}}},\n" for n in runnable[key])
        rows += "\t\t},\n"
    harness = build_dir / BATCH_HARNESS_DIR
    harness.mkdir()
    (harness / "harness_test.go").write_text(
        _BATCH_HARNESS.replace("@IMPORTS@", imports).replace("@TESTS@", rows)
    )
    return runnable


def attach_batch_messages(raw: channel.RawRun, results: dict[str, TestResult]) -> None:
    """:func:`attach_messages` for a batch binary: the channel's ``<key>/<test>`` is the
    subtest ``<key>:<test>`` in the output."""
    by_test = output_by_test(raw.text())
    for name, result in results.items():
        if result.outcome in ("failed", "skipped", "error") and not result.message:
            lines = by_test.get(name.replace("/", ":", 1), [])
            result.message = channel.clip(_message_from(lines))
            if not result.message and raw.output_truncated:
                result.message = "failed (its output was cut: the run printed too much)"


#: what :func:`check_go`'s message starts with when the build failed
COMPILE_ERROR = "compile error: "
TEST_TIMEOUT_ENV = "TWINBOOK_TEST_TIMEOUT"  # seconds one subtest may take (the grader's)


def binary_args(selection: list[str] | None, test_timeout: float) -> list[str]:
    """Flags for the test binary: the harness only (or some of its subtests)."""
    run = f"^{HARNESS_TEST}$"
    if selection:
        run += "/^(" + "|".join(re.escape(t) for t in selection) + ")$"
    return [
        f"-test.run={run}",
        "-test.v=test2json",
        "-test.count=1",
        "-test.paniconexit0",
        f"-test.timeout={max(test_timeout, 1):.0f}s",
    ]


_FRAME = re.compile(r"^\x16(?:=== (?:RUN|NAME|CONT|PAUSE)\s+|--- (?:PASS|FAIL|SKIP): )(\S*)")


def output_by_test(text: str) -> dict[str, list[str]]:
    """The binary's output lines by (harness sub)test, from its test2json framing lines."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines(keepends=True):
        m = _FRAME.match(line)
        if m:
            parts = m.group(1).split("/")
            framing_end = line.startswith("\x16---")
            current = (
                parts[1]
                if len(parts) > 1 and parts[0] == HARNESS_TEST and not framing_end
                else None
            )
            continue
        if current is not None:
            out.setdefault(current, []).append(line)
    return out


# --- the race detector's reports ----------------------------------------------------------------

RACE_WARNING = "WARNING: DATA RACE"  # the line that opens each of the race detector's reports
_RACE_ACCESS = re.compile(r"^(?P<previous>Previous )?(?P<kind>[\w ]+?) at 0x[0-9a-f]+ by .+:$")
_RACE_FRAME = re.compile(r"^\s+(?P<path>\S+\.go):(?P<line>\d+)(?: \+0x[0-9a-f]+)?$")
ANSWER_FILES = ("answer.go", "main.go")  # the learner's file: ours, or GoNB's program
#: an exercise's test file (``*_tests.go`` in a batch), not a harness's
_TEST_FILE = re.compile(r"^(?!zz_twinbook_harness_test\.go|harness_test\.go)\w+_tests?\.go:")


def _short_function(name: str) -> str:
    """``answer/e0.(*Counter).Inc`` -> ``(*Counter).Inc``: no package path."""
    slash = name.rfind("/")
    dot = name.find(".", slash + 1)
    return name[dot + 1 :] if dot >= 0 else name


def _race_accesses(report: list[str]) -> list[str]:
    """The two conflicting accesses of one report, each at the frame that matters to the
    learner: the first in the answer's file, else the first in a test file, else the
    first (``a write in (*Counter).Inc (answer.go:10)``)."""
    accesses: list[tuple[str, list[tuple[str, str]]]] = []
    function = ""
    for raw in report:
        line = raw.rstrip("\n")
        access = _RACE_ACCESS.match(line.strip())
        if access and not line.startswith(" "):
            kind = access.group("kind").lower()
            if access.group("previous"):
                kind = f"an earlier {kind}"
            else:
                kind = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
            accesses.append((kind, []))
            continue
        if not line.strip():
            if len(accesses) == 2:
                break
            continue
        frame = _RACE_FRAME.match(line)
        if frame and accesses and function:
            accesses[-1][1].append((function, f"{Path(frame['path']).name}:{frame['line']}"))
            function = ""
        elif line.startswith("  ") and line.strip().endswith(")"):
            function = _short_function(line.strip().removesuffix("()"))
    said = []
    for kind, frames in accesses[:2]:
        mine = [f for f in frames if f[1].split(":")[0] in ANSWER_FILES]
        tests = [f for f in frames if _TEST_FILE.match(f[1])]
        chosen = (mine or tests or frames or [("", "")])[0]
        said.append(f"{kind} in {chosen[0]} ({chosen[1]})" if chosen[0] else kind)
    return said


def race_message(lines: list[str]) -> str:
    """The failure of a test during which the race detector reported a race ("" when it
    reported none): :func:`twinbook.runner.messages.data_race` with the first report's two
    accesses; the report itself (goroutine creation stacks, addresses) is left out."""
    for i, line in enumerate(lines):
        if line.strip() == RACE_WARNING:
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].strip().startswith("=====")),
                len(lines),
            )
            return messages.data_race(_race_accesses(lines[i + 1 : end]))
    return ""


def _message_from(lines: list[str]) -> str:
    """A data race (:func:`race_message`: the cause of whatever else failed), else the
    instructor's message (``file_test.go:NN: ...``), else a panic, else the first line."""
    race = race_message(lines)
    if race:
        return race
    located = [line for line in lines if _LOCATION.match(line) and HARNESS_FILE not in line]
    if located:
        return _LOCATION.sub("", located[0]).strip()
    return failure_message([line for line in lines if HARNESS_FILE not in line])


#: the race runtime's words when it cannot map memory (it then exits with GORACE's exitcode)
_RACE_NO_MEMORY = re.compile(r"ThreadSanitizer(?: failed to allocate|: out of memory|.*mmap)")
RACE_OUT_OF_MEMORY = (
    "fatal error: out of memory (the race detector could not map the memory asked for)"
)


def _crash_line(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if _RACE_NO_MEMORY.search(stripped):
            return RACE_OUT_OF_MEMORY
        if stripped.startswith(("panic:", "fatal error:")):
            return _clean_panic(stripped)
    return ""


def attach_messages(raw: channel.RawRun, results: dict[str, TestResult]) -> None:
    """Fill in the failure message of each failed test from its output."""
    by_test = output_by_test(raw.text())
    for name, result in results.items():
        if result.outcome in ("failed", "skipped", "error") and not result.message:
            result.message = channel.clip(_message_from(by_test.get(name, [])))
            if not result.message and raw.output_truncated:
                result.message = "failed (its output was cut: the run printed too much)"


def describe(
    raw: channel.RawRun, name: str, *, budget: float | None = None, cpu: float | None = None
) -> str:
    """Why the binary died during test ``name`` (or before any test, ``name == ""``)."""
    text = raw.text()
    line = _crash_line("".join(output_by_test(text).get(name, []))) if name else ""
    if not line and not raw.timed_out:
        line = _crash_line(text)
    if line:
        return line
    end = channel.describe_end(raw, budget, cpu)
    if not name and raw.exit_code is not None and not raw.signal:
        return f"the test binary exited with code {raw.exit_code} before running the tests"
    return end


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
    compiler = c_compiler_problem()
    if compiler:
        return {t: TestResult(t, "error", compiler) for t in expected}, compiler
    with tempfile.TemporaryDirectory(prefix="twinbook-go-") as tmp:
        workdir = Path(tmp)
        runnable = prepare_module(
            workdir, test_files, expected, answer_source=answer_source, gonb_tmp=gonb_tmp
        )
        binary = workdir / "tests.bin"
        build_error = build(workdir, binary, timeout=timeout)
        headers = c_headers_problem(build_error)
        if headers:
            return {t: TestResult(t, "error", headers) for t in expected}, headers
        if build_error:
            msg = COMPILE_ERROR + first_lines(build_error)
            return {t: TestResult(t, "error", msg) for t in expected}, msg
        env = go_env()

        def execute(selection: list[str] | None, left: float, nonce: str) -> channel.RawRun:
            limit = min(test_timeout, max(left - 1, 1))
            argv = [str(binary), *binary_args(selection, limit)]
            return channel.execute_plain(argv, cwd=tmp, env=env, timeout=left, nonce=nonce)

        return channel.run_all(
            runnable,
            execute,
            budget=timeout,
            describe=lambda raw, name: describe(raw, name, budget=timeout),
            messages=attach_messages,
        )
