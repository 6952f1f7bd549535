"""Hidden tests for the exactly-once step (instructors only)."""

from test_visible import Run


def test_hidden_epochs_count_per_transactional_id(answer):
    run = Run(answer)
    got = [run.init("a"), run.init("b"), run.init("a"), run.init("a"), run.init("b")]
    assert got == [0, 0, 1, 2, 1], f"init a, b, a, a, b returned {got}: want [0, 0, 1, 2, 1]"


def test_hidden_every_call_with_a_stale_or_unknown_epoch_is_fenced(answer):
    run = Run(answer)
    run.init("p")
    current = run.init("p")
    for epoch, why in [(current - 1, "an older epoch"), (current + 1, "an epoch p never had")]:
        run.fenced("send", "p", epoch, "x", why=why)
        run.fenced("send_offset", "p", epoch, 5, why=why)
        run.fenced("commit", "p", epoch, why=why)
        run.fenced("abort", "p", epoch, why=why)
    run.fenced("send", "nobody", 0, "x", why="a transactional id that never called init")
    run.fenced("commit", "nobody", 0, why="a transactional id that never called init")
    assert run.read() == [] and run.offset() is None, "a fenced call changes nothing"


def test_hidden_a_fenced_call_changes_nothing(answer):
    run = Run(answer)
    old = run.init("p")
    new = run.init("p")
    run.ok("send", "p", new, "kept")
    run.ok("send_offset", "p", new, 3)
    run.fenced("send_offset", "p", old, 99, why="the zombie's offset")
    run.fenced("abort", "p", old, why="the zombie cannot abort the new transaction")
    run.ok("commit", "p", new)
    assert run.read() == ["kept"], f"read_committed() is {run.read()}, want ['kept']"
    assert run.offset() == 3, f"committed_offset() is {run.offset()}, want 3, not the zombie's"


def test_hidden_init_aborts_what_the_old_epoch_left_open(answer):
    run = Run(answer)
    old = run.init("p")
    run.ok("send", "p", old, "half-done")
    run.ok("send_offset", "p", old, 7)
    new = run.init("p")
    assert run.read() == [], (
        f"read_committed() is {run.read()}: the old epoch's records were aborted, and nothing "
        "is open any more"
    )
    run.ok("commit", "p", new)
    assert run.offset() is None, (
        f"committed_offset() is {run.offset()!r}: the aborted transaction's offset 7 must not "
        "be committed by the next one"
    )
    assert run.read() == [], f"read_committed() is {run.read()}: nothing was committed"


def test_hidden_init_leaves_other_ids_alone(answer):
    run = Run(answer)
    q = run.init("q")
    run.ok("send", "q", q, "q1")
    run.init("p")
    run.init("p")
    run.ok("commit", "q", q)
    assert run.read() == ["q1"], f"read_committed() is {run.read()}: p's init must not abort q's"


def test_hidden_log_order_not_commit_order(answer):
    run = Run(answer)
    p, q = run.init("p"), run.init("q")
    run.ok("send", "p", p, "p1")
    run.ok("send", "q", q, "q1")
    run.ok("send", "p", p, "p2")
    run.ok("commit", "p", p)
    assert run.read() == ["p1"], (
        f"read_committed() is {run.read()}: want ['p1']; p2 is committed, but q1 before it is open"
    )
    run.ok("commit", "q", q)
    assert run.read() == ["p1", "q1", "p2"], (
        f"read_committed() is {run.read()}: records come in log order, not in commit order"
    )


def test_hidden_an_aborted_transaction_releases_what_follows(answer):
    run = Run(answer)
    p, q = run.init("p"), run.init("q")
    run.ok("send", "p", p, "p1")
    run.ok("send", "q", q, "q1")
    run.ok("commit", "q", q)
    run.ok("abort", "p", p)
    assert run.read() == ["q1"], f"read_committed() is {run.read()}: p1 was aborted, q1 stands"


def test_hidden_offsets_only_move_when_a_transaction_commits(answer):
    run = Run(answer)
    epoch = run.init("p")
    run.ok("send_offset", "p", epoch, 5)
    run.ok("commit", "p", epoch)
    run.ok("send_offset", "p", epoch, 9)
    run.ok("abort", "p", epoch)
    assert run.offset() == 5, f"committed_offset() is {run.offset()}: the aborted 9 never counts"
    run.ok("send", "p", epoch, "no offset this time")
    run.ok("commit", "p", epoch)
    assert run.offset() == 5, (
        f"committed_offset() is {run.offset()}: a commit without an offset keeps 5"
    )
    run.ok("send_offset", "p", epoch, 12)
    run.ok("send_offset", "p", epoch, 15)
    run.ok("commit", "p", epoch)
    assert run.offset() == 15, f"committed_offset() is {run.offset()}: the last offset sent counts"


def test_hidden_a_consume_transform_produce_loop_survives_a_crash(answer):
    inputs = ["a", "b", "c", "d", "e"]
    run = Run(answer)

    def step(epoch, start, end):
        for offset in range(start, end):
            run.ok("send", "app", epoch, inputs[offset].upper())
        run.ok("send_offset", "app", epoch, end)

    first = run.init("app")
    step(first, 0, 2)
    run.ok("commit", "app", first)
    step(first, 2, 4)  # then the process dies before it commits
    second = run.init("app")  # its replacement: the zombie's transaction is aborted
    start = run.offset()
    assert start == 2, f"committed_offset() after the crash is {start}, want 2"
    step(second, start, 5)
    run.ok("commit", "app", second)
    run.fenced("commit", "app", first, why="the first process wakes up: it is a zombie now")
    assert run.read() == ["A", "B", "C", "D", "E"], (
        f"read_committed() is {run.read()}: each input transformed exactly once, in order"
    )
    assert run.offset() == 5, f"committed_offset() is {run.offset()}, want 5"


def test_hidden_an_offset_of_0_is_committed_too(answer):
    run = Run(answer)
    epoch = run.init("p")
    run.ok("send_offset", "p", epoch, 0)
    run.ok("commit", "p", epoch)
    assert run.offset() == 0, (
        f"committed_offset() is {run.offset()!r}: 0 is an offset like any other"
    )
