"""A second member takes half the partitions; when it leaves, the first gets them back."""

from __future__ import annotations

from collections.abc import Callable

from twinbook.events import Config, GroupConfig, RebalanceKind, RebalanceLog, join

from .helpers import wait_for


def test_group_rebalances_when_members_join_and_leave(
    config: Config, topic: Callable[[str, int], str], fresh: Callable[[str], str]
) -> None:
    name = topic("in", 4)
    log = RebalanceLog()
    group = fresh("group")

    def member(who: str) -> GroupConfig:
        return GroupConfig(config, group, [name], who, log, session_timeout=6.0)

    a = join(member("a"))
    try:
        wait_for(
            "a owns all four", lambda: len(a.assigned().get(name, [])) == 4, lambda: a.poll(0.05)
        )
        b = join(member("b"))
        try:

            def split() -> bool:
                owned_a, owned_b = a.assigned().get(name, []), b.assigned().get(name, [])
                return len(owned_a) == 2 and sorted(owned_a + owned_b) == [0, 1, 2, 3]

            wait_for("a and b own two each", split, lambda: (a.poll(0.05), b.poll(0.05)))
        finally:
            b.close()
        wait_for(
            "a owns all four again",
            lambda: len(a.assigned().get(name, [])) == 4,
            lambda: a.poll(0.05),
        )
    finally:
        a.close()

    kinds: dict[str, list[RebalanceKind]] = {}
    for event in log.events():
        kinds.setdefault(event.member, []).append(event.kind)
    assert kinds["a"][0] is RebalanceKind.ASSIGNED
    assert RebalanceKind.REVOKED in kinds["a"]
    assert RebalanceKind.ASSIGNED in kinds["b"]
