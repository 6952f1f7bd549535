"""Tests of tests/plugins/gotest.py (Go tests as pytest items), on throwaway Go modules.

Each test writes a tiny module into pytester's tmp dir and runs pytest on it with only
the Go plugin enabled; the xdist test runs pytest in a subprocess with two workers and
counts, through a `go` wrapper on PATH, how many times `go test` ran.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOCACHE = os.environ.get("GOCACHE") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "go-build"
)
"""Go's build cache, read before pytester points HOME at its folder: with it, a throwaway
module's -race build reuses the standard library's instead of compiling it again."""
PLUGIN = ("-p", "tests.plugins.gotest", "-p", "no:cacheprovider", "-p", "no:randomly")

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="go is not on PATH")


@pytest.fixture
def gomod(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Write a Go module `example.com/m` into pytester's dir; return a file writer."""
    monkeypatch.delenv("TWINBOOK_GO_TEST_FLAGS", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # for runpytest_subprocess
    monkeypatch.setenv("GOCACHE", GOCACHE)
    (pytester.path / "go.mod").write_text("module example.com/m\n\ngo 1.26\n")

    def write(relpath: str, source: str) -> Path:
        path = pytester.path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
        return path

    return write


# One module, one build: every outcome the plugin maps (a -race build of a fresh
# module costs seconds on two cores, so the scenarios share it).
MODULE = {
    "mixed/mixed_test.go": """
        package mixed

        import "testing"

        func TestPass(t *testing.T) { t.Log("all good") }

        func TestFail(t *testing.T) { t.Errorf("want 3, got %d", 4) }

        func TestSkip(t *testing.T) { t.Skip("needs a broker") }

        func TestSub(t *testing.T) {
            for _, limit := range []int{2, 3} {
                t.Run("limit "+string(rune('0'+limit)), func(t *testing.T) {
                    if limit == 3 {
                        t.Fatalf("limit %d exceeded", limit)
                    }
                })
            }
        }
    """,
    # the package does not compile
    "broken/broken.go": 'package broken\n\nfunc F() int { return "x" }\n',
    "broken/broken_test.go": 'package broken\n\nimport "testing"\n\nfunc TestF(t *testing.T) { F() }\n',
    # only its test file does not compile
    "badtest/badtest_test.go": 'package badtest\n\nimport "testing"\n\nfunc TestX(t *testing.T) { undefinedThing() }\n',
    "pan/pan_test.go": """
        package pan

        import "testing"

        func TestBefore(t *testing.T) {}

        func TestBoom(t *testing.T) { panic("boom") }
    """,
    # what goleak.VerifyTestMain does after all tests passed: print, exit non-zero
    "leaky/leaky_test.go": """
        package leaky

        import (
            "fmt"
            "os"
            "testing"
        )

        func TestMain(m *testing.M) {
            code := m.Run()
            fmt.Println("found unexpected goroutines")
            if code == 0 {
                code = 1
            }
            os.Exit(code)
        }

        func TestLeaky(t *testing.T) {}
    """,
    # no test files: no items
    "lib/lib.go": "package lib\n\n// F is one.\nfunc F() int { return 1 }\n",
}


def test_outcomes_selection_and_flags(pytester, gomod, monkeypatch):
    for path, source in MODULE.items():
        gomod(path, source)
    m = "go.mod::example.com/m"

    result = pytester.runpytest(*PLUGIN, "-v", "-rs")
    result.stdout.fnmatch_lines_random(
        [
            # pass, fail, skip, subtests (spaces become underscores, as in go test -run)
            f"{m}/mixed::TestPass PASSED*",
            f"{m}/mixed::TestFail FAILED*",
            f"{m}/mixed::TestSkip SKIPPED (needs a broker)*",
            f"{m}/mixed::TestSub FAILED*",
            f"{m}/mixed::TestSub/limit_2 PASSED*",
            f"{m}/mixed::TestSub/limit_3 FAILED*",
            # build errors: one failing item per package, with the compiler's message
            f"{m}/broken::build FAILED*",
            f"{m}/badtest::build FAILED*",
            # a panic fails its test; the tests before it still pass
            f"{m}/pan::TestBefore PASSED*",
            f"{m}/pan::TestBoom FAILED*",
            # a failure outside any test fails the package item
            f"{m}/leaky::TestLeaky PASSED*",
            f"{m}/leaky::package FAILED*",
        ]
    )
    # Go's own output is the failure text; the skip is reported at the test's line
    result.stdout.fnmatch_lines_random(
        [
            "_*TestFail (example.com/m/mixed)*_",
            "mixed_test.go:7: want 3, got 4",
            "mixed_test.go:15: limit 3 exceeded",
            "failed subtests: TestSub/limit_3",
            'broken/broken.go:3:*cannot use "x"*',
            "*undefined: undefinedThing*",
            "panic: boom*",
            "*pan_test.go:7*",
            "found unexpected goroutines",
            "SKIPPED [[]1[]] mixed/mixed_test.go:9: needs a broker",
        ]
    )
    result.assert_outcomes(passed=4, failed=7, skipped=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert not any("example.com/m/lib" in line for line in result.outlines)  # no test files

    # --collect-only -q lists the Go tests by name
    listed = pytester.runpytest(*PLUGIN, "--collect-only", "-q")
    listed.stdout.fnmatch_lines(
        [
            f"{m}/mixed::TestPass",
            f"{m}/mixed::TestFail",
            f"{m}/mixed::TestSkip",
            f"{m}/mixed::TestSub",
            f"{m}/mixed::TestSub/limit_2",
            f"{m}/mixed::TestSub/limit_3",
        ]
    )

    # -k selects Go tests and subtests by name
    selected = pytester.runpytest(*PLUGIN, "-k", "TestSub and not limit_3", "-v")
    selected.assert_outcomes(failed=1, passed=1, deselected=10)
    selected.stdout.fnmatch_lines_random(
        [f"{m}/mixed::TestSub FAILED*", f"{m}/mixed::TestSub/limit_2 PASSED*"]
    )

    # a node id runs one Go test
    one = pytester.runpytest(*PLUGIN, f"{m}/mixed::TestPass")
    one.assert_outcomes(passed=1)
    assert one.ret == pytest.ExitCode.OK

    # TWINBOOK_GO_TEST_FLAGS adds flags (the build failures stay: they are not tests)
    monkeypatch.setenv("TWINBOOK_GO_TEST_FLAGS", "-run '^Test(Pass|Before)$' -count=1")
    flagged = pytester.runpytest(*PLUGIN, "-v")
    flagged.assert_outcomes(passed=2, failed=3)  # broken, badtest, leaky
    flagged.stdout.fnmatch_lines_random(
        [
            f"{m}/mixed::TestPass PASSED*",
            f"{m}/pan::TestBefore PASSED*",
            f"{m}/broken::build FAILED*",
        ]
    )
    newest = max(
        (pytester.path / "build" / "gotest").glob("*/*.jsonl"), key=lambda p: p.stat().st_mtime
    )
    text = newest.read_text()
    assert '"Test":"TestPass"' in text and '"twinbook"' in text and "-count=1" in text


def test_broken_go_mod_is_never_zero_items(pytester, gomod):
    (pytester.path / "go.mod").write_text("module example.com/m\n\ngo 1.26\n\nrequire (\n")
    gomod("p/p_test.go", 'package p\n\nimport "testing"\n\nfunc TestX(t *testing.T) {}\n')
    result = pytester.runpytest(*PLUGIN, "-v")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*go.mod::go-test FAILED*", "*go.mod*"])


def test_under_xdist_go_test_runs_once(pytester, gomod, monkeypatch, tmp_path):
    gomod(
        "x/x_test.go",
        """
        package x

        import "testing"

        func TestA(t *testing.T) {}

        func TestB(t *testing.T) {
            t.Run("one", func(t *testing.T) {})
            t.Run("two", func(t *testing.T) { t.Error("two is wrong") })
        }
        """,
    )
    # some Python tests too, so both workers have work
    for i in range(4):
        pytester.makepyfile(**{f"test_py{i}": "def test_it():\n    pass\n"})
    log = tmp_path / "go-calls.log"
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "go"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{shutil.which("go")}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")

    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", "-v", "--dist", "loadfile")
    result.assert_outcomes(passed=6, failed=2)
    result.stdout.fnmatch_lines_random(["*gw0*", "*gw1*", "*FAILED*::TestB/two*", "*two is wrong*"])
    calls = [line for line in log.read_text().splitlines() if line.startswith("test ")]
    assert len(calls) == 1, calls
    assert calls[0].startswith("test -race -json")


def test_parser_keeps_order_and_marks_unfinished_tests(tmp_path):
    from tests.plugins import gotest

    out = tmp_path / "out.jsonl"
    out.write_text(
        "\n".join(
            [
                '{"Action":"start","Package":"m/p"}',
                '{"Action":"run","Package":"m/p","Test":"TestZ"}',
                '{"Action":"output","Package":"m/p","Test":"TestZ","Output":"=== RUN   TestZ\\n"}',
                '{"Action":"pass","Package":"m/p","Test":"TestZ","Elapsed":0.5}',
                '{"Action":"run","Package":"m/p","Test":"TestA"}',
                '{"Action":"output","Package":"m/p","Test":"TestA","Output":"still going\\n"}',
                '{"Action":"output","Package":"m/p","Output":"panic: test timed out after 1s\\n"}',
                '{"Action":"fail","Package":"m/p","Elapsed":1}',
                "not json",
                '{"twinbook":{"exit_code":1,"stderr":"","argv":["go","test"]}}',
            ]
        )
    )
    result = gotest.parse_go_test_output(out)
    package = result.packages["m/p"]
    assert list(package.tests) == ["TestZ", "TestA"]
    assert package.tests["TestZ"].outcome == "pass"
    assert package.tests["TestZ"].elapsed == 0.5
    assert package.tests["TestA"].outcome is None
    assert package.package.outcome == "fail"
    assert result.exit_code == 1
    assert result.stray == ["not json\n"]


def test_plugin_is_enabled_for_the_repo():
    ini = (ROOT / "pytest.ini").read_text()
    assert "-p tests.plugins.gotest" in ini
    assert "--nbval-current-env" not in ini


def test_kafka_packages_run_again_on_the_real_broker(pytester, gomod, monkeypatch):
    """A package whose tests import <module>/kafka/kafkatest runs twice: with
    TWINBOOK_KAFKA unset (kfake), then alone and uncached as `<pkg>[kafka]` with it set."""
    monkeypatch.setenv("TWINBOOK_KAFKA", "real.invalid:9092")  # the session's "real" broker
    gomod(
        "kafka/kafkatest/kafkatest.go",
        """
        // Package kafkatest stands for twinbook/kafka/kafkatest.
        package kafkatest

        import "os"

        // Bootstrap is what the test runs on.
        func Bootstrap() string {
            if addr := os.Getenv("TWINBOOK_KAFKA"); addr != "" {
                return addr
            }
            return "kfake"
        }
        """,
    )
    gomod(
        "events/events_test.go",
        """
        package events

        import (
            "testing"

            "example.com/m/kafka/kafkatest"
        )

        func TestOnKfake(t *testing.T) {
            if got := kafkatest.Bootstrap(); got != "kfake" {
                t.Fatalf("on %s", got)
            }
        }

        func TestOnBoth(t *testing.T) { t.Log("on " + kafkatest.Bootstrap()) }
        """,
    )
    m = "go.mod::example.com/m"
    result = pytester.runpytest(*PLUGIN, "-v")
    result.stdout.fnmatch_lines_random(
        [
            f"{m}/events::TestOnKfake PASSED*",
            f"{m}/events::TestOnBoth PASSED*",
            f"{m}/events[[]kafka[]]::TestOnKfake FAILED*",
            f"{m}/events[[]kafka[]]::TestOnBoth PASSED*",
            "*on real.invalid:9092*",
        ]
    )
    result.assert_outcomes(passed=3, failed=1)
    kafka_run = next((pytester.path / "build" / "gotest").glob("*/*-kafka.jsonl"))
    argv = json.loads(kafka_run.read_text().splitlines()[-1])["twinbook"]["argv"]
    assert argv[-2:] == ["-count=1", "./events"]  # only the package that uses kafkatest


def test_each_service_reruns_its_packages_with_only_its_variable_set(pytester, gomod, monkeypatch):
    """Packages whose tests import <module>/store/storetest run again as `<pkg>[postgres]`
    with TWINBOOK_PG set; a package that imports kafkatest too runs `[kafka]` with only
    TWINBOOK_KAFKA set and `[postgres]` with only TWINBOOK_PG set (the default run: none)."""
    monkeypatch.setenv("TWINBOOK_KAFKA", "real.invalid:9092")
    monkeypatch.setenv("TWINBOOK_PG", "postgres://pg.invalid/db")
    for helper, var in (("kafka/kafkatest", "TWINBOOK_KAFKA"), ("store/storetest", "TWINBOOK_PG")):
        gomod(
            f"{helper}/helper.go",
            f"""
            // Package {helper.split("/")[1]} stands for twinbook/{helper}.
            package {helper.split("/")[1]}

            import "os"

            // On is the service the test runs on ("" for the embedded default).
            func On() string {{ return os.Getenv("{var}") }}
            """,
        )
    gomod(
        "both/both_test.go",
        """
        package both

        import (
            "testing"

            "example.com/m/kafka/kafkatest"
            "example.com/m/store/storetest"
        )

        func check(t *testing.T, kafka, pg bool) {
            if (kafkatest.On() != "") != kafka || (storetest.On() != "") != pg {
                t.Fatalf("kafka=%q pg=%q", kafkatest.On(), storetest.On())
            }
        }

        func TestDefaults(t *testing.T)  { check(t, false, false) }
        func TestOnlyKafka(t *testing.T) { check(t, true, false) }
        func TestOnlyPG(t *testing.T)    { check(t, false, true) }
        """,
    )
    gomod(
        "outbox/outbox_test.go",
        """
        package outbox

        import (
            "testing"

            "example.com/m/store/storetest"
        )

        func TestOn(t *testing.T) { t.Log("on [" + storetest.On() + "]") }
        """,
    )
    m = "go.mod::example.com/m"
    result = pytester.runpytest(*PLUGIN, "-v")
    result.stdout.fnmatch_lines_random(
        [
            f"{m}/both::TestDefaults PASSED*",
            f"{m}/both::TestOnlyKafka FAILED*",
            f"{m}/both::TestOnlyPG FAILED*",
            f"{m}/both[[]kafka[]]::TestDefaults FAILED*",
            f"{m}/both[[]kafka[]]::TestOnlyKafka PASSED*",
            f"{m}/both[[]kafka[]]::TestOnlyPG FAILED*",
            f"{m}/both[[]postgres[]]::TestDefaults FAILED*",
            f"{m}/both[[]postgres[]]::TestOnlyKafka FAILED*",
            f"{m}/both[[]postgres[]]::TestOnlyPG PASSED*",
            f"{m}/outbox::TestOn PASSED*",
            f"{m}/outbox[[]postgres[]]::TestOn PASSED*",
        ]
    )
    result.assert_outcomes(passed=5, failed=6)
    runs = pytester.path / "build" / "gotest"
    pg_run = next(runs.glob("*/*-postgres.jsonl")).read_text()
    argv = json.loads(pg_run.splitlines()[-1])["twinbook"]["argv"]
    assert argv[-3:] == ["-count=1", "./both", "./outbox"]
    assert "on [postgres://pg.invalid/db]" in pg_run
    kafka_run = next(runs.glob("*/*-kafka.jsonl")).read_text()
    assert json.loads(kafka_run.splitlines()[-1])["twinbook"]["argv"][-2:] == ["-count=1", "./both"]
