"""Visible tests for fan-in merge: run them with the check cell."""

import threading


def collect(it, timeout=3.0, limit=None):
    """list(it) in a helper thread; fail if it does not finish within timeout."""
    box = {"items": []}

    def run():
        try:
            for item in it:
                box["items"].append(item)
                if limit is not None and len(box["items"]) >= limit:
                    return
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), (
        f"the merged iterator did not finish within {timeout}s (got {box['items']} so far): "
        "it must end once every source is exhausted (count the sources that are done)"
    )
    if "error" in box:
        raise box["error"]
    return box["items"]


def test_nothing_lost_or_duplicated(answer):
    sources = [range(0, 10), range(10, 20), range(20, 30)]
    got = collect(answer.merge(*sources))
    assert sorted(got) == list(range(30)), (
        f"sorted output {sorted(got)}, want 0..29: every item of every source exactly once"
    )


def test_keeps_each_sources_order(answer):
    got = collect(answer.merge(["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]))
    from_a = [x for x in got if x.startswith("a")]
    from_b = [x for x in got if x.startswith("b")]
    assert from_a == ["a1", "a2", "a3", "a4"] and from_b == ["b1", "b2", "b3", "b4"], (
        f"output {got}: items from one source must keep their order (one thread per source, reading it in a loop)"
    )


def test_does_not_wait_for_a_slow_source(answer):
    gate = threading.Event()

    def slow():
        gate.wait(5)
        yield "slow"

    it = answer.merge(slow(), iter(["fast"]))
    try:
        first = collect(it, timeout=2, limit=1)
        assert first == ["fast"], f"first item {first}, want ['fast']"
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}; the fast source's item must come out while the slow one is still waiting: "
            "read every source in its own thread, not one after the other"
        ) from None
    finally:
        gate.set()
    rest = collect(it)
    assert rest == ["slow"], f"after the slow source woke up: got {rest}, want ['slow']"


def test_zero_sources(answer):
    got = collect(answer.merge(), timeout=2)
    assert got == [], f"merge() with no sources gave {got}, want an iterator that ends at once"
