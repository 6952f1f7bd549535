"""twinbook.supervisor.Tree, rule by rule: each test pins one sentence of the spec."""

from __future__ import annotations

from typing import Any

import pytest

from twinbook.supervisor import Tree, TreeError, parse_spec


def worker(ident: str, restart: str = "permanent") -> dict[str, Any]:
    return {"id": ident, "restart": restart}


def sup(
    ident: str,
    children: list[dict[str, Any]],
    restart: str = "permanent",
    strategy: str = "one_for_one",
    intensity: int = 3,
    period_ms: int = 1000,
) -> dict[str, Any]:
    return {
        "id": ident,
        "restart": restart,
        "kind": "supervisor",
        "strategy": strategy,
        "intensity": intensity,
        "period_ms": period_ms,
        "children": children,
    }


def tree(
    children: list[dict[str, Any]],
    strategy: str = "one_for_one",
    intensity: int = 3,
    period_ms: int = 1000,
) -> Tree:
    spec = {"strategy": strategy, "intensity": intensity, "period_ms": period_ms}
    t = Tree(parse_spec({**spec, "children": children}))
    t.start(0)
    return t


ABC = [worker("a"), worker("b"), worker("c")]


def test_start_goes_in_list_order_with_a_nested_supervisors_children_before_its_next_sibling() -> (
    None
):
    t = Tree(parse_spec({"strategy": "one_for_one", "intensity": 1, "period_ms": 1, "children": [
        worker("a"), sup("s", [worker("x"), sup("t", [worker("y")])]), worker("b")]}))  # fmt: skip
    assert t.start(0) == ["start a", "start s", "start s/x", "start s/t", "start s/t/y", "start b"]
    assert t.running() == ["a", "s", "s/x", "s/t", "s/t/y", "b"]
    assert t.stopped is False


@pytest.mark.parametrize(
    ("restart", "reason", "restarted"),
    [
        ("permanent", "normal", True),
        ("permanent", "shutdown", True),
        ("permanent", "crash", True),
        ("transient", "normal", False),
        ("transient", "shutdown", False),
        ("transient", "crash", True),
        ("temporary", "normal", False),
        ("temporary", "shutdown", False),
        ("temporary", "crash", False),
    ],
)
def test_restart_type_and_reason_decide_a_restart(
    restart: str, reason: str, restarted: bool
) -> None:
    t = tree([worker("a"), worker("b", restart), worker("c")])
    log = t.exit("b", reason, 10)
    if restarted:
        assert log == ["start b"]
        assert t.running() == ["a", "b", "c"]
        assert t.restarts() == [10]
    else:
        assert log == [], "nothing else happens"
        assert t.running() == ["a", "c"]
        assert t.restarts() == [], "an exit that asks for no restart is not counted"


def test_a_temporary_child_is_removed_for_good() -> None:
    t = tree([worker("a"), worker("b", "temporary")], strategy="one_for_all")
    assert t.exit("b", "crash", 10) == []
    assert t.exit("a", "crash", 20) == ["start a"], "b is not started again: it is gone"
    with pytest.raises(TreeError, match="no child 'b'"):
        t.exit("b", "crash", 30)


@pytest.mark.parametrize(
    ("strategy", "failed", "log"),
    [
        ("one_for_one", "a", ["start a"]),
        ("one_for_one", "c", ["start c"]),
        ("one_for_all", "a", ["terminate c", "terminate b", "start a", "start b", "start c"]),
        ("one_for_all", "b", ["terminate c", "terminate a", "start a", "start b", "start c"]),
        ("one_for_all", "c", ["terminate b", "terminate a", "start a", "start b", "start c"]),
        ("rest_for_one", "a", ["terminate c", "terminate b", "start a", "start b", "start c"]),
        ("rest_for_one", "b", ["terminate c", "start b", "start c"]),
        ("rest_for_one", "c", ["start c"]),
    ],
)
def test_the_strategy_decides_what_is_terminated_in_reverse_and_started_in_order(
    strategy: str, failed: str, log: list[str]
) -> None:
    t = tree(ABC, strategy=strategy)
    assert t.exit(failed, "crash", 5) == log
    assert t.running() == ["a", "b", "c"]
    assert t.restarts() == [5], "one restart counted, however many children it started"


