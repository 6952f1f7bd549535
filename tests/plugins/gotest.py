"""pytest plugin: Go tests as pytest items.

When collection reaches a ``go.mod`` file, the plugin runs ``go test -race -json ./...``
in that module (once per test session, even under pytest-xdist), parses the event
stream and yields one item per Go test and subtest::

    go/go.mod::twinbook/concurrency::TestOrdered
    go/go.mod::twinbook/concurrency::TestOrdered/limit_2

An item passes, fails with Go's output as the failure text, or is skipped with the
reason given to ``t.Skip``. Failures that belong to no test are items too, so a
broken package is never silently zero items:

    <module>::<import path>::build     the package (or its test binary) failed to build
    <module>::<import path>::package   the package failed outside any test (TestMain,
                                       goleak.VerifyTestMain, a panic in init, os.Exit)
    <module>::go-test                  ``go test`` itself failed (bad go.mod, go missing)

Sharing under xdist: every worker collects every file, and all workers must collect
the same items. The first worker to reach a module runs ``go test`` and writes the JSON
lines to ``build/gotest/<testrunuid>/<module>.jsonl``; the others wait for that file and
read it (tests/plugins/runshare.py).

Services, twice: the packages whose tests use ``<module>/kafka/kafkatest`` or
``<module>/store/storetest`` (found by reading their ``*_test.go``) run once with
everything else, on the embedded defaults (``TWINBOOK_KAFKA`` and ``TWINBOOK_PG`` unset:
kfake, SQLite), and once more per helper they use, alone and uncached (``-count=1``),
with that helper's variable naming the session's real service (tests/plugins/kafka.py
starts the broker, tests/plugins/postgres.py the PostgreSQL cluster), as items of their
own. A package that uses both runs ``[kafka]`` with only ``TWINBOOK_KAFKA`` set and
``[postgres]`` with only ``TWINBOOK_PG`` set: each rerun changes one thing::

    go/go.mod::twinbook/events::TestOrdering             on kfake
    go/go.mod::twinbook/events[kafka]::TestOrdering      on Apache Kafka
    go/go.mod::twinbook/store[postgres]::TestInTx        on PostgreSQL
    go/go.mod::kafka                                     no real broker: why (one failed item)

``TWINBOOK_GO_TEST_FLAGS`` adds flags, e.g. ``TWINBOOK_GO_TEST_FLAGS="-count=1 -v"``.
Enable with ``-p tests.plugins.gotest`` (pytest.ini does).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import re
import shlex
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sh

from tests.plugins.runshare import shared_result

FLAGS_ENV = "TWINBOOK_GO_TEST_FLAGS"

# --------------------------------------------------------------------------------------
# Running go test (once per session) and sharing its output


@dataclasses.dataclass(frozen=True)
class Rerun:
    """A real service that the packages using its test helper run against a second time."""

    name: str
    """The item suffix ``[name]``, and the failed item's name when there is no service."""
    env: str
    """The variable that points the Go helper at the service."""
    helper: str
    """The helper package, below the module's path: its importers are rerun."""
    plugin: str
    """The pytest plugin module with ``start_soon(config)`` and ``address(config)``."""
    start_soon: str
    address: str

    @property
    def suffix(self) -> str:
        return f"[{self.name}]"

    def start(self, config: pytest.Config) -> None:
        """Have the service start while the first go test runs (no wait)."""
        getattr(importlib.import_module(self.plugin), self.start_soon)(config)

    def url(self, config: pytest.Config) -> str:
        """The service's address; RuntimeError saying why there is none."""
        return str(getattr(importlib.import_module(self.plugin), self.address)(config))


RERUNS = (
    Rerun(
        "kafka",
        "TWINBOOK_KAFKA",
        "kafka/kafkatest",
        "tests.plugins.kafka",
        "start_real_kafka_soon",
        "real_kafka_bootstrap",
    ),
    Rerun(
        "postgres",
        "TWINBOOK_PG",
        "store/storetest",
        "tests.plugins.postgres",
        "start_postgres_soon",
        "postgres_server_url",
    ),
)
"""Every service a Go package can be run again on, in the order the reruns run."""

KAFKA_ENV = RERUNS[0].env
KAFKA_SUFFIX = RERUNS[0].suffix
"""Appended to a package's name for its run on the real broker."""


def go_test_argv(packages: list[str] | None = None) -> list[str]:
    """The ``go`` arguments the plugin runs (the packages, ``./...`` by default, last);
    a run of chosen packages (the real-Kafka run) is never answered from Go's cache."""
    extra = ["-count=1"] if packages else []
    flags = shlex.split(os.environ.get(FLAGS_ENV, ""))
    return ["test", "-race", "-json", *extra, *flags, *(packages or ["./..."])]


