"""Visible tests for the idempotency keys: run them with the check cell.

Each test takes the fixture ``answer``: the names your notebook defines (``answer.Keys``).
``KeysRun`` (the chapter's helper) calls your Keys with a request's body hash, checks that
what ``begin`` returns is one of the three decisions, and turns an exception of your code
into a failed test that names the call.
"""

from chapter_helpers import KeysRun


def test_a_retry_replays_the_first_response(answer):
    run = KeysRun(answer)
    first = run.begin(0, "k1")
    assert first == ("run", 1), f"the first request with key k1 got {first}: want ('run', 1)"
    run.finish(5, 1, 201, "order 1")
    again = run.begin(10, "k1")
    assert again == ("replay", 201, "order 1"), (
        f"a retry of k1 with the same body got {again}: want ('replay', 201, 'order 1'), the "
        "stored response, without running the handler again"
    )


def test_tokens_count_the_requests_that_run(answer):
    run = KeysRun(answer, required=False)
    got = [run.begin(0, "a"), run.begin(0, None), run.begin(0, "b"), run.begin(0, "c")]
    want = [("run", 1), ("run", None), ("run", 2), ("run", 3)]
    assert got == want, (
        f"requests with keys a, none, b and c got {got}: want {want} (tokens 1, 2, 3 in order "
        "for the requests that mark a key; None for one without a key, which marks nothing)"
    )


def test_a_missing_or_malformed_key_is_400(answer):
    run = KeysRun(answer, required=True)
    for key in (None, "", "x" * 256, "tab\there", "caf\u00e9"):
        got = run.begin(0, key)
        assert got == ("refuse", 400), f"key {key!r} got {got}: want ('refuse', 400)"
    run = KeysRun(answer, required=False)
    assert run.begin(0, "") == ("refuse", 400), "an empty key is malformed, not missing: 400"


def test_another_body_with_the_same_key_is_422(answer):
    run = KeysRun(answer)
    run.begin(0, "k1", body='{"qty":1}')
    run.finish(1, 1, 201, "order 1")
    got = run.begin(2, "k1", body='{"qty":2}')
    assert got == ("refuse", 422), (
        f"key k1 again with another body got {got}: want ('refuse', 422), the key was reused"
    )
    assert run.begin(3, "k1", body='{"qty":1}') == ("replay", 201, "order 1"), (
        "a 422 stores nothing: the first body still replays"
    )


def test_a_request_in_progress_gets_409_until_its_lease_runs_out(answer):
    run = KeysRun(answer, lease_ms=100)
    run.begin(0, "k1")
    got = run.begin(99, "k1")
    assert got == ("refuse", 409), f"at 99 ms, k1 still running (lease 100 ms) got {got}: want 409"
    got = run.begin(100, "k1")
    assert got == ("run", 2), (
        f"at 100 ms the lease has run out, so the next request takes the key: got {got}, want "
        "('run', 2)"
    )


def test_a_failed_handler_releases_the_key(answer):
    run = KeysRun(answer)
    run.begin(0, "k1")
    run.fail(1)
    got = run.begin(1, "k1", body="another body")
    assert got == ("run", 2), (
        f"after fail(1), k1 got {got}: want ('run', 2), a failure stores nothing and frees the key"
    )


def test_a_stored_response_is_forgotten_after_ttl(answer):
    run = KeysRun(answer, ttl_ms=1000)
    run.begin(0, "k1")
    run.finish(10, 1, 200, "ok")
    assert run.begin(1009, "k1") == ("replay", 200, "ok"), "stored at 10, ttl 1000: kept at 1009"
    got = run.begin(1010, "k1")
    assert got == ("run", 2), f"at 1010 ms (stored at 10, ttl 1000) got {got}: want ('run', 2)"