def test_restarting_a_child_does_not_move_it() -> None:
    t = tree(ABC, strategy="one_for_all")
    t.exit("a", "crash", 1)
    assert t.exit("c", "crash", 2)[:2] == ["terminate b", "terminate a"]


@pytest.mark.parametrize("strategy", ["one_for_all", "rest_for_one"])
def test_temporary_children_terminated_by_a_restart_are_removed(strategy: str) -> None:
    t = tree([worker("a"), worker("t", "temporary"), worker("b")], strategy=strategy)
    assert t.exit("a", "crash", 1) == ["terminate b", "terminate t", "start a", "start b"]
    assert t.running() == ["a", "b"]


def test_rest_for_one_leaves_a_temporary_child_before_the_failed_one_alone() -> None:
    t = tree([worker("t", "temporary"), worker("a"), worker("b")], strategy="rest_for_one")
    assert t.exit("a", "crash", 1) == ["terminate b", "start a", "start b"]
    assert t.running() == ["t", "a", "b"]


@pytest.mark.parametrize(
    ("strategy", "failed", "log"),
    [
        ("one_for_all", "c", ["terminate a", "start a", "start b", "start c"]),
        ("rest_for_one", "a", ["terminate c", "start a", "start b", "start c"]),
        ("rest_for_one", "c", ["start c"]),
        ("one_for_one", "a", ["start a"]),
    ],
)
def test_a_stopped_transient_child_is_started_again_without_a_terminate(
    strategy: str, failed: str, log: list[str]
) -> None:
    t = tree([worker("a"), worker("b", "transient"), worker("c")], strategy=strategy)
    assert t.exit("b", "normal", 1) == []
    assert t.exit(failed, "crash", 2) == log


@pytest.mark.parametrize(
    ("intensity", "period_ms", "times", "gives_up"),
    [
        (0, 1000, [10], True),
        (1, 1000, [10, 20], True),
        (1, 1000, [100, 1100], True),  # exactly period_ms ago still counts
        (1, 1000, [100, 1101], False),  # one ms more and it has left the window
        (2, 1000, [0, 500, 1000], True),
        (2, 1000, [0, 500, 1001, 1400], True),
        (2, 1000, [0, 500, 1001, 1501], False),
        (3, 10, [4, 4, 4, 4], True),  # several restarts at the same instant all count
        (1, 1, [5, 7, 9, 11], False),
    ],
)
def test_intensity_counts_restarts_within_the_period_both_ends_included(
    intensity: int, period_ms: int, times: list[int], gives_up: bool
) -> None:
    t = tree([worker("a"), worker("b")], intensity=intensity, period_ms=period_ms)
    for at in times[:-1]:
        assert t.exit("a", "crash", at) == ["start a"], f"at {at}"
    last = t.exit("a", "crash", times[-1])
    if gives_up:
        assert last == ["give_up /", "terminate b"]
        assert t.stopped and t.running() == []
    else:
        assert last == ["start a"]
        assert not t.stopped and t.running() == ["a", "b"]


def test_exits_that_ask_for_no_restart_never_count_towards_intensity() -> None:
    t = tree([worker("a", "transient"), worker("b", "temporary"), worker("c")], intensity=1)
    assert t.exit("a", "normal", 1) == []
    assert t.exit("b", "crash", 2) == []
    assert t.exit("c", "crash", 3) == ["start c"], "the first restart counted"
    assert t.exit("c", "crash", 4) == ["give_up /"]


def test_after_the_top_gives_up_every_exit_is_ignored() -> None:
    t = tree([worker("a"), worker("b")], intensity=0)
    assert t.exit("b", "crash", 1) == ["give_up /", "terminate a"]
    assert t.exit("a", "crash", 2) == []
    assert t.exit("nobody", "whatever", 0) == []
    assert t.running() == [] and t.stopped


def test_a_nested_give_up_is_a_shutdown_to_its_parent_which_counts_a_restart() -> None:
    t = tree([worker("a"), sup("s", [worker("x"), worker("y")], intensity=0), worker("b")])
    assert t.exit("s/x", "crash", 7) == [
        "give_up s",
        "terminate s/y",
        "start s",
        "start s/x",
        "start s/y",
    ]
    assert t.restarts() == [7]
    assert t.restarts("s") == [], "a restarted nested supervisor starts with an empty history"