def _run_go_test(
    moddir: Path,
    out_path: Path,
    packages: list[str] | None = None,
    service: tuple[str, str] | None = None,
) -> None:
    """Run go test in moddir; write its stdout plus one trailing meta record to out_path.
    Every service variable (TWINBOOK_KAFKA, TWINBOOK_PG) is unset, the embedded defaults,
    except ``service``: (variable, address), the one real service of a rerun."""
    argv = go_test_argv(packages)
    env = {k: v for k, v in os.environ.items() if k not in {r.env for r in RERUNS}}
    if service is not None:
        env[service[0]] = service[1]
    started = time.monotonic()
    with out_path.open("wb") as out:
        try:
            # Every exit code is go test's verdict to parse, not an error of the plugin's.
            done = sh.Command("go")(
                *argv,
                _cwd=str(moddir),
                _env=env,
                _out=out,
                _tty_out=False,
                _ok_code=range(256),
                _return_cmd=True,
            )
            exit_code, stderr = done.exit_code, done.stderr.decode(errors="replace")
        except sh.SignalException as exc:
            exit_code = exc.exit_code
            stderr = exc.stderr.decode(errors="replace")
            stderr += f"\ngo test was killed by {signal.Signals(-exit_code).name}"
        except sh.CommandNotFound as exc:
            exit_code, stderr = 127, f"go not found on PATH: {exc}"
        meta = {
            "twinbook": {
                "argv": ["go", *argv],
                "cwd": str(moddir),
                "exit_code": exit_code,
                "stderr": stderr,
                "seconds": round(time.monotonic() - started, 3),
                "pid": os.getpid(),
            }
        }
        out.write(b"\n" + json.dumps(meta).encode() + b"\n")


def shared_go_test_output(
    config: pytest.Config,
    moddir: Path,
    packages: list[str] | None = None,
    service: tuple[str, str] | None = None,
    rerun: str = "",
) -> Path:
    """Path of the JSON-lines output of go test for moddir, running it if no one has yet
    (``packages``, ``service`` and ``rerun``, its name: the rerun of a service's
    packages against the real service)."""
    try:
        rel = moddir.relative_to(config.rootpath).as_posix()
    except ValueError:
        rel = moddir.as_posix()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", rel).strip("_") or "root"
    key = f"{slug}-{hashlib.sha256(str(moddir).encode()).hexdigest()[:8]}"
    if rerun:
        key += f"-{rerun}"
    return shared_result(
        config,
        "gotest",
        key,
        lambda out: _run_go_test(moddir, out, packages, service),
        suffix=".jsonl",
    )


def helper_packages(moddir: Path, module_path: str | None, helper: str) -> list[str]:
    """The packages (``./dir`` patterns) whose tests import ``<module>/<helper>``: the
    ones to run again on that helper's real service. Read from the sources, so a new
    package joins by using the helper, with no list to keep."""
    if module_path is None:
        return []
    needle = f'"{module_path}/{helper}"'
    found = set()
    for test_file in moddir.rglob("*_test.go"):
        rel = test_file.parent.relative_to(moddir)
        if any(part.startswith((".", "_")) or part == "testdata" for part in rel.parts):
            continue
        try:
            if needle in test_file.read_text(errors="replace"):
                found.add("./" + rel.as_posix() if rel.parts else ".")
        except OSError:
            continue
    return sorted(found)


def kafka_packages(moddir: Path, module_path: str | None) -> list[str]:
    """The packages whose tests import ``<module>/kafka/kafkatest``."""
    return helper_packages(moddir, module_path, RERUNS[0].helper)


# --------------------------------------------------------------------------------------
# Parsing go test -json (test2json events, plus the build events of Go >= 1.24)

_NOISE = re.compile(r"^=== (RUN|PAUSE|CONT|NAME)\b")


@dataclasses.dataclass
class GoResult:
    """What go test said about one test, one package or one build."""

    name: str
    outcome: str | None = None  # pass | fail | skip | None (never finished)
    elapsed: float | None = None
    lines: list[str] = dataclasses.field(default_factory=list)

    def text(self) -> str:
        return "".join(line for line in self.lines if not _NOISE.match(line)).rstrip()


@dataclasses.dataclass
class GoPackageResult:
    import_path: str
    tests: dict[str, GoResult] = dataclasses.field(default_factory=dict)
    package: GoResult | None = None
    failed_build: str | None = None


@dataclasses.dataclass
class GoModuleResult:
    packages: dict[str, GoPackageResult]
    builds: dict[str, list[str]]  # ImportPath -> build output lines
    exit_code: int
    stderr: str
    argv: list[str]
    stray: list[str]  # stdout lines that were not JSON


