"""tests/sanitize.cfg: nbval reads it and its patterns neutralise what changes between runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

CFG = Path(__file__).resolve().parent / "sanitize.cfg"


def sanitize(text: str) -> str:
    for regex, replace in get_sanitize_patterns(CFG.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_nbval_reads_every_section():
    sections = re.findall(r"^\[[^\]]+\]$", CFG.read_text(), flags=re.MULTILINE)
    patterns = get_sanitize_patterns(CFG.read_text())
    assert len(patterns) == len(sections) >= 10
    for regex, _ in patterns:
        re.compile(regex)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ok  \ttwinbook/concurrency\t0.012s", "ok  \ttwinbook/concurrency\t1.503s"),
        ("ok  \ttwinbook/concurrency\t0.012s", "ok  \ttwinbook/concurrency\t(cached)"),
        ("--- PASS: TestOrdered (0.00s)", "--- PASS: TestOrdered (1.25s)"),
        ("took 1.23s", "took 12ms"),
        ("elapsed 3.5µs, 250us, 40ns", "elapsed 1.5ms, 2s, 1m2.5s"),
        ("<Pool object at 0x7f3a2c1d9e50>", "<Pool object at 0x7f00aa11bb22>"),
        ("2026-11-26T11:28:10.041440284Z", "2027-01-02T03:04:05Z"),
        ("2026-11-26 11:28:10.041 +0000 UTC m=+0.001", "2026-11-27 01:02:03.5 +0100 CET m=+12.5"),
        ("at 11:28:10", "at 23:59:59.999"),
        ("goroutine 20 [running]:", "goroutine 7 [running]:"),
        ("/tmp/gonb_1a2b3c4d/main.go:12", "/tmp/gonb_ffee0011/main.go:12"),
        ("/tmp/tmpab12cd34/out.txt", "/tmp/tmpzz99yy88/out.txt"),
        ("ThreadPoolExecutor-0_1 done", "ThreadPoolExecutor-3_0 done"),
        ("<Task pending name='Task-7'>", "<Task pending name='Task-12'>"),
    ],
)
def test_run_to_run_noise_compares_equal(first, second):
    assert sanitize(first) == sanitize(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("results: [1, 2, 3]", "results: [1, 3, 2]"),
        ("limit 2: max in flight 2", "limit 2: max in flight 3"),
        ("--- PASS: TestOrdered", "--- FAIL: TestOrdered"),
        ("3/3 tests passed", "2/3 tests passed"),
        ("✓ test_results_in_order", "✗ test_results_in_order"),
    ],
)
def test_real_differences_stay_visible(first, second):
    assert sanitize(first) != sanitize(second)
