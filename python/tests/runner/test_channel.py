"""The result channel (twinbook.exercises.harness): only well-formed events carrying the
run's nonce count, anything else on the channel voids the run, and the rerun loop gives
every expected test a verdict. Pure unit tests: no process is started."""

import json

from twinbook.exercises.results import TestResult
from twinbook.runner.channel import RawRun, parse, run_all

NONCE = "n0nce"


def line(**event) -> bytes:
    return (json.dumps({"nonce": NONCE, **event}) + "\n").encode()


def test_events_with_the_nonce_count():
    data = (
        line(event="start", name="a")
        + line(event="result", name="a", outcome="passed")
        + line(event="start", name="b")
        + line(event="result", name="b", outcome="failed", message="boom\nmore")
        + line(event="done")
    )
    ev = parse(data, NONCE)
    assert ev.tampered == "" and ev.done and ev.running == []
    assert ev.results == {
        "a": TestResult("a", "passed"),
        "b": TestResult("b", "failed", "boom\nmore"),
    }


def test_a_started_test_without_result_is_still_running():
    ev = parse(
        line(event="start", name="a")
        + line(event="result", name="a", outcome="passed")
        + line(event="start", name="b"),
        NONCE,
    )
    assert ev.running == ["b"] and not ev.done


def test_the_worst_outcome_of_a_test_wins():
    data = line(event="result", name="a", outcome="passed") + line(
        event="result", name="a", outcome="failed", message="x"
    )
    assert parse(data, NONCE).results["a"] == TestResult("a", "failed", "x")


def test_a_line_without_the_nonce_voids_the_run():
    forged = json.dumps({"event": "result", "name": "a", "outcome": "passed"}).encode() + b"\n"
    ev = parse(line(event="start", name="a") + forged, NONCE)
    assert ev.tampered == "a line on the result channel did not come from the test harness"
    wrong = json.dumps({"nonce": "guess", "event": "done"}).encode() + b"\n"
    assert parse(wrong, NONCE).tampered


def test_garbage_and_unknown_events_void_the_run():
    assert parse(b"--- PASS: TestA (0.00s)\n", NONCE).tampered
    assert parse(line(event="result", name="a", outcome="excellent"), NONCE).tampered
    assert parse(line(event="promote"), NONCE).tampered
    assert parse(b"x" * (9 << 20) + b"\n", NONCE).tampered.startswith(
        "the result channel carried more than"
    )


def test_an_unfinished_last_line_is_ignored():
    ev = parse(
        line(event="result", name="a", outcome="passed") + b'{"nonce": "n0nce", "event": "res',
        NONCE,
    )
    assert ev.tampered == "" and ev.results == {"a": TestResult("a", "passed")}


def test_control_characters_in_messages_are_dropped_and_long_ones_cut():
    ev = parse(
        line(event="result", name="a", outcome="failed", message="\x1b[31mred\x00" + "y" * 9000),
        NONCE,
    )
    message = ev.results["a"].message
    assert message.startswith("[31mred") and len(message) == 4000 and message.endswith("…")


class FakeExecutor:
    """Replays scripted runs: each is the list of events one process writes, then how it ends."""

    def __init__(self, *runs):
        self.runs = list(runs)
        self.selections = []

    def __call__(self, selection, left, nonce):
        self.selections.append(selection)
        events, end = self.runs.pop(0)
        data = b"".join((json.dumps({"nonce": nonce, **e}) + "\n").encode() for e in events)
        return RawRun(events=data, **end)


def describe(raw, name):
    return f"crashed ({raw.exit_code})" if name else f"no test ran ({raw.exit_code})"


def test_a_crash_fails_the_running_test_and_the_rest_run_again():
    run = FakeExecutor(
        (
            [
                {"event": "start", "name": "a"},
                {"event": "result", "name": "a", "outcome": "passed"},
                {"event": "start", "name": "b"},
            ],
            {"exit_code": 0},
        ),
        (
            [
                {"event": "start", "name": "c"},
                {"event": "result", "name": "c", "outcome": "passed"},
                {"event": "done"},
            ],
            {"exit_code": 0},
        ),
    )
    results, missing = run_all(["a", "b", "c"], run, budget=60, describe=describe)
    assert results == {
        "a": TestResult("a", "passed"),
        "b": TestResult("b", "failed", "crashed (0)"),
        "c": TestResult("c", "passed"),
    }
    assert missing == "" and run.selections == [None, ["c"]]


def test_no_progress_stops_the_reruns():
    run = FakeExecutor(([], {"exit_code": 0}))
    results, missing = run_all(["a", "b"], run, budget=60, describe=describe)
    assert results == {} and missing == "did not run: no test ran (0)"


def test_tampering_fails_every_test_even_passed_ones():
    def execute(selection, left, nonce):
        good = (
            json.dumps({"nonce": nonce, "event": "result", "name": "a", "outcome": "passed"}) + "\n"
        ).encode()
        return RawRun(
            events=good + b'{"event": "result", "name": "b", "outcome": "passed"}\n', exit_code=0
        )

    results, missing = run_all(["a", "b"], execute, budget=60, describe=describe)
    assert {r.outcome for r in results.values()} == {"failed"}
    assert missing.startswith("the run was tampered with")


def test_collection_errors_and_the_budget():
    run = FakeExecutor(
        ([{"event": "error", "message": "ImportError: test_visible"}], {"exit_code": 0})
    )
    assert run_all(["a"], run, budget=60, describe=describe) == (
        {},
        "did not run: ImportError: test_visible",
    )
    assert run_all(["a"], FakeExecutor(), budget=0.1, describe=describe) == (
        {},
        "did not run: the run was stopped after 0.1s",
    )


def test_a_crash_at_every_start_is_given_up_after_three_runs():
    runs = []
    for name in "abc":
        runs.append(([{"event": "start", "name": name}], {"exit_code": 0}))
    run = FakeExecutor(*runs)
    results, missing = run_all(list("abcde"), run, budget=60, describe=describe)
    assert [r.message for r in results.values()] == ["crashed (0)"] * 3
    assert missing == "did not run: the tests crashed 3 times in a row (crashed (0))"
    assert run.selections == [None, list("bcde"), list("cde")]


def test_an_output_event_marks_the_run_as_truncated_and_changes_no_result():
    data = (
        line(event="start", name="a")
        + line(event="output", limit=1024)
        + line(event="result", name="a", outcome="passed")
        + line(event="done")
    )
    ev = parse(data, NONCE)
    assert (
        ev.tampered == "" and ev.output_truncated and ev.results == {"a": TestResult("a", "passed")}
    )
    assert not parse(line(event="done"), NONCE).output_truncated
    raws = []

    def run(selection, left, nonce):
        raws.append(RawRun(events=data.replace(NONCE.encode(), nonce.encode())))
        return raws[-1]

    assert run_all(["a"], run, budget=60, describe=lambda raw, name: "") == (
        {"a": TestResult("a", "passed")},
        "",
    )
    assert [raw.output_truncated for raw in raws] == [True]