def test_a_transient_nested_supervisor_that_gave_up_stays_down_until_a_sibling_restart() -> None:
    t = tree(
        [sup("s", [worker("x")], restart="transient", intensity=0), worker("b")],
        strategy="one_for_all",
    )
    assert t.exit("s/x", "crash", 1) == ["give_up s"]
    assert t.running() == ["b"]
    assert t.restarts() == [], "a transient child ending with shutdown is not restarted"
    with pytest.raises(TreeError, match="not running"):
        t.exit("s/x", "crash", 2)
    assert t.exit("b", "crash", 3) == ["start s", "start s/x", "start b"]


def test_a_restarted_nested_supervisor_starts_every_child_of_its_spec_anew() -> None:
    t = tree(
        [sup("s", [worker("x", "temporary"), worker("y", "transient"), worker("z")], intensity=0)]
    )
    t.exit("s/x", "normal", 1)
    t.exit("s/y", "normal", 2)
    assert t.running() == ["s", "s/z"]
    assert t.exit("s/z", "crash", 3) == [
        "give_up s",
        "start s",
        "start s/x",
        "start s/y",
        "start s/z",
    ]


def test_terminating_a_nested_supervisor_terminates_its_children_first_recursively() -> None:
    t = tree(
        [sup("s", [worker("x"), sup("t", [worker("y"), worker("z")])]), worker("b")],
        strategy="rest_for_one",
    )
    assert t.exit("b", "crash", 1) == ["start b"], "rest_for_one: nothing after b"
    t2 = tree(
        [worker("a"), sup("s", [worker("x"), sup("t", [worker("y"), worker("z")])])],
        strategy="one_for_all",
    )
    assert t2.exit("a", "crash", 1) == [
        "terminate s/t/z",
        "terminate s/t/y",
        "terminate s/t",
        "terminate s/x",
        "terminate s",
        "start a",
        "start s",
        "start s/x",
        "start s/t",
        "start s/t/y",
        "start s/t/z",
    ]


def test_giving_up_cascades_outwards_innermost_first() -> None:
    t = tree(
        [worker("a"), sup("s", [sup("t", [worker("y")], intensity=0), worker("x")], intensity=0)],
        intensity=0,
    )
    assert t.exit("s/t/y", "crash", 1) == [
        "give_up s/t",
        "give_up s",
        "terminate s/x",
        "give_up /",
        "terminate a",
    ]
    assert t.stopped and t.running() == []


@pytest.mark.parametrize(
    ("path", "reason", "at", "message"),
    [
        ("zz", "crash", 1, "no child 'zz'"),
        ("s", "crash", 1, "is a supervisor"),
        ("s/zz", "crash", 1, "no child 's/zz'"),
        ("a", "exploded", 1, "unknown reason"),
        ("a", "crash", -1, "time goes back"),
    ],
)
def test_an_exit_the_tree_cannot_take_is_an_error(
    path: str, reason: str, at: int, message: str
) -> None:
    t = tree([worker("a"), sup("s", [worker("x")])])
    with pytest.raises(TreeError, match=message):
        t.exit(path, reason, at)


def test_a_stopped_worker_cannot_exit_again() -> None:
    t = tree([worker("a", "transient")])
    t.exit("a", "normal", 1)
    with pytest.raises(TreeError, match="'a' is not running"):
        t.exit("a", "normal", 2)


def test_the_tree_is_started_once_and_before_any_exit() -> None:
    t = Tree(
        parse_spec({"strategy": "one_for_one", "intensity": 1, "period_ms": 1, "children": []})
    )
    with pytest.raises(TreeError, match="before the tree was started"):
        t.exit("a", "crash", 0)
    assert t.start(0) == []
    with pytest.raises(TreeError, match="already been started"):
        t.start(0)


def test_shutdown_terminates_everything_in_reverse_start_order() -> None:
    t = tree([worker("a"), sup("s", [worker("x"), worker("y")]), worker("b")])
    assert t.shutdown(5) == [
        "terminate b",
        "terminate s/y",
        "terminate s/x",
        "terminate s",
        "terminate a",
    ]
    assert t.stopped and t.running() == []
    assert t.exit("a", "crash", 6) == []
