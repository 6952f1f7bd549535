"""Visible tests for the saga: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.run_saga``).
The chapter's helpers give a scripted ``Participant`` (the services: it fails the attempts it
is told to, and logs every attempt and its key) and ``saga``, which calls your run_saga and
turns an exception of your code into a failed test that names the call.
"""

from chapter_helpers import Participant, saga

STEPS = [("reserve", 0), ("charge", 0), ("ship", 0)]


def test_every_action_succeeds(answer):
    p = Participant()
    outcome = saga(answer, "order-7", STEPS, p)
    want = ["reserve:action ok", "charge:action ok", "ship:action ok"]
    assert p.log == want and outcome == "completed", (
        f"the attempts were {p.log} and the outcome {outcome!r}: want {want}, 'completed'"
    )


def test_a_failed_step_compensates_the_done_ones_in_reverse(answer):
    p = Participant({"ship:action": ["fail"]})
    outcome = saga(answer, "order-7", STEPS, p)
    want = [
        "reserve:action ok",
        "charge:action ok",
        "ship:action fail",
        "charge:compensation ok",
        "reserve:compensation ok",
    ]
    assert p.log == want and outcome == "compensated", (
        f"the attempts were {p.log} and the outcome {outcome!r}: want {want}, 'compensated' "
        "(the failed step did nothing, so it has nothing to undo)"
    )


def test_an_action_is_retried(answer):
    p = Participant({"charge:action": ["fail", "fail"]})
    outcome = saga(answer, "order-7", [("reserve", 0), ("charge", 2)], p)
    want = ["reserve:action ok", "charge:action fail", "charge:action fail", "charge:action ok"]
    assert p.log == want and outcome == "completed", (
        f"the attempts were {p.log}: charge has 2 retries, so its third attempt may succeed"
    )


def test_a_compensation_is_retried_until_it_succeeds(answer):
    p = Participant({"charge:action": ["fail"], "reserve:compensation": ["fail", "fail"]})
    outcome = saga(answer, "order-7", [("reserve", 0), ("charge", 0)], p)
    want = [
        "reserve:action ok",
        "charge:action fail",
        "reserve:compensation fail",
        "reserve:compensation fail",
        "reserve:compensation ok",
    ]
    assert p.log == want and outcome == "compensated", (
        f"the attempts were {p.log}: a compensation must happen, retried until it succeeds"
    )


def test_every_attempt_carries_its_key(answer):
    p = Participant({"charge:action": ["fail", "fail"]})
    saga(answer, "order-7", [("reserve", 0), ("charge", 1)], p)
    want = [
        "order-7:reserve:action",
        "order-7:charge:action",
        "order-7:charge:action",
        "order-7:reserve:compensation",
    ]
    assert p.keys == want, f"the keys were {p.keys}: want <saga id>:<step>:<kind>, {want}"