def parse_go_test_output(path: Path) -> GoModuleResult:
    packages: dict[str, GoPackageResult] = {}
    builds: dict[str, list[str]] = {}
    stray: list[str] = []
    meta: dict = {}

    def pkg(name: str) -> GoPackageResult:
        if name not in packages:
            packages[name] = GoPackageResult(name)
        return packages[name]

    for raw in path.read_text(errors="replace").splitlines():
        if not raw.strip():
            continue
        try:
            event = json.loads(raw)
        except json.JSONDecodeError:
            stray.append(raw + "\n")
            continue
        if not isinstance(event, dict):
            stray.append(raw + "\n")
            continue
        if "twinbook" in event:
            meta = event["twinbook"]
            continue
        action = event.get("Action")
        if action in ("build-output", "build-fail"):
            lines = builds.setdefault(event.get("ImportPath", "?"), [])
            if action == "build-output":
                lines.append(event.get("Output", ""))
            continue
        if "Package" not in event:
            stray.append(raw + "\n")
            continue
        p = pkg(event["Package"])
        test = event.get("Test")
        if test:
            result = p.tests.setdefault(test, GoResult(test))
        else:
            if p.package is None:
                p.package = GoResult(event["Package"])
            result = p.package
            if event.get("FailedBuild"):
                p.failed_build = event["FailedBuild"]
        if action == "output":
            result.lines.append(event.get("Output", ""))
        elif action in ("pass", "fail", "skip"):
            result.outcome = action
            result.elapsed = event.get("Elapsed")
    return GoModuleResult(
        packages=packages,
        builds=builds,
        exit_code=int(meta.get("exit_code", -1)),
        stderr=meta.get("stderr", ""),
        argv=list(meta.get("argv", ["go", *go_test_argv()])),
        stray=stray,
    )


_GO_LOCATION = re.compile(r"^\S+\.go:\d+: ")


def skip_reason(result: GoResult) -> str:
    """t.Skip's message, without its file:line prefix (the report shows the test's location)."""
    lines = [
        _GO_LOCATION.sub("", line.strip())
        for line in result.lines
        if line.strip() and not _NOISE.match(line) and not line.lstrip().startswith("--- SKIP")
    ]
    return " ".join(lines) or "skipped by go test"


# --------------------------------------------------------------------------------------
# Collection


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.name == "go.mod":
        return GoModule.from_parent(parent, path=file_path)
    return None


class GoTestFailure(Exception):
    """A Go test (or build) failed; the message is Go's output."""


class GoModule(pytest.File):
    """A Go module (its go.mod): runs go test once and collects its packages."""

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        moddir = self.path.parent
        module_path = _module_path(self.path)
        reruns = [
            (rerun, packages)
            for rerun in RERUNS
            if (packages := helper_packages(moddir, module_path, rerun.helper))
        ]
        for rerun, _ in reruns:
            rerun.start(self.config)  # the services boot while go test runs
        output = shared_go_test_output(self.config, moddir)
        self.go_output_file = output
        yield from self._collect_run(parse_go_test_output(output), module_path, "")
        for rerun, packages in reruns:
            try:
                url = rerun.url(self.config)
            except RuntimeError as exc:
                yield GoItem.from_parent(
                    self, name=rerun.name, outcome="fail", text=str(exc), domain=f"no {rerun.name}"
                )
                continue
            output = shared_go_test_output(
                self.config, moddir, packages, (rerun.env, url), rerun.name
            )
            yield from self._collect_run(parse_go_test_output(output), module_path, rerun.suffix)

    def _collect_run(
        self, result: GoModuleResult, module_path: str | None, suffix: str
    ) -> Iterator[pytest.Item | pytest.Collector]:
        moddir = self.path.parent
        for import_path, package in result.packages.items():
            if (
                not package.tests
                and package.package is not None
                and package.package.outcome == "skip"
            ):
                continue  # [no test files]
            yield GoPackage.from_parent(
                self,
                name=import_path + suffix,
                result=package,
                builds=result.builds,
                pkgdir=_package_dir(moddir, module_path, import_path),
            )
        failed = any(
            (p.package and p.package.outcome == "fail")
            or any(t.outcome == "fail" for t in p.tests.values())
            for p in result.packages.values()
        )
        if result.exit_code != 0 and not failed:
            text = "\n".join(
                part
                for part in (
                    "$ "
                    + shlex.join(result.argv)
                    + f"   (in {moddir}, exit code {result.exit_code})",
                    result.stderr.rstrip(),
                    "".join(result.stray).rstrip(),
                    "".join(line for lines in result.builds.values() for line in lines).rstrip(),
                )
                if part
            )
            yield GoItem.from_parent(
                self,
                name="go-test" + suffix,
                outcome="fail",
                text=text,
                domain="go test ./... failed"
                if not suffix
                else f"go test of the {suffix} packages on the real service failed",
            )


class GoPackage(pytest.Collector):
    """One Go package of the module, named by its import path."""

    def __init__(
        self, *, result: GoPackageResult, builds: dict[str, list[str]], pkgdir: Path | None, **kw
    ):
        super().__init__(**kw)
        self.result = result
        self.builds = builds
        self.pkgdir = pkgdir

    def collect(self) -> Iterator[pytest.Item]:
        res = self.result
        package_text = res.package.text() if res.package else ""
        if res.failed_build is not None:
            build_lines = self.builds.get(res.failed_build, [])
            text = "".join(build_lines).rstrip() or package_text
            yield GoItem.from_parent(
                self,
                name="build",
                outcome="fail",
                text=text,
                domain=f"{self.name} (build failed)",
            )
            return
        test_failed = False
        for name, test in res.tests.items():
            if test.outcome is None:
                outcome = "fail"
                text = (
                    test.text()
                    + "\n\n(the test never finished; package output follows)\n"
                    + package_text
                )
            else:
                outcome = test.outcome
                text = test.text()
            if outcome == "fail":
                test_failed = True
                failed_subtests = [
                    sub
                    for sub, r in res.tests.items()
                    if sub.startswith(name + "/") and r.outcome != "pass"
                ]
                if failed_subtests and test.outcome is not None:
                    text += "\n\nfailed subtests: " + ", ".join(failed_subtests)
            yield GoItem.from_parent(
                self,
                name=name,
                outcome=outcome,
                text=text.strip(),
                reason=skip_reason(test) if outcome == "skip" else None,
                elapsed=test.elapsed,
                location=_find_test(self.pkgdir, name),
                domain=f"{name} ({self.name})",
            )
        if res.package is not None and res.package.outcome in ("fail", None) and not test_failed:
            text = package_text or f"package {res.import_path} did not report a result"
            yield GoItem.from_parent(
                self,
                name="package",
                outcome="fail",
                text=text,
                domain=f"{self.name} (package failed)",
            )


class GoItem(pytest.Item):
    """One Go test or subtest; its outcome is already known from go test's output."""

    def __init__(
        self,
        *,
        outcome: str,
        text: str,
        reason: str | None = None,
        elapsed: float | None = None,
        location: tuple[Path, int] | None = None,
        domain: str | None = None,
        **kw,
    ):
        super().__init__(**kw)
        self.domain = domain or self.name
        self.outcome = outcome
        self.text = text
        self.reason = reason
        self.elapsed = elapsed
        self.go_location = location
        if elapsed is not None:
            self.user_properties.append(("go_elapsed_seconds", elapsed))

    def runtest(self) -> None:
        if self.outcome == "skip":
            # reported at the Go test's own file:line (reportinfo), not at this line
            raise pytest.skip.Exception(
                self.reason or "skipped by go test", _use_item_location=True
            )
        if self.outcome == "fail":
            raise GoTestFailure(self.text)
        if self.text:
            self.add_report_section("call", "go test output", self.text)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, GoTestFailure):
            return str(excinfo.value) or f"{self.name} failed (go test printed nothing)"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        if self.go_location is not None:
            path, line = self.go_location
            return path, line, self.domain
        return self.path, None, self.domain


# --------------------------------------------------------------------------------------
# Helpers


def _module_path(gomod: Path) -> str | None:
    try:
        for line in gomod.read_text(errors="replace").splitlines():
            m = re.match(r"\s*module\s+(\S+)", line)
            if m:
                return m.group(1).strip('"')
    except OSError:
        pass
    return None


def _package_dir(moddir: Path, module_path: str | None, import_path: str) -> Path | None:
    if module_path is None:
        return None
    if import_path == module_path:
        return moddir
    if import_path.startswith(module_path + "/"):
        return moddir / import_path[len(module_path) + 1 :]
    return None


def _find_test(pkgdir: Path | None, name: str) -> tuple[Path, int] | None:
    """File and (0-based) line of ``func <Top>(`` for a test or subtest name."""
    if pkgdir is None or not pkgdir.is_dir():
        return None
    top = name.split("/", 1)[0]
    decl = re.compile(rf"^func\s+{re.escape(top)}\s*\(")
    for path in sorted(pkgdir.glob("*_test.go")):
        try:
            for lineno, line in enumerate(path.read_text(errors="replace").splitlines()):
                if decl.match(line):
                    return path, lineno
        except OSError:
            continue
    return None
